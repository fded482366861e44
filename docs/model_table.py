"""Print the README's table of shipped models from their weight cards.

uv run python docs/model_table.py
"""

from __future__ import annotations

import json

from models.registry import MODELS

# The figures of the paper this project started from, for comparison.
PAPER = {"mnist_cnn": "94%", "resnet18_cifar10": "72%", "vit_cifar10": "76%"}


def main() -> None:
    print("| model | test accuracy | test set | parameters | training | paper |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, spec in MODELS.items():
        if not spec.card_path.is_file():
            print(f"| {name} | not trained yet | | | `{spec.train_command()}` | {PAPER.get(name, '')} |")
            continue
        card = json.loads(spec.card_path.read_text())
        training = card["training"]
        minutes = training["wall_time_s"] / 60
        print(
            f"| {name} | {card['test']['accuracy'] * 100:.2f}% | {card['test_set']} | {card['parameters']:,} "
            f"| {training['epochs']} epochs, {minutes:.0f} min on {training['device']} | {PAPER.get(name, '')} |"
        )


if __name__ == "__main__":
    main()

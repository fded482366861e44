"""Print the README's table of shipped models, and the command that made each, from their weight cards.

uv run python docs/model_table.py
"""

from __future__ import annotations

import itertools
from pathlib import Path

from models import card
from models.card import Calibration, Card
from models.registry import MODELS

# The figures of the paper this project started from, for comparison.
PAPER = {"mnist_cnn": "94%", "resnet18_cifar10": "72%", "vit_cifar10": "76%"}


def calibration_text(calibration: Calibration) -> str:
    raw = calibration.test_raw.ece * 100
    if not calibration.fitted:
        return f"{raw:.2f}% (no held-out data)"
    calibrated = calibration.test_calibrated.ece * 100
    return f"{raw:.2f}% -> {calibrated:.2f}% (T = {calibration.temperature:.2f})"


def accuracy_text(model_card: Card) -> str:
    """The test accuracy, and for a model that averages mirror images, its accuracy without."""
    text = f"{model_card.test.accuracy * 100:.2f}%"
    inference = model_card.inference
    if inference.mirror_average:
        text += f" ({inference.single_view_test_accuracy * 100:.2f}% without mirror averaging)"
    return text


def pen_text(model_card: Card) -> str:
    """Pen-drawn digits of writers held out of training, where the model learned from pen digits."""
    pen = model_card.pen_digits
    if pen is None:
        return ""
    return f"{pen.accuracy * 100:.2f}% ({pen.digits} digits, {len(pen.writers)} writers)"


def main() -> None:
    commands = []
    print(
        "| model | test accuracy | test set | pen-drawn digits, unseen writers | parameters | training "
        "| test ECE, raw -> calibrated | paper |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, spec in MODELS.items():
        if not spec.card_path.is_file():
            print(f"| {name} | not trained yet | | | | `{spec.train_command()}` | | {PAPER.get(name, '')} |")
            continue
        model_card = card.read(spec.card_path, spec.train_command())
        runs = model_card.runs()
        epochs, wall_seconds = model_card.training_length()
        seconds = [sum(epoch["epoch_time_s"] for epoch in run.history) for run in runs]
        speed = sum(run.images_per_s * s for run, s in zip(runs, seconds, strict=True)) / sum(seconds)
        print(
            f"| {name} | {accuracy_text(model_card)} | {model_card.test_set} | {pen_text(model_card)} "
            f"| {model_card.parameters:,} "
            f"| {epochs} epochs, {wall_seconds / 60:.0f} min, {speed:,.0f} images/s on {runs[-1].device} "
            f"| {calibration_text(model_card.calibration)} | {PAPER.get(name, '')} |"
        )
        # A run that a warm restart started from writes where the restart reads.
        for run, restart in itertools.pairwise(runs):
            commands.append(f"{run.command} --out-dir {Path(restart.init_from.weights).parent}")
        commands.append(runs[-1].command)
    print("\nThe commands that made them:\n\n```")
    print("\n".join(commands))
    print("```")


if __name__ == "__main__":
    main()

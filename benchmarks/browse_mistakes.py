"""Browsing a model's mistakes in the real window: the time from the click to the first mistake on show.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/browse_mistakes.py --data-dir ../shared/data

For every model with weights, in a fresh window (as after a restart): its test set is read, then
"Mistakes, surest first" is chosen and the clock runs until the browser shows the first mistake
(repainted). The same for a confusion-matrix cell (its largest off-diagonal count), one class, and
"Least confident first". Prints each time and whether the stored answers were used or the test set
had to be scored. Goal: <= 1 s from the click to the first image, for every model.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from event_loop import run_until

SCORING_S = 600  # where no answers are stored, scoring a test set on a CPU takes minutes


def first_shown(window, click: Callable[[], None], shown: Callable[[], bool]) -> float:
    """Seconds from the click until a picture the filters let through is on show and painted."""
    browser = window.browser
    start = time.perf_counter()
    click()
    run_until(
        lambda: browser.selection.probabilities is not None and browser.selection.current() is not None and shown(),
        SCORING_S,
    )
    browser.view.repaint()
    return time.perf_counter() - start


def measure(name: str, data_dir: Path) -> str:
    """Mistakes, a confusion cell and the least confident of model `name`, in a fresh window."""
    from app.actions import Tab
    from app.core.selection import Show
    from app.window import MainWindow
    from models.registry import MODELS

    spec, dataset = MODELS[name], MODELS[name].dataset.name
    window = MainWindow(device="cpu", model=name, data_dir=data_dir)
    window.resize(1200, 720)
    window.show()
    window.start()
    browser = window.browser
    run_until(lambda: name in window.classifiers and dataset in browser.panel.sets, SCORING_S)
    window.show_tab(Tab.BROWSE)
    run_until(lambda: window.session.questions.settled, SCORING_S)
    labels = browser.panel.sets[dataset].labels

    def wrong() -> bool:
        index = browser.selection.current()
        return browser.selection.probabilities[index].argmax() != labels[index]

    mistakes = first_shown(window, lambda: browser.filters.set_show(Show.MISTAKES), wrong)
    stored = window.classifiers[name].stored_answers(browser.test_set().fingerprint) is not None
    probabilities = window.session.answers_for(name, dataset)
    confusion = np.zeros((len(spec.classes),) * 2, int)
    np.add.at(confusion, (labels, probabilities.argmax(1)), 1)
    np.fill_diagonal(confusion, 0)
    true, predicted = (int(i) for i in np.unravel_index(confusion.argmax(), confusion.shape))
    browser.filters.set_show(Show.ALL, keep_class=False)
    cell = first_shown(
        window, lambda: window.browse_cell(name, true, predicted), lambda: browser.selection.filters.cell is not None
    )
    browser.filters.set_show(Show.ALL, keep_class=False)
    least = first_shown(window, lambda: browser.filters.set_show(Show.LEAST_CONFIDENT), lambda: True)
    window.close()
    return (
        f"{name}: mistakes {mistakes * 1000:.0f} ms ({int((probabilities.argmax(1) != labels).sum())} of "
        f"{len(labels)}), confusion cell {spec.classes[true]} taken for {spec.classes[predicted]} "
        f"{cell * 1000:.0f} ms, least confident {least * 1000:.0f} ms; "
        + ("stored answers" if stored else "the test set was scored")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from models.registry import available

    application = QApplication([])
    for name in available():
        print(measure(name, args.data_dir))
    application.quit()


if __name__ == "__main__":
    main()

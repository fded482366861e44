"""A model's answers for a whole test set, for the browser's filters: scored off the GUI thread,
kept in the session, cancelled when no longer wanted, handed to the browser when they arrive."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from app import tasks
from app.core.session import Session
from models.registry import MODELS

if TYPE_CHECKING:
    from app.browser import Browser
    from models.classifier import Classifier

log = logging.getLogger(__name__)
BATCH = 250


class TestSetScorer(QObject):
    """Scores one (model, test set) at a time, the one the browser's filters need.

    `scored` fires with a line for the status bar once the browser has the answers it waited for.
    """

    __test__ = False  # not a pytest test class, whatever its name
    scored = Signal(str)
    progress = Signal(str)  # a line for the status bar
    failed = Signal(str)

    def __init__(self, session: Session, browser: Browser, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.browser = browser
        self.task: tasks.Task | None = None
        self.wanted: tuple[str, str, object] | None = None  # (model, dataset, classifier) being scored

    @property
    def busy(self) -> bool:
        return self.task is not None

    def follow(self, classifiers: dict[str, Classifier]) -> None:
        """Score what the browser's filters need now, with the model picked for its set, or nothing."""
        dataset = self.browser.dataset
        name = self.session.picked_for(dataset)
        classifier = classifiers.get(name) if name and self.browser.needs_answers() else None
        known = self.session.answers_for(name, dataset)
        if classifier is None or known is None:
            self.browser.set_answers(known)  # None while new answers are being made
        self.want(classifier, dataset, self.browser.images() if classifier is not None else None)

    def want(self, classifier: Classifier | None, dataset: str, images: np.ndarray | None) -> None:
        """Make sure the answers of `classifier` for this test set are kept or on their way; None
        (or no images) when none are wanted. A job for anything else is cancelled."""
        key = (classifier.name, dataset, classifier) if classifier is not None and images is not None else None
        if self.task is not None and key == self.wanted:
            return  # still wanted: a tab switch or a refilled picker must not start it over
        self.cancel()
        if key is None or classifier is None or images is None:
            return
        if self.session.answers_for(classifier.name, dataset) is not None:
            self._hand_over(classifier.name, dataset)
            return
        self.wanted = key
        self._start(classifier, dataset, images)

    def _start(self, classifier: Classifier, dataset: str, images: np.ndarray) -> None:
        name, title = classifier.name, MODELS[classifier.name].title
        self.progress.emit(f"{title} is classifying all {len(images)} test images…")

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> np.ndarray | None:
            answers = []
            for start in range(0, len(images), BATCH):
                if cancelled():
                    return None
                answers.append(classifier.predict(list(images[start : start + BATCH])))
                progress(min(start + BATCH, len(images)), len(images))
            return np.concatenate(answers)

        def done(probabilities: np.ndarray | None) -> None:
            if probabilities is None:
                return
            self.session.scored(name, dataset, probabilities)  # kept, even if no longer asked for
            if task.cancelled:
                return
            self.task = self.wanted = None
            self._hand_over(name, dataset)

        def failed(message: str) -> None:
            if not task.cancelled:
                self.task = self.wanted = None
                self.failed.emit(f"Could not classify the test set: {message}")

        task = self.task = tasks.start(
            job,
            done,
            failed,
            self,
            lambda count, total: self.progress.emit(f"{title} is classifying the test set: {count} of {total}…"),
        )

    def _hand_over(self, name: str, dataset: str) -> None:
        """Give the browser the answers it waits for, if it still does."""
        probabilities = self.session.answers_for(name, dataset)
        if probabilities is None or self.browser.dataset != dataset or self.session.picked_for(dataset) != name:
            return
        self.browser.set_answers(probabilities)
        labels = self.browser.selection.labels
        wrong = int((probabilities.argmax(axis=1) != labels).sum()) if labels is not None else 0
        self.scored.emit(f"{MODELS[name].title} gets {wrong} of {len(probabilities)} test images wrong.")

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = self.wanted = None

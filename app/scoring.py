"""The models' answers for a whole test set, for the browser's filters: read from what the
evaluation stored beside the weights where it evaluated this very test set, else scored off the
GUI thread; kept in the session, handed to the browser when all it needs are there."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Signal

from app import tasks
from app.core.session import Session
from models import test_answers
from models.errors import WeightsError
from models.registry import MODELS

if TYPE_CHECKING:
    from app.browser import Browser
    from models.classifier import Classifier
    from models.datasets import ImageSet

log = logging.getLogger(__name__)
BATCH = 250


class TestSetScorer(QObject):
    """Gives the browser the answers its filters need: the picked model's, or every model's of the
    set where the filters compare them; scores one model at a time where none are stored.

    `scored` fires once the browser has the answers it waited for; `said` with a line about
    them for the browser (what is being scored, how many mistakes), empty when there is none.
    """

    __test__ = False  # not a pytest test class, whatever its name
    scored = Signal()
    said = Signal(str)
    failed = Signal(str)

    def __init__(self, session: Session, browser: Browser, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.browser = browser
        self.classifiers: dict[str, Classifier] = {}
        self.task: tasks.Task | None = None
        self.wanted: tuple[str, str, object] | None = None  # (model, dataset, classifier) being scored

    @property
    def busy(self) -> bool:
        return self.task is not None

    def follow(self, classifiers: dict[str, Classifier]) -> None:
        """Hand the browser what its filters need now, scoring in the background what is missing."""
        self.classifiers = classifiers
        dataset, test_set = self.browser.dataset, self.browser.test_set()
        names = self._needed(dataset) if test_set is not None else []
        picked = self.session.picked_for(dataset)
        if test_set is not None:
            for name in names or ([picked] if picked in classifiers else []):
                self._recall(name, dataset, test_set)
        missing = [name for name in names if self.session.answers_for(name, dataset) is None]
        if not missing:
            self.cancel()
            # Answers at hand are handed over even where no filter needs them: the icons show them.
            at_hand = test_set is not None and self.session.answers_for(picked, dataset) is not None
            self._hand_over(names or ([picked] if at_hand and picked else []), dataset)
            return
        self.browser.set_answers(None)  # until every answer needed is there
        classifier = classifiers[missing[0]]
        key = (classifier.name, dataset, classifier)
        if self.task is not None and key == self.wanted:
            return  # still wanted: a tab switch or a refilled picker must not start it over
        self.cancel()
        assert test_set is not None  # names are only needed for a test set on show
        self.wanted = key
        self._start(classifier, dataset, test_set)

    def _needed(self, dataset: str) -> list[str]:
        """The ready models whose answers the filters need: the picked one first."""
        picked = self.session.picked_for(dataset)
        if picked not in self.classifiers or not self.browser.needs_answers():
            return []
        others = self.session.offered_for(dataset) if self.browser.selection.filters.need_every_model else []
        return [picked] + [name for name in others if name != picked and name in self.classifiers]

    def _recall(self, name: str, dataset: str, test_set: ImageSet) -> None:
        """Take the answers the evaluation stored, where it evaluated this very test set."""
        if self.session.answers_for(name, dataset) is None:
            stored = self.classifiers[name].stored_answers(test_set.fingerprint)
            if stored is not None:  # the fingerprint covers the set's size
                self.session.scored(name, dataset, stored)

    def _start(self, classifier: Classifier, dataset: str, test_set: ImageSet) -> None:
        name, title, images = classifier.name, MODELS[classifier.name].title, test_set.images
        why = (
            f"The test set on disk is not the one {title} was evaluated on, so it"
            if classifier.test_answers is not None
            else title
        )
        self._say(dataset, f"{why} is classifying all {len(images)} test images…")

        def job(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> np.ndarray | None:
            # Scored once per machine: a test set no evaluation saw (CIFAR-10's official batches,
            # where the models were evaluated on the JPEG copy) is not scored again after a restart.
            kept = test_answers.scored_path(name, classifier.weights_digest, test_set.fingerprint)
            try:
                found = test_answers.load(kept, len(classifier.classes))
            except WeightsError:
                log.warning("the answers kept in %s cannot be used; scoring again", kept, exc_info=True)
                found = None
            if found is not None and found.for_test_set(test_set.fingerprint) is not None:
                return found.probabilities
            answers = []
            for start in range(0, len(images), BATCH):
                if cancelled():
                    return None
                answers.append(classifier.predict(list(images[start : start + BATCH])))
                progress(min(start + BATCH, len(images)), len(images))
            scored = np.concatenate(answers)
            try:
                test_answers.save(kept, scored, test_set.fingerprint)
            except OSError:
                log.warning("could not keep the answers in %s", kept, exc_info=True)
            return scored

        def done(probabilities: np.ndarray | None) -> None:
            if probabilities is None:
                return
            self.session.scored(name, dataset, probabilities)  # kept, even if no longer asked for
            if task.cancelled:
                return
            self.task = self.wanted = None
            self.follow(self.classifiers)  # the next model needed, or the hand-over

        def failed(message: str) -> None:
            if not task.cancelled:
                self.task = self.wanted = None
                self._say(dataset, "")
                self.failed.emit(f"Could not classify the test set: {message}")

        task = self.task = tasks.start(
            job,
            done,
            failed,
            self,
            lambda count, total: self._say(dataset, f"{title} is classifying the test set: {count} of {total}…"),
        )

    def _hand_over(self, names: list[str], dataset: str) -> None:
        """Give the browser the answers it waits for (none where its filters need none)."""
        if not names:
            self.browser.set_answers(None)
            self._say(dataset, "")
            return
        picked, *others = (self.session.answers_for(name, dataset) for name in names)
        assert picked is not None  # _hand_over is called once every answer is known
        self.browser.set_answers(picked, [answers for answers in others if answers is not None])
        labels = self.browser.selection.labels
        wrong = int((picked.argmax(axis=1) != labels).sum()) if labels is not None else 0
        line = f"{MODELS[names[0]].title} gets {wrong} of {len(picked)} test images wrong."
        if self.browser.selection.filters.need_every_model and len(names) < 2:
            line = f"{MODELS[names[0]].title} is the only model of this set loaded: there is none to disagree with."
        self._say(dataset, line)
        self.scored.emit()

    def _say(self, dataset: str, line: str) -> None:
        if self.browser.dataset == dataset:  # a job that goes on while another set is browsed keeps quiet
            self.said.emit(line)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = self.wanted = None

"""Which images of a collection are on offer, and which one is on show: filters and navigation.

Pure numpy. A collection is a test set (with labels, and perhaps a model's answers for every
image) or the user's own pictures (neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from app.core.events import Event


class Show(Enum):
    """Which of the images the class filter lets through are offered, in which order."""

    ALL = "All images"
    MISTAKES = "Mistakes, surest first"
    LEAST_CONFIDENT = "Least confident first"
    DISAGREE = "Where the models disagree"


@dataclass(frozen=True)
class Filters:
    true_class: int | None = None  # only images of this true class
    show: Show = Show.ALL
    cell: tuple[int, int] | None = None  # (true, predicted): one cell of a confusion matrix

    @property
    def need_answers(self) -> bool:
        """Whether these filters need the model's answers for the whole collection."""
        return self.show is not Show.ALL or self.cell is not None

    @property
    def ordered(self) -> bool:
        """Whether the images are offered in an order of their own (surest mistakes, least confident
        first) rather than by index: an order asked for starts at its head."""
        return self.show in (Show.MISTAKES, Show.LEAST_CONFIDENT)

    @property
    def need_every_model(self) -> bool:
        """Whether they need the answers of every model of the collection's dataset, not only the picked one's."""
        return self.show is Show.DISAGREE


NO_FILTERS = Filters()


def select(
    count: int,
    labels: np.ndarray | None,
    probabilities: np.ndarray | None,
    filters: Filters,
    others: Sequence[np.ndarray] = (),
) -> np.ndarray:
    """The indices of the images the filters let through, in the order they are offered.

    `probabilities` are the picked model's answers, `others` those of the other models of the
    dataset. Without labels nothing can be filtered; without answers, only by true class.
    """
    keep = np.arange(count)
    if labels is None:
        return keep
    true_class = filters.cell[0] if filters.cell is not None else filters.true_class
    if true_class is not None:
        keep = keep[labels[keep] == true_class]
    if probabilities is None:
        return keep
    predictions = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    if filters.show is Show.MISTAKES:
        keep = keep[predictions[keep] != labels[keep]]
        keep = keep[np.argsort(-confidence[keep], kind="stable")]  # the surest mistakes first
    elif filters.show is Show.LEAST_CONFIDENT:
        keep = keep[np.argsort(confidence[keep], kind="stable")]
    elif filters.show is Show.DISAGREE:
        differs = np.zeros(count, dtype=bool)
        for other in others:
            differs |= other.argmax(axis=1) != predictions
        keep = keep[differs[keep]]
    if filters.cell is not None:
        keep = keep[predictions[keep] == filters.cell[1]]
    return keep


class Selection:
    """The images on offer and the position of the one on show.

    `changed` fires after every change: with True where the images on offer changed, with False
    where only the position moved.
    """

    def __init__(self) -> None:
        self.changed: Event[bool] = Event()
        self.count = 0
        self.labels: np.ndarray | None = None
        self.probabilities: np.ndarray | None = None  # the picked model's (N, classes) answers, for the filters
        self.others: list[np.ndarray] = []  # the other models' answers, where the filters compare models
        self.filters = NO_FILTERS
        self.indices = np.zeros(0, dtype=np.int64)
        self.position = 0

    def reset(self, count: int, labels: np.ndarray | None = None) -> None:
        """Another collection: no filters, no answers, its first image on show."""
        self.count, self.labels = count, labels
        self.probabilities, self.others, self.filters = None, [], NO_FILTERS
        self.indices = np.zeros(0, dtype=np.int64)
        self._refilter()

    def current(self) -> int | None:
        """The index in the collection of the image on show; None when nothing is on offer."""
        return int(self.indices[self.position]) if len(self.indices) else None

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self._refilter(keep=not filters.ordered)

    def filter(self, **changes: object) -> None:
        """Change some filters, keeping the others: filter(show=Show.MISTAKES)."""
        self.set_filters(replace(self.filters, **changes))  # type: ignore[arg-type]

    def set_answers(self, probabilities: np.ndarray | None, others: Sequence[np.ndarray] = ()) -> None:
        """The picked model's (N, classes) answers for the whole collection, or None, and those of
        the other models where the filters compare them."""
        for answers in (probabilities, *others):
            if answers is not None and len(answers) != self.count:
                raise ValueError(f"{len(answers)} answers for a collection of {self.count} images")
        self.probabilities, self.others = probabilities, list(others)
        self._refilter(keep=not self.filters.ordered)  # another model's surest mistakes start at its surest

    def _refilter(self, keep: bool = True) -> None:
        """Offer what the filters let through; with `keep`, the image on show stays where it still
        is, else the first one offered is on show. (Kept, the surest mistake asked for was hidden
        behind a picture at 607 of 1,604.)"""
        current = self.current() if keep else None
        self.indices = select(self.count, self.labels, self.probabilities, self.filters, self.others)
        where = np.flatnonzero(self.indices == current) if current is not None else np.zeros(0, int)
        self.position = int(where[0]) if len(where) else 0
        self.changed.emit(True)

    def move_to(self, position: int) -> None:
        """Show the image at this position of the offer, wrapping around at either end."""
        if len(self.indices):
            self.position = position % len(self.indices)
            self.changed.emit(False)

    def step(self, delta: int) -> None:
        self.move_to(self.position + delta)

    def pick_random(self, rng: np.random.Generator) -> None:
        if len(self.indices):
            self.move_to(int(rng.integers(len(self.indices))))

    def go_to(self, index: int) -> bool:
        """Show image `index` of the collection, dropping the filters that hide it; False if there is none."""
        if not 0 <= index < self.count:
            return False
        if index not in self.indices:
            self.filters = NO_FILTERS
            self.indices = select(self.count, self.labels, self.probabilities, self.filters, self.others)
            self.position = index  # with no filters, the image at position i is image i
            self.changed.emit(True)
        else:
            self.move_to(int(np.flatnonzero(self.indices == index)[0]))
        return True

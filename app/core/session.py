"""What the window shows and asks for: the input on show, the models, the question, the answers.

The window draws this state and turns widget events into calls here; the session decides, for
instance, which models answer, what they are asked and whether an answer is still news.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

import numpy as np

from app.core.events import Event
from models.answering import Answer, Loaded, Request
from models.card import Card
from models.knobs import Settings
from models.preprocess import ImageLike
from models.registry import DATASETS, DRAWN, MODELS, Preparation, for_dataset
from models.strokes import Drawing


class InsidePage(Enum):
    """What the Inside the Network dock shows, and so what the answers carry for it."""

    LAYERS = "layers"
    MAP = "map"
    SIDE_BY_SIDE = "side by side"


class NewestWins:
    """At most one question in flight, and only answers newer than the one on show are shown.

    Every change of the input raises the version. While the models work on a question, new
    input only raises the version; the newest input is asked about as soon as the answer is
    back, so nobody prepares pictures that nobody will look at.
    """

    def __init__(self) -> None:
        self.version = 0  # counts changes of the input; questions carry the version they ask about
        self.in_flight = False
        self.last_shown = 0  # the version of the answer on show

    def changed(self) -> bool:
        """The input changed; True where a question can go out now."""
        self.version += 1
        return not self.in_flight

    def asked(self) -> int:
        """A question goes out about the newest input: its ident."""
        self.in_flight = True
        return self.version

    def nothing_to_ask(self) -> None:
        """No question for the newest input (a blank canvas, no model): any answer on its way is stale."""
        self.last_shown = self.version

    def received(self, ident: int) -> bool:
        """The answer to question `ident` is back; True where the input has moved on and must be asked about."""
        self.in_flight = False
        return ident < self.version

    def worth_showing(self, ident: int) -> bool:
        """Whether the answer to `ident` is newer than the one on show; it is then the one on show."""
        if ident <= self.last_shown:
            return False
        self.last_shown = ident
        return True

    @property
    def settled(self) -> bool:
        """The newest input's answer is on show and no question is out."""
        return self.last_shown == self.version and not self.in_flight


class Session:
    """The state behind the window.

    Events: `offer_changed` (the models offered for the input on show, or the dataset, changed),
    `choice_changed` (the model picked for the dataset on show), `question_changed` (what the
    models are asked: compare, explain, its class, calibrated, the lab's knobs), and `answered` (an answer to show).
    """

    def __init__(self, remembered: Mapping[str, str] | None = None) -> None:
        self.offer_changed: Event[None] = Event()
        self.choice_changed: Event[str | None] = Event()
        self.question_changed: Event[None] = Event()
        self.answered: Event[Answer] = Event()
        self.questions = NewestWins()
        self.drawing = True  # the Draw tab is on show, else the Browse tab
        self.browsed = next(iter(DATASETS))  # the dataset of the pictures on the Browse tab
        self.cards: dict[str, Card] = {}  # the models ready to answer
        self.starting = True  # until the first load has ended: no model yet means loading, not none
        self.device = "…"
        self.chosen: dict[str, str] = dict(remembered or {})  # dataset -> the model last chosen for it
        self.compare = False
        self.explaining = False
        self.target: int | None = None  # the class to explain, chosen by clicking its bar
        self.calibrated = False
        self.occluding = False  # heat maps by occlusion rather than each model's own method
        self.heat_asked = 0  # the ident of the newest question that asked for a heat map
        self.inside_page: InsidePage | None = None  # what the Inside the Network dock shows; None while closed
        self.knobs = Settings()  # the lab's changes to the input (models.perturb); neutral leaves it as it is
        self.scores: dict[tuple[str, str], np.ndarray] = {}  # (model, dataset) -> answers for its test set
        self.model_input: np.ndarray | None = None  # what the models saw for the answer on show
        self.answer: Answer | None = None  # the answer on show

    # the input on show
    @property
    def dataset(self) -> str:
        """The dataset whose models read the input on show."""
        return DRAWN.name if self.drawing else self.browsed

    def show_input(self, drawing: bool, browsed: str | None = None) -> None:
        """The Draw or the Browse tab is on show, and the dataset the browser shows."""
        before = (self.drawing, self.browsed)
        self.drawing = drawing
        self.browsed = browsed or self.browsed
        self.questions.nothing_to_ask()  # an answer still on its way is for the other tab or set
        if (self.drawing, self.browsed) != before:
            self._offer_changed()

    # the models
    def offered(self) -> list[str]:
        """The ready models of the dataset on show, in the registry's order."""
        return self.offered_for(self.dataset)

    def offered_for(self, dataset: str) -> list[str]:
        """The ready models of `dataset`, in the registry's order."""
        return [name for name in for_dataset(dataset) if name in self.cards]

    def load_order(self, names: list[str]) -> list[str]:
        """The order to load models in: the one that will answer first, then its dataset's, then the rest."""
        chosen = self.chosen.get(self.dataset)
        return sorted(names, key=lambda name: (MODELS[name].dataset.name != self.dataset, name != chosen))

    def picked(self) -> str | None:
        """The model chosen for the dataset on show, or its first ready model while that one is not."""
        return self.picked_for(self.dataset)

    def picked_for(self, dataset: str) -> str | None:
        """The model that answers for `dataset` when it is on show."""
        offered = self.offered_for(dataset)
        chosen = self.chosen.get(dataset)
        return chosen if chosen in offered else (offered[0] if offered else None)

    def choose(self, name: str) -> None:
        """The user picked `name` for its dataset."""
        self.chosen[MODELS[name].dataset.name] = name
        self.target = None
        self.choice_changed.emit(self.picked())

    def selected(self) -> list[str]:
        """The models that answer: every offered one in a comparison, else the picked one."""
        if self.compare:
            return self.offered()
        picked = self.picked()
        return [picked] if picked else []

    def model_ready(self, card: Card) -> None:
        """A model can answer now (during a load, or after a move to another device)."""
        picked = self.picked()
        self.cards[card.model] = card
        self.scores = {key: value for key, value in self.scores.items() if key[0] != card.model}
        if MODELS[card.model].dataset.name == self.dataset:
            self.offer_changed.emit(None)
            if self.picked() != picked:
                self.choice_changed.emit(self.picked())

    def load_ended(self, loaded: Loaded) -> None:
        """Every model has been tried: those in `loaded.names` are the ones ready."""
        self.starting = False
        self.device = loaded.device
        self.cards = {name: card for name, card in self.cards.items() if name in loaded.names}
        self._offer_changed()

    def load_failed(self) -> None:
        """A load changed nothing; at launch, that means no models at all."""
        if self.starting:
            self.starting = False
            self._offer_changed()

    def _offer_changed(self) -> None:
        self.target = None
        self.offer_changed.emit(None)
        self.choice_changed.emit(self.picked())

    # the question
    def set_compare(self, on: bool) -> None:
        self.compare = on
        self.question_changed.emit(None)

    def set_explaining(self, on: bool) -> None:
        self.explaining, self.target = on, None
        self.question_changed.emit(None)

    def set_calibrated(self, on: bool) -> None:
        self.calibrated = on
        self.question_changed.emit(None)

    def set_occluding(self, on: bool) -> None:
        changed, self.occluding = on != self.occluding, on
        if changed and self.explaining:
            self.question_changed.emit(None)

    def set_inside_page(self, page: InsidePage | None) -> None:
        """The Inside the Network dock turned to `page`, or closed (None)."""
        if page != self.inside_page:
            self.inside_page = page
            self.question_changed.emit(None)

    def set_knobs(self, knobs: Settings) -> None:
        """The lab's sliders moved: the input is asked about again, changed by them."""
        if knobs != self.knobs:
            self.knobs = knobs
            self.question_changed.emit(None)

    def explain_class(self, index: int) -> None:
        """Explain class `index` instead of the top one (a click on its bar), while explaining."""
        if self.explaining:
            self.target = index
            self.question_changed.emit(None)

    def request(
        self,
        image: ImageLike | Drawing,
        preparation: Preparation,
        true_label: int | None = None,
        pen_down: bool = False,
        heat_pass: bool = False,
    ) -> Request | None:
        """The question about the newest input; None (nothing to ask) where no model would answer.

        A heat map costs a backward pass: while the pen moves, the bars come first. By occlusion
        it costs some 170 answers, seconds for a photo model: the bars come first always, and the
        heat map in a second question (`heat_pass`) once they are on show (heat_to_follow). In a
        comparison it is the picked model's, the one whose details show under the chart, and
        every model's where the Inside the Network dock shows them side by side. The answers carry
        only what the dock's page on show draws; the layers and the nearest test images, too, wait
        for the pen to lift, while the place on the map follows it.
        """
        names = self.selected()
        if not names:
            self.questions.nothing_to_ask()
            return None
        heat_now = not pen_down and (heat_pass or not self.occluding)
        explain = self.picked() if self.explaining and heat_now else None
        page, lifted = self.inside_page, not pen_down
        ident = self.questions.asked()
        if explain is not None:
            self.heat_asked = ident
        questions = self.questions
        return Request(
            ident,
            image,
            tuple(names),
            preparation,
            true_label,
            self.calibrated,
            explain,
            self.target,
            self.knobs,
            self.occluding,
            looked_into=self.picked() if page is not None else None,
            place=page is InsidePage.MAP,
            neighbours=page is InsidePage.MAP and lifted,
            layers=page is InsidePage.LAYERS and lifted,
            every_heat=explain is not None and self.compare and page is InsidePage.SIDE_BY_SIDE,
            # Read on the inference thread: an int, set on this one.
            superseded=lambda: questions.version > ident,
        )

    def receive(self, answer: Answer) -> bool:
        """An answer is back; True where the input moved on meanwhile and must be asked about.

        Call show_answer(answer) after asking: an answer is shown only while it is the newest.
        """
        return self.questions.received(answer.ident)

    def heat_to_follow(self, answer: Answer) -> bool:
        """Whether the heat map of the answer on show is still to be asked for: made by occlusion,
        it waits until the bars of a settled input are on show."""
        return (
            self.explaining
            and self.occluding
            and answer is self.answer
            and answer.ident > self.heat_asked
            and self.picked() in answer.probabilities
            and self.questions.settled
        )

    def show_answer(self, answer: Answer) -> None:
        if self.questions.worth_showing(answer.ident):
            self.model_input, self.answer = answer.model_input, answer
            self.answered.emit(answer)

    def nothing_to_show(self) -> None:
        """The input is gone (a blank canvas, no model): nothing is on show, answers on their way are stale."""
        self.questions.nothing_to_ask()
        self.model_input = self.answer = None

    def top_class(self) -> str | None:
        """The class the picked model gives the input on show; None while nothing is on show."""
        picked = self.picked()
        if self.answer is None or picked not in self.answer.probabilities:
            return None
        return MODELS[picked].classes[int(self.answer.probabilities[picked].argmax())]

    def note(self, answer: Answer) -> str:
        """The lines under the chart: which probabilities are shown (a model without a fitted
        temperature says so, rather than claim a temperature of 1), and what the heat map explains."""
        lines = [self._probabilities_note(answer)]
        if answer.explained is not None and answer.target is not None:
            spec = MODELS[answer.explained]
            looked = "what covering each part costs" if answer.occlusion else f"where {spec.title} looked"
            lines.append(f"heat map: {looked} for “{spec.classes[answer.target]}”")
        return "\n".join(lines)

    def _probabilities_note(self, answer: Answer) -> str:
        if not answer.temperatures:
            return "raw probabilities"
        names = [name for name in answer.probabilities if name in answer.temperatures]
        fitted = [name for name in names if name not in self.cards or self.cards[name].calibration.fitted]
        unfitted = ", ".join(MODELS[name].title for name in names if name not in fitted)
        if not fitted:
            return f"raw probabilities: {unfitted} has no fitted temperature"
        if len(names) == 1:
            temperatures = f"{answer.temperatures[fitted[0]]:.2f}"
        else:
            temperatures = ", ".join(f"{answer.temperatures[name]:.2f} ({MODELS[name].title})" for name in fitted)
        note = f"calibrated: temperature {temperatures}"
        return note + (f"; {unfitted} has none" if unfitted else "")

    # test-set answers, for the browser's filters
    def answers_for(self, name: str | None, dataset: str) -> np.ndarray | None:
        return self.scores.get((name, dataset)) if name else None

    def scored(self, name: str, dataset: str, probabilities: np.ndarray) -> None:
        self.scores[(name, dataset)] = probabilities

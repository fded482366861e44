"""Questions to the loaded models and their answers: a picture, the models to ask, what to explain.

Imports no torch itself: the classifiers it holds were loaded by models.load, which does. The
app's inference thread owns one Answerer. Its classifiers are shared: the app's thread pool sweeps,
attacks and scores test sets with them while it answers, so whatever a forward pass records by
hooks keeps only what passes on its own thread (models/explain.py, models/features.py).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, cast

import numpy as np

import models
from models import device as devices
from models.errors import Abandoned, ModelError
from models.knobs import Settings
from models.preprocess import ImageLike, prepare, to_native
from models.registry import Preparation
from models.strokes import Drawing, FieldPlacement

if TYPE_CHECKING:
    import torch

    from models.classifier import Classifier, Reading
    from models.layers import Layers

log = logging.getLogger(__name__)

NEIGHBOURS = 8  # the test images nearest to the input that the map's view shows


@dataclass(frozen=True)
class Request:
    """A picture to classify with some models; `ident` orders requests, newest highest."""

    ident: int
    image: ImageLike | Drawing
    models: tuple[str, ...]
    preparation: Preparation = Preparation.NONE
    true_label: int | None = None
    calibrated: bool = False  # divide the logits by each model's fitted temperature
    explain: str | None = None  # the model whose heat map to make (where it looked); None for none
    target: int | None = None  # the class to explain; None for the top class
    knobs: Settings = Settings()  # changes to the input before the models see it (models.perturb)
    occlusion: bool = False  # the heat map by occlusion, alike for every model, not the model's own method
    # What the Inside the Network dock shows, for the model it looks into (None while it is closed):
    looked_into: str | None = None
    place: bool = False  # the input's place on that model's map of its test set
    neighbours: bool = False  # that model's test images nearest to the input
    layers: bool = False  # the input on its way through that model's layers
    every_heat: bool = False  # with `explain`: every model's heat map, for a side-by-side comparison
    # Says whether a newer question has come: a heat map by occlusion is then given up half made.
    superseded: Callable[[], bool] | None = None


@dataclass
class Answer:
    ident: int
    probabilities: dict[str, np.ndarray]  # model name -> (classes,) probabilities
    # model name -> the fitted temperature its logits were divided by; empty for raw probabilities
    temperatures: dict[str, float] = field(default_factory=dict)
    model_input: np.ndarray | None = None  # what the models saw, for the preview
    unchanged_input: np.ndarray | None = None  # the model input before the knobs changed it
    true_label: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    # The models for which the input is unlike their training data (their unfamiliarity score over
    # their card's threshold); models without a fitted score are never in it.
    unfamiliar: set[str] = field(default_factory=set)
    heat: np.ndarray | None = None  # where a model looked, at the model input's size, 0-1
    explained: str | None = None  # the model the heat map belongs to
    target: int | None = None  # the class the heat map explains
    occlusion: bool = False  # the heat map was made by occlusion
    placement: FieldPlacement | None = None  # for a drawing: where the field lies on the canvas
    # Whether the model input lies where the input does: no lab knob turned, shifted or scaled it,
    # so that a heat map over the drawing or the picture covers what it was made of.
    in_place: bool = True
    heats: dict[str, np.ndarray] = field(default_factory=dict)  # every model's heat map, where asked for
    looked_into: str | None = None  # the model the place, the neighbours and the layers belong to
    place: np.ndarray | None = None  # (2,) the input's place on its map
    neighbours: np.ndarray | None = None  # its nearest test images, nearest first
    layers: Layers | None = None  # the input on its way through its layers


@dataclass(frozen=True)
class Loaded:
    """What a load ended with: the models now in use, where, and what could not be loaded."""

    names: list[str]
    device: str
    errors: dict[str, str]  # model name -> message for the user
    devices: list[str]  # the kinds of device that could be chosen


def say(error: Exception) -> str:
    """An error as one line for the user; ModelErrors are written for users already."""
    return str(error) or traceback.format_exception_only(error)[-1].strip()


class Loading:
    """Loading models onto a device one at a time, so that requests can be answered in between.

    With no model loaded yet, each joins the answerer as soon as it is loaded, and the first can
    answer while the others load. A move to another device is all or nothing: where the device
    cannot hold a model that works where it is now (out of memory, a driver error), every model
    stays where it was and finish() says why. A model that fails otherwise is left out and
    reported.
    """

    def __init__(self, answerer: Answerer, names: Iterable[str], device: str | torch.device | None) -> None:
        self.answerer = answerer
        self.device = devices.resolve(device)  # DeviceError names the devices there are
        self.pending = list(names)
        self.fresh: dict[str, Classifier] = {}
        self.errors: dict[str, str] = {}
        self.joining = not answerer.classifiers

    @property
    def done(self) -> bool:
        return not self.pending

    def step(self) -> Classifier | None:
        """Load the next model; it is returned where it can answer already."""
        name = self.pending.pop(0)
        try:
            classifier = self.fresh[name] = models.load(name, self.device)
        except Exception as error:  # noqa: BLE001 - a model that fails is reported, the rest load
            log.warning("could not load %s", name, exc_info=True)
            self.errors[name] = say(error) if isinstance(error, ModelError) else f"{name} could not be loaded: {error}"
            return None
        if not self.joining:
            return None
        self.answerer.classifiers[name] = classifier
        log.info("ready: %s on %s", name, self.device)
        return classifier

    def finish(self) -> Loaded:
        """The models in use once every one has been tried; ModelError where a move failed."""
        lost = [name for name in self.answerer.classifiers if name in self.errors]
        if lost:
            raise ModelError(" ".join(self.errors[name] for name in lost))
        if not self.joining:
            self.answerer.classifiers = self.fresh
            for name in self.fresh:
                log.info("ready: %s on %s", name, self.device)
        log.info("all models loaded: %s on %s", ", ".join(sorted(self.fresh)) or "none", self.device)
        return Loaded(sorted(self.fresh), str(self.device), self.errors, devices.available())


def _perturbed(picture: np.ndarray, knobs: Settings, fill: float) -> np.ndarray:
    from models.perturb import perturbed  # torch: this module is imported before torch has loaded

    return perturbed(picture, [knobs], fill=fill)[0]


class Answerer:
    """The loaded classifiers, and the answering of requests with them.

    Models of a comparison run side by side on `parallel` threads where there are cores for it
    (each forward pass releases the GIL); with one, they run in the calling thread.
    """

    def __init__(self, parallel: int = 1) -> None:
        self.classifiers: dict[str, Classifier] = {}
        self.parallel = parallel
        self.pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="model")

    def answer(self, request: Request) -> Answer:
        """The answer to a request; every failure is in its `errors`, never raised."""
        try:
            return self._answer(request)
        except Exception as error:  # noqa: BLE001 - without an answer the window would wait for ever
            log.exception("no answer for request %d", request.ident)
            return Answer(request.ident, {}, errors={"answer": f"No answer: {say(error)}"})

    def _answer(self, request: Request) -> Answer:
        names = [name for name in request.models if name in self.classifiers]
        if not names:
            return Answer(request.ident, {}, errors={"models": "No model for this input is loaded."})
        try:
            image, placement = prepare(request.image, request.preparation)
            unchanged = to_native(image, self.classifiers[names[0]].spec.dataset)
            fill = self.classifiers[names[0]].fill
            seen = unchanged if request.knobs.neutral else _perturbed(unchanged, request.knobs, fill)
        except Exception as error:  # noqa: BLE001
            log.warning("could not prepare the input", exc_info=True)
            return Answer(request.ident, {}, errors={"input": say(error)})
        result = Answer(
            request.ident,
            {},
            model_input=seen,
            unchanged_input=unchanged,
            true_label=request.true_label,
            placement=placement,
            in_place=request.knobs.in_place,
        )

        def read(name: str) -> Reading:
            return self.classifiers[name].read([seen], calibrated=request.calibrated)

        outcomes: dict[str, Callable[[], Reading]]
        if len(names) > 1 and self.parallel > 1:
            outcomes = {name: self.pool.submit(read, name).result for name in names}
        else:
            outcomes = {name: partial(read, name) for name in names}
        features: dict[str, np.ndarray] = {}
        for name, outcome in outcomes.items():
            try:
                reading = outcome()
            except Exception as error:  # noqa: BLE001
                log.warning("%s could not answer", name, exc_info=True)
                result.errors[name] = say(error)
                continue
            result.probabilities[name], features[name] = reading.probabilities[0], reading.features[0]
            if reading.unfamiliar is not None and reading.unfamiliar[0]:
                result.unfamiliar.add(name)
        if request.calibrated:
            result.temperatures = {name: self.classifiers[name].temperature for name in result.probabilities}
        if request.explain is not None and request.explain in result.probabilities:
            self._explain(request, seen, result)
        if request.looked_into in features:
            self._look_inside(request, seen, features[request.looked_into], result)
        return result

    def _explain(self, request: Request, seen: np.ndarray, result: Answer) -> None:
        """The heat map of the model asked for, and where asked, every other model's beside it."""
        explained = cast(str, request.explain)
        target = request.target if request.target is not None else int(result.probabilities[explained].argmax())
        others = [name for name in result.probabilities if name != explained] if request.every_heat else []
        for name in [explained, *others]:
            classifier = self.classifiers[name]
            # A class chosen on the explained model's bars; the others explain their own answer.
            aim = target if name == explained else int(result.probabilities[name].argmax())
            try:
                if request.occlusion:
                    heat = classifier.occlusion(seen, aim, request.superseded)
                else:
                    heat = classifier.explain(seen, aim)
            except Abandoned:
                log.info("%s's heat map was given up for a newer question", name)
                return
            except Exception as error:  # noqa: BLE001
                log.warning("%s could not explain its answer", name, exc_info=True)
                result.errors["explain"] = f"No explanation: {say(error)}"
                continue
            if request.every_heat:
                result.heats[name] = heat
            if name == explained:
                result.heat, result.explained, result.target, result.occlusion = heat, name, aim, request.occlusion

    def _look_inside(self, request: Request, seen: np.ndarray, features: np.ndarray, result: Answer) -> None:
        """What the Inside the Network dock asked of the model it looks into."""
        name = cast(str, request.looked_into)
        classifier = self.classifiers[name]
        result.looked_into = name
        try:
            data_map = classifier.data_map
            if data_map is not None and request.place:
                result.place = data_map.place(features[None])[0]
            if data_map is not None and request.neighbours:
                result.neighbours = data_map.neighbours(features, NEIGHBOURS)[0]
            if request.layers:
                result.layers = classifier.layers(seen)
        except Exception as error:  # noqa: BLE001
            log.warning("%s could not show its insides", name, exc_info=True)
            result.errors["inside"] = f"Nothing to show inside {name}: {say(error)}"

    def trace(self, name: str) -> None:
        """Trace one model for single pictures (see Classifier.trace); a model gone meanwhile is skipped."""
        classifier = self.classifiers.get(name)
        if classifier is not None:
            classifier.trace()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

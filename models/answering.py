"""Questions to the loaded models and their answers: a picture, the models to ask, what to explain.

Imports no torch itself: the classifiers it holds were loaded by models.load, which does. The
app's inference thread owns one Answerer; nothing else touches its classifiers while it answers.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

import models
from models import device as devices
from models.errors import ModelError
from models.knobs import Settings
from models.preprocess import ImageLike, prepare, to_native
from models.registry import Preparation
from models.strokes import Drawing, FieldPlacement

if TYPE_CHECKING:
    import torch

    from models.classifier import Classifier

log = logging.getLogger(__name__)


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
        )

        def predict(name: str) -> tuple[np.ndarray, bool]:
            classifier = self.classifiers[name]
            probabilities, scores = classifier.read([seen], calibrated=request.calibrated)
            threshold = classifier.unfamiliarity_threshold
            return probabilities[0], scores is not None and threshold is not None and bool(scores[0] > threshold)

        outcomes: dict[str, Callable[[], tuple[np.ndarray, bool]]]
        if len(names) > 1 and self.parallel > 1:
            outcomes = {name: self.pool.submit(predict, name).result for name in names}
        else:
            outcomes = {name: partial(predict, name) for name in names}
        for name, outcome in outcomes.items():
            try:
                result.probabilities[name], unfamiliar = outcome()
                if unfamiliar:
                    result.unfamiliar.add(name)
            except Exception as error:  # noqa: BLE001
                log.warning("%s could not answer", name, exc_info=True)
                result.errors[name] = say(error)
        if request.calibrated:
            result.temperatures = {name: self.classifiers[name].temperature for name in result.probabilities}
        explained = request.explain
        if explained is not None and explained in result.probabilities:
            target = request.target if request.target is not None else int(result.probabilities[explained].argmax())
            try:
                classifier = self.classifiers[explained]
                make_heat = classifier.occlusion if request.occlusion else classifier.explain
                result.heat = make_heat(seen, target)
                result.explained, result.target, result.occlusion = explained, target, request.occlusion
            except Exception as error:  # noqa: BLE001
                log.warning("%s could not explain its answer", explained, exc_info=True)
                result.errors["explain"] = f"No explanation: {say(error)}"
        return result

    def trace(self, name: str) -> None:
        """Trace one model for single pictures (see Classifier.trace); a model gone meanwhile is skipped."""
        classifier = self.classifiers.get(name)
        if classifier is not None:
            classifier.trace()

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)

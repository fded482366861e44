"""Inference off the GUI thread: a worker that loads the models and answers requests.

The window keeps at most one request in flight (see MainWindow.predict), so the worker
never falls behind the pen.
"""

from __future__ import annotations

import os
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from models.preprocess import ImageLike, Placement, photo_to_mnist, place_digit, to_native

if TYPE_CHECKING:
    from models.classifier import Classifier  # imports torch, which the worker loads only when it starts


@dataclass
class Request:
    """A picture to classify with some models.

    `prepare` says what the picture still needs before any model sees it: "canvas" for raw
    ink from the drawing canvas, "photo-digit" for a photo of a digit, "none" for the rest.
    """

    ident: int
    image: ImageLike
    models: list[str]
    prepare: str = "none"
    true_label: int | None = None
    calibrated: bool = False  # divide the logits by each model's fitted temperature
    explain: str | None = None  # the model whose heat map to make (where it looked); None for none
    target: int | None = None  # the class to explain; None for the top class


@dataclass
class Answer:
    ident: int
    probabilities: dict[str, np.ndarray]  # model name -> (classes,) probabilities
    # model name -> the fitted temperature its logits were divided by; empty for raw probabilities
    temperatures: dict[str, float] = field(default_factory=dict)
    model_input: np.ndarray | None = None  # what the models saw, for the preview
    true_label: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    heat: np.ndarray | None = None  # where a model looked, at the model input's size, 0-1
    explained: str | None = None  # the model the heat map belongs to
    target: int | None = None  # the class the heat map explains
    placement: Placement | None = None  # for the canvas: where the ink went in the model input


class InferenceWorker(QObject):
    """Lives in its own QThread; talk to it through submit() and the load() slot."""

    answered = Signal(object)  # Answer
    loaded = Signal(list, str, dict, list)  # loaded names, device, {name: error message}, usable devices
    failed = Signal(str)
    traced = Signal()  # every loaded model has its traced graph for single pictures, or stays eager
    _requested = Signal(object)
    _trace_next = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.classifiers: dict[str, Classifier] = {}
        self.untraced: list[str] = []
        self.tracing = False  # a chain of _trace_one events is under way
        # One core stays free for the GUI thread, which paints every pen movement; the others
        # each run one model of a comparison, one torch thread apiece.
        self.parallel = max(1, (os.cpu_count() or 2) - 1)
        self.pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="model")
        self._requested.connect(self._answer)  # queued once the worker lives in its thread
        self._trace_next.connect(self._trace_one, Qt.ConnectionType.QueuedConnection)  # one model per event

    @Slot(list, object)
    def load(self, names: list[str], device: object) -> None:
        """Load the models (importing torch on first use) onto a device.

        An unusable device leaves the models in place and says why, and so does one that cannot
        hold a model that works where it is now (out of memory, a driver error); a model that
        fails to load otherwise is left out and reported.
        """
        try:
            import torch

            import models
            from models.device import available, resolve

            torch.set_num_threads(1)
            target = resolve(device)
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            self.failed.emit(str(error))
            return
        fresh, errors = {}, {}
        for name in names:
            try:
                fresh[name] = models.load(name, target)
            except models.ModelError as error:
                errors[name] = str(error)
            except Exception as error:  # noqa: BLE001
                errors[name] = f"{name} could not be loaded: {error}"
        lost = [name for name in self.classifiers if name in errors]
        if lost:
            self.failed.emit(" ".join(errors[name] for name in lost))
            return
        self.classifiers = fresh
        self.loaded.emit(sorted(fresh), str(target), errors, available())
        # One model per event, so that requests arriving meanwhile wait for one trace at most.
        self.untraced = [name for name in names if name in fresh]
        if not self.tracing:
            self.tracing = True
            self._trace_one()

    @Slot()
    def _trace_one(self) -> None:
        if not self.untraced:
            self.tracing = False
            self.traced.emit()
            return
        classifier = self.classifiers.get(self.untraced.pop(0))
        if classifier is not None:
            classifier.trace()
        self._trace_next.emit()

    def submit(self, request: Request) -> None:
        """Called from the GUI thread; the answer comes back through `answered`."""
        self._requested.emit(request)

    @Slot(object)
    def _answer(self, request: Request) -> None:
        try:
            answer = self.answer(request)
        except Exception as error:  # noqa: BLE001 - without an answer the window would wait for ever
            answer = Answer(request.ident, {}, errors={"answer": f"No answer: {error}"})
        self.answered.emit(answer)

    def answer(self, request: Request) -> Answer:
        names = [name for name in request.models if name in self.classifiers]
        if not names:
            return Answer(request.ident, {}, errors={"models": "No model for this input is loaded."})
        placement = None
        try:
            if request.prepare == "canvas":
                image, placement = place_digit(request.image)
            elif request.prepare == "photo-digit":
                image = photo_to_mnist(request.image)
            else:
                image = request.image
            seen = to_native(image, self.classifiers[names[0]].spec.dataset)  # what the models see
        except Exception as error:  # noqa: BLE001
            return Answer(request.ident, {}, errors={"input": str(error)})
        result = Answer(request.ident, {}, model_input=seen, true_label=request.true_label, placement=placement)

        def predict(name: str) -> np.ndarray:
            return self.classifiers[name].predict([seen], calibrated=request.calibrated)[0]

        # Models of a comparison run side by side where there are cores for it (each forward pass
        # releases the GIL); otherwise they run right here, sparing the hand-over to another thread.
        if len(names) > 1 and self.parallel > 1:
            outcomes = {name: self.pool.submit(predict, name).result for name in names}
        else:
            outcomes = {name: (lambda name=name: predict(name)) for name in names}
        for name, outcome in outcomes.items():
            try:
                result.probabilities[name] = outcome()
            except Exception as error:  # noqa: BLE001
                result.errors[name] = str(error) or traceback.format_exception_only(error)[-1]
        if request.calibrated:
            result.temperatures = {name: self.classifiers[name].temperature for name in result.probabilities}
        name = request.explain
        if name in result.probabilities:
            # Here in the worker thread, after the predictions: explaining hooks into the network.
            target = request.target if request.target is not None else int(result.probabilities[name].argmax())
            try:
                result.heat = self.classifiers[name].explain(seen, target)
                result.explained, result.target = name, target
            except Exception as error:  # noqa: BLE001
                result.errors["explain"] = f"No explanation: {error}"
        return result


def start_worker() -> tuple[InferenceWorker, QThread]:
    """A worker running in a new thread; stop it with thread.quit() and thread.wait()."""
    # Torch releases the GIL inside every operator and must win it back after each one; with
    # the default 5 ms switch interval a busy GUI thread makes each of those waits long.
    sys.setswitchinterval(0.0005)
    thread = QThread()
    thread.setObjectName("inference")
    worker = InferenceWorker()
    worker.moveToThread(thread)
    thread.start()
    return worker, thread

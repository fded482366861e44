"""The inference thread: a Qt front for models.answering.Answerer, spoken to by signals only.

The window never reads this object's state: what it needs (each model as it becomes ready, how a
load ended, every answer) comes back by signal. app/concurrency.py describes the threads.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.concurrency import TORCH_THREADS
from app.tasks import log_failure
from models.answering import Answerer, Loading, Request, say
from models.device import set_threads

log = logging.getLogger(__name__)


class InferenceWorker(QObject):
    """Lives in its own QThread. Loading and tracing go one model per event, so that a request
    arriving meanwhile waits for one model at most."""

    ready = Signal(object)  # a Classifier that can answer now
    loaded = Signal(object)  # models.answering.Loaded: every model has been tried
    failed = Signal(str)  # a load that changed nothing, and why
    answered = Signal(object)  # models.answering.Answer
    traced = Signal()  # every loaded model has its traced graph for single pictures, or stays eager
    _requested = Signal(object)
    _next = Signal()

    def __init__(self, parallel: int) -> None:
        super().__init__()
        self.answerer = Answerer(parallel)
        self.loading: Loading | None = None
        self.untraced: list[str] = []
        self._requested.connect(self._answer)  # queued once the worker lives in its thread
        self._next.connect(self._step, Qt.ConnectionType.QueuedConnection)

    def submit(self, request: Request) -> None:
        """Called from the GUI thread; the answer comes back through `answered`."""
        self._requested.emit(request)

    @Slot(list, object)
    def load(self, names: list[str], device: str | None) -> None:
        """Load the models onto a device (the detected one for None), replacing a load under way."""
        gc.unfreeze()  # the models this load replaces may be collected again
        try:
            set_threads(TORCH_THREADS)
            self.loading = Loading(self.answerer, names, device)
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            log_failure(log, f"cannot load onto {device}", error)
            self.failed.emit(say(error))
            return
        self._next.emit()

    @Slot()
    def _step(self) -> None:
        """One model loaded, or one traced, per event."""
        if self.loading is not None:
            self._load_one(self.loading)
        elif self.untraced:
            self.answerer.trace(self.untraced.pop(0))
            if self.untraced:
                self._next.emit()
            else:
                # Startup has made its objects: a full collection walked all ~350,000 of them with the
                # GIL held, 0.13-0.25 s on whichever thread it ran, stalling the window; frozen, they are
                # out of its sight, and it walks only what was made since.
                gc.freeze()
                self.traced.emit()

    def _load_one(self, loading: Loading) -> None:
        if not loading.done:
            classifier = loading.step()
            if classifier is not None:
                self.ready.emit(classifier)
            self._next.emit()
            return
        self.loading = None
        try:
            result = loading.finish()
        except Exception as error:  # noqa: BLE001
            log_failure(log, "the models stay where they were", error)
            self.failed.emit(say(error))
            return
        if not loading.joining:
            for name in result.names:
                self.ready.emit(self.answerer.classifiers[name])
        self.loaded.emit(result)
        self.untraced = list(result.names)
        self._next.emit()

    @Slot(object)
    def _answer(self, request: Request) -> None:
        self.answered.emit(self.answerer.answer(request))

    def close(self) -> None:
        self.answerer.close()


def start_worker(parallel: int) -> tuple[InferenceWorker, QThread]:
    """A worker running in a new thread; stop both with concurrency.retire(thread, worker.close)."""
    thread = QThread()
    thread.setObjectName("inference")
    worker = InferenceWorker(parallel)
    worker.moveToThread(thread)
    thread.start()
    return worker, thread

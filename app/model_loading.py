"""Loading the models: asked of the inference thread, handed to the session one by one as they
become ready, moved to another device on request, and how each load ended, said in words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.core.session import Session
from app.device_menu import DeviceMenu
from app.worker import InferenceWorker
from models.answering import Loaded
from models.registry import MODELS, available

if TYPE_CHECKING:
    from models.classifier import Classifier


class ModelLoading(QObject):
    """`ended` fires once a load has ended or failed and the window says so; `said` carries a line for
    the status bar, `warned` a message that needs a dialog."""

    requested = Signal(list, object)  # (model names, device or None): to the worker
    ended = Signal()
    said = Signal(str)
    warned = Signal(str)

    def __init__(
        self,
        session: Session,
        worker: InferenceWorker,
        devices: DeviceMenu,
        device: str | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.devices = devices
        self.requested_device = device  # from the command line; None for the detected one
        self.notice = ""  # said once the models are loaded
        self.classifiers: dict[str, Classifier] = {}  # handed over by the worker as each becomes ready
        self.requested.connect(worker.load)
        worker.ready.connect(self._ready)
        worker.loaded.connect(self._loaded)
        worker.failed.connect(self._failed)
        devices.chosen.connect(self.move_to)

    def start(self) -> None:
        """Load every model that has weights, the one that will answer first first."""
        self.requested.emit(self.session.load_order(available()), self.requested_device)

    def move_to(self, kind: str) -> None:
        self.said.emit(f"Moving the models to {kind}…")
        self.requested.emit(self.session.load_order(available()), kind)

    def _ready(self, classifier: Classifier) -> None:
        self.classifiers[classifier.name] = classifier
        self.session.model_ready(classifier.card)

    def _loaded(self, loaded: Loaded) -> None:
        self.classifiers = {name: self.classifiers[name] for name in loaded.names}
        self.session.load_ended(loaded)
        self.devices.show(loaded.device, loaded.devices)
        if loaded.errors:
            self.said.emit(" ".join(loaded.errors.values()))
        elif not loaded.names:
            command = MODELS[next(iter(MODELS))].train_command()
            self.said.emit(f"No trained weights found in weights/. Train a model: {command}")
        else:
            count = f"{len(loaded.names)} model" + ("s" if len(loaded.names) != 1 else "")
            self.said.emit(f"Loaded {count} on {loaded.device}. {self.notice}".strip())
            self.notice = ""
        self.ended.emit()

    def _failed(self, message: str) -> None:
        if self.session.starting and self.requested_device is not None:
            # A device asked for on the command line is missing: fall back to the detected one.
            self.requested_device = None
            self.notice = f"{message} For now the models run on the detected device."
            self.start()
            return
        self.warned.emit(message)
        starting = self.session.starting
        self.session.load_failed()
        self.said.emit(message if starting else f"Still on {self.session.device}. {message}")
        self.devices.show(self.session.device)
        self.ended.emit()

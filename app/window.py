"""The main window: input on the left, the model picker and the confidence chart on the right."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

import models
from app.canvas import DrawingCanvas
from app.chart import ConfidenceChart
from app.preview import PixelView
from app.worker import Answer, Request, start_worker
from models.registry import MODELS, for_dataset

DEVICES = ("cuda", "mps", "cpu")


class MainWindow(QMainWindow):
    loadRequested = Signal(list, object)

    def __init__(self, device: str | None = None, model: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("visionlab")
        self.settings = QSettings("visionlab", "visionlab")
        self.requested_device = device
        self.device = "…"
        self.loaded: list[str] = []
        self.ids = itertools.count(1)
        self.last_request = 0
        self.preferred_model = model or self.settings.value("model", "mnist_cnn")
        self.dataset = "mnist"

        self.canvas = DrawingCanvas()
        self.preview = PixelView()
        self.preview.setToolTip("The 28x28 image the model sees, after centring and scaling")
        self.brush = QSlider(Qt.Orientation.Horizontal)
        self.brush.setRange(3, 15)
        self.brush.setValue(round(self.canvas.brush * 100))
        self.brush.setToolTip("Brush size")
        self.brush.valueChanged.connect(lambda v: self.canvas.set_brush(v / 100))

        self.picker = QComboBox()
        self.picker.setToolTip("The model that classifies the input")
        self.picker.currentIndexChanged.connect(self._model_changed)
        self.compare = QCheckBox("Compare all models")
        self.compare.setToolTip("Every model of this dataset predicts the same input (Ctrl+M)")
        self.compare.toggled.connect(self.predict)
        self.chart = ConfidenceChart()
        self.info = QLabel("Loading models…")
        self.info.setWordWrap(True)
        self.info.setObjectName("modelInfo")

        self._build_layout()
        self._build_actions()
        self.canvas.inkChanged.connect(self.predict)

        self.worker, self.thread = start_worker()
        self.worker.answered.connect(self._show_answer)
        self.worker.loaded.connect(self._models_loaded)
        self.worker.failed.connect(self._load_failed)
        self.loadRequested.connect(self.worker.load)
        self.statusBar().showMessage("Loading PyTorch and the models…")
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 680)

    def start(self) -> None:
        """Ask the worker to load every model with weights; the window is already up."""
        self.loadRequested.emit(models.available(), self.requested_device)

    # layout
    def _build_layout(self) -> None:
        draw = QWidget()
        column = QVBoxLayout(draw)
        column.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Brush"))
        row.addWidget(self.brush, 1)
        column.addLayout(row)

        side = QWidget()
        panel = QVBoxLayout(side)
        top = QHBoxLayout()
        top.addWidget(QLabel("Model"))
        top.addWidget(self.picker, 1)
        top.addWidget(self.compare)
        panel.addLayout(top)
        panel.addWidget(self.chart, 1)
        lower = QHBoxLayout()
        seen = QVBoxLayout()
        seen.addWidget(QLabel("Model input"))
        seen.addWidget(self.preview)
        lower.addLayout(seen)
        lower.addWidget(self.info, 1)
        panel.addLayout(lower)

        splitter = QSplitter()
        splitter.addWidget(draw)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Tools")
        toolbar.setObjectName("tools")
        menu = self.menuBar()
        edit = menu.addMenu("&Edit")
        for text, keys, slot in (
            ("Clear", [QKeySequence(Qt.Key.Key_Escape), QKeySequence("Delete")], self.canvas.clear),
            ("Undo", [QKeySequence.StandardKey.Undo], self.canvas.undo),
            ("Redo", [QKeySequence("Ctrl+Shift+Z"), QKeySequence.StandardKey.Redo], self.canvas.redo),
        ):
            action = QAction(text, self)
            action.setShortcuts(keys)
            action.setToolTip(f"{text} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            action.triggered.connect(slot)
            toolbar.addAction(action)
            edit.addAction(action)
        compare = QAction("Compare", self)
        compare.setShortcut(QKeySequence("Ctrl+M"))
        compare.triggered.connect(self.compare.toggle)
        self.addAction(compare)

        self.device_menu = menu.addMenu("&Device")
        self.device_group = QActionGroup(self)
        for kind in DEVICES:
            action = QAction(kind.upper() if kind != "mps" else "Apple MPS", self, checkable=True)
            action.setData(kind)
            action.setEnabled(False)
            action.triggered.connect(lambda _=False, k=kind: self.set_device(k))
            self.device_group.addAction(action)
            self.device_menu.addAction(action)
        self.device_label = QLabel("device: …")
        self.statusBar().addPermanentWidget(self.device_label)

    # models and device
    def _models_loaded(self, names: list[str], device: str, errors: dict[str, str], devices: list[str]) -> None:
        self.loaded, self.device = names, device
        self.device_label.setText(f"device: {device}")
        for action in self.device_group.actions():
            action.setEnabled(action.data() in devices)
            action.setChecked(device.startswith(action.data()))
        self._fill_picker()
        if errors:
            self.statusBar().showMessage(" ".join(errors.values()))
        elif not names:
            self.statusBar().showMessage("No trained weights found in weights/. Train a model: uv run python -m training mnist_cnn")
        else:
            self.statusBar().showMessage(f"Loaded {len(names)} models on {device}.", 5000)
        self.predict()

    def _load_failed(self, message: str) -> None:
        QMessageBox.warning(self, "visionlab", message)
        self.statusBar().showMessage(f"Still on {self.device}. {message}")
        for action in self.device_group.actions():
            action.setChecked(self.device.startswith(action.data()))

    def set_device(self, kind: str) -> None:
        self.statusBar().showMessage(f"Moving the models to {kind}…")
        self.loadRequested.emit(models.available(), kind)

    def _fill_picker(self) -> None:
        current = self.picker.currentData() or self.preferred_model
        self.picker.blockSignals(True)
        self.picker.clear()
        for name in for_dataset(self.dataset):
            if name in self.loaded:
                self.picker.addItem(f"{MODELS[name].title} ({name})", name)
        index = self.picker.findData(current)
        self.picker.setCurrentIndex(max(index, 0))
        self.picker.blockSignals(False)
        self._model_changed()

    def _model_changed(self) -> None:
        name = self.picker.currentData()
        if name is None:
            self.info.setText("No model for this input yet.")
            return
        self.settings.setValue("model", name)
        self.info.setText(self._describe(name))
        self.predict()

    def _describe(self, name: str) -> str:
        classifier = self.worker.classifiers.get(name)
        if classifier is None:
            return name
        card = classifier.card
        test = card.get("test", {})
        training = card.get("training", {})
        lines = [
            f"<b>{card.get('title', name)}</b> ({name})",
            f"{card.get('parameters', 0):,} parameters",
        ]
        if "accuracy" in test:
            lines.append(f"test accuracy {test['accuracy'] * 100:.2f}% on {card.get('test_set', '')}")
        if training:
            lines.append(f"trained {training.get('epochs')} epochs in {training.get('wall_time_s', 0) / 60:.0f} min on {training.get('device', '?')}")
        lines.append(f"running on {classifier.device}")
        return "<br>".join(lines)

    def selected_models(self) -> list[str]:
        if self.compare.isChecked():
            return [name for name in for_dataset(self.dataset) if name in self.loaded]
        name = self.picker.currentData()
        return [name] if name else []

    # prediction
    def predict(self) -> None:
        names = self.selected_models()
        if not names:
            return
        if self.canvas.is_blank():
            self.chart.clear()
            self.preview.set_array(None)
            return
        self.last_request = next(self.ids)
        self.worker.submit(Request(self.last_request, self.canvas.ink(), names, canvas=True))

    def _show_answer(self, answer: Answer) -> None:
        if answer.ident != self.last_request:
            return  # an older request, overtaken by a newer one
        if answer.model_input is not None:
            self.preview.set_array(answer.model_input)
        self.chart.set_classes(models.spec(next(iter(answer.probabilities), "mnist_cnn")).classes)
        titles = {name: MODELS[name].title for name in answer.probabilities}
        self.chart.show(answer.probabilities, answer.true_label, titles)
        if answer.errors:
            self.statusBar().showMessage(" ".join(answer.errors.values()), 8000)

    def closeEvent(self, event) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.thread.quit()
        self.thread.wait(5000)
        super().closeEvent(event)

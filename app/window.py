"""The main window: input on the left (draw or browse), the model picker and the confidence chart on the right."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QKeySequence,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import models
from app import tasks
from app.browser import Browser
from app.canvas import DrawingCanvas
from app.preview import PixelView
from app.worker import Answer, Request, start_worker
from models import weights
from models.datasets import DEFAULT_ROOT
from models.device import KINDS
from models.registry import DATASETS, MODELS, for_dataset

if TYPE_CHECKING:
    from app.report import ModelReport  # imported when first shown: it pulls in pyqtgraph

DRAW, BROWSE = 0, 1
PRESENTATION_SCALE = 1.6
LOADING = "Loading the models…"  # the model panel until the first load ends


def plain(text: str) -> str:
    """A menu entry's text without its mnemonic and the ellipsis that promises a dialog."""
    return text.replace("&", "").rstrip("…")


class MainWindow(QMainWindow):
    loadRequested = Signal(list, object)
    modelsReady = Signal()  # after a load or a failed device change has been shown
    answerShown = Signal()  # after the chart shows a new answer
    scoresReady = Signal()  # after a model's answers for a whole test set have arrived

    def __init__(self, device: str | None = None, model: str | None = None, data_dir: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("visionlab")
        self.setAcceptDrops(True)
        self.settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "visionlab", "visionlab")
        self.requested_device = device
        self.device = "…"
        self.loaded: list[str] = []
        self.starting = True  # until the first load ends: an empty picker means loading, not untrained
        self.version = 0  # counts changes of the input; answers carry the version they answer
        self.last_shown = 0
        self.in_flight = False
        self.notice = ""  # said once the models are loaded
        self.target: int | None = None  # the class to explain, chosen by clicking its bar
        self.report: ModelReport | None = None  # the last one opened
        self.last_input: np.ndarray | None = None  # the model input of the answer on show
        self.scores: dict[tuple[str, str], np.ndarray] = {}  # (model, test set) -> (N, classes) probabilities
        self.scoring: tasks.Task | None = None
        self.scoring_for: tuple[str, str, object] | None = None  # (model, test set, classifier) it answers for
        data_dir = data_dir or Path(self.settings.value("data_dir", str(DEFAULT_ROOT)))

        self.canvas = DrawingCanvas()
        self.brush = QSlider(Qt.Orientation.Horizontal)
        self.brush.setRange(3, 15)
        self.brush.setValue(round(self.canvas.brush * 100))
        self.brush.setToolTip("Brush size")
        self.brush.valueChanged.connect(lambda v: self.canvas.set_brush(v / 100))
        self.browser = Browser(data_dir)
        self.tabs = QTabWidget()

        self.picker = QComboBox()
        self.picker.setToolTip("The model that classifies the input")
        # Only a choice is remembered, not the stand-in offered while the chosen model is missing.
        self.picker.currentIndexChanged.connect(
            lambda: self.settings.setValue(f"model/{self.dataset}", self.picker.currentData())
        )
        self.picker.currentIndexChanged.connect(self._model_changed)
        self.compare = QCheckBox("Compare all models")
        self.compare.toggled.connect(self.predict)
        # The chart is built in start(), once the window shows: pyqtgraph takes a good part of a
        # second to import, and the window should appear at once, saying what it is loading.
        self.chart = None
        self.chart_font_size = 11
        self.chart_slot = QStackedWidget()
        self.chart_slot.addWidget(
            QLabel("Loading PyTorch, the models and the chart…", alignment=Qt.AlignmentFlag.AlignCenter)
        )
        self.preview = PixelView()
        self.preview.setToolTip("The image the model sees, after centring and scaling")
        self.info = QLabel(LOADING)
        self.info.setWordWrap(True)
        self.info.setObjectName("modelInfo")
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop)

        self._build_layout()
        self._build_actions()
        self.canvas.inkChanged.connect(self.predict)
        self.canvas.strokeFinished.connect(self.predict)  # the heat map waits for the pen to lift
        self.tabs.currentChanged.connect(self._input_changed)
        self.browser.currentChanged.connect(self.predict)
        self.browser.datasetChanged.connect(lambda _: self._input_changed())
        self.browser.wrong_only.toggled.connect(self._ensure_scores)

        self.worker, self.thread = start_worker()
        self.worker.answered.connect(self._show_answer)
        self.worker.loaded.connect(self._models_loaded)
        self.worker.failed.connect(self._load_failed)
        self.loadRequested.connect(self.worker.load)
        self.statusBar().showMessage("Loading PyTorch and the models…")
        self.device_label = QLabel("device: …")
        self.statusBar().addPermanentWidget(self.device_label)
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            self.restoreState(self.settings.value("toolbars"))
            self.splitter.restoreState(self.settings.value("splitter"))
        else:
            self.resize(1200, 720)
        self.browser.last_folder = Path(self.settings.value("folder", str(Path.home())))
        if self.settings.value("presentation", False, type=bool):
            self.presentation.setChecked(True)
            self.set_presentation(True)
        if model is not None:
            dataset = models.spec(model).dataset.name
            self.settings.setValue(f"model/{dataset}", model)
            if dataset != "mnist":  # photos are browsed, not drawn
                self.browser.set_source(dataset)
                self.tabs.setCurrentIndex(BROWSE)

    def start(self) -> None:
        """Build the chart and ask the worker to load every model with weights; the window is already up."""
        if self.chart is None:
            from app.chart import ConfidenceChart

            self.chart = ConfidenceChart()
            self.chart.set_font_size(self.chart_font_size)
            self.chart.classClicked.connect(self._class_clicked)
            self.chart_slot.addWidget(self.chart)
            self.chart_slot.setCurrentWidget(self.chart)
        self.loadRequested.emit(models.available(), self.requested_device)

    def clear_chart(self) -> None:
        if self.chart is not None:
            self.chart.clear()

    @property
    def dataset(self) -> str:
        return "mnist" if self.tabs.currentIndex() == DRAW else self.browser.dataset

    # layout and actions
    def _build_layout(self) -> None:
        draw = QWidget()
        column = QVBoxLayout(draw)
        column.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Brush"))
        row.addWidget(self.brush, 1)
        column.addLayout(row)
        self.tabs.addTab(draw, "Draw")
        self.tabs.addTab(self.browser, "Browse")

        side = QWidget()
        panel = QVBoxLayout(side)
        top = QHBoxLayout()
        top.addWidget(QLabel("Model"))
        top.addWidget(self.picker, 1)
        top.addWidget(self.compare)
        panel.addLayout(top)
        panel.addWidget(self.chart_slot, 1)
        lower = QHBoxLayout()
        seen = QVBoxLayout()
        seen.addWidget(QLabel("Model input"))
        seen.addWidget(self.preview)
        lower.addLayout(seen)
        lower.addWidget(self.info, 1)
        panel.addLayout(lower)

        self.splitter = QSplitter()
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

    def _action(
        self, text: str, keys: list, slot, menu, toolbar=None, checkable: bool = False, tip: str = ""
    ) -> QAction:
        action = QAction(text, self, checkable=checkable)
        action.setShortcuts([QKeySequence(k) for k in keys])
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or plain(text)} ({shortcut})" if shortcut else tip or plain(text))
        action.triggered.connect(slot)
        menu.addAction(action)
        if toolbar is not None:
            toolbar.addAction(action)
        self.addAction(action)  # shortcuts work even with the toolbar hidden
        return action

    def _build_actions(self) -> None:
        toolbar = self.addToolBar("Tools")
        toolbar.setObjectName("tools")
        menu = self.menuBar()
        file = menu.addMenu("&File")
        self._action("Open Files…", ["Ctrl+O"], self._open_files, file, toolbar)
        self._action("Open Folder…", ["Ctrl+Shift+O"], self._open_folder, file)
        self._action("Export Input and Chart…", ["Ctrl+S"], self.export, file, toolbar)
        file.addSeparator()
        self._action("Quit", ["Ctrl+Q"], self.close, file)
        edit = menu.addMenu("&Edit")
        toolbar.addSeparator()
        # Only on the Draw tab: Esc pressed while browsing must not wipe a drawing out of sight.
        self.draw_actions = [
            self._action("Clear", ["Esc", "Delete"], self.canvas.clear, edit, toolbar),
            self._action("Undo", ["Ctrl+Z"], self.canvas.undo, edit, toolbar),
            self._action("Redo", ["Ctrl+Shift+Z", "Ctrl+Y"], self.canvas.redo, edit, toolbar),
        ]
        browse = menu.addMenu("&Browse")
        toolbar.addSeparator()
        self.browse_actions = [
            self._action("Previous Image", ["Left", "PgUp"], lambda: self.browser.step(-1), browse, toolbar),
            self._action("Next Image", ["Right", "PgDown"], lambda: self.browser.step(1), browse, toolbar),
            self._action("Random Image", ["R"], self.browser.pick_random, browse, toolbar),
        ]
        view = menu.addMenu("&View")
        self._action("Draw", ["Ctrl+1"], lambda: self.tabs.setCurrentIndex(DRAW), view)
        self._action("Browse", ["Ctrl+2"], lambda: self.tabs.setCurrentIndex(BROWSE), view)
        comparing = self._action(
            "Compare Models",
            ["Ctrl+M"],
            self.compare.toggle,
            view,
            tip="Every model of this dataset predicts the same input",
        )
        self.compare.setToolTip(comparing.toolTip())
        for button, action in zip((self.browser.previous, self.browser.next, self.browser.random), self.browse_actions):
            button.setToolTip(action.toolTip())
        toolbar.addSeparator()
        self.explaining = self._action(
            "Explain",
            ["Ctrl+E"],
            self._explain_toggled,
            view,
            toolbar,
            True,
            tip="Show where the model looked; click a bar to explain that class",
        )
        self.calibrated = self._action(
            "Calibrated",
            ["Ctrl+K"],
            self.predict,
            view,
            toolbar,
            True,
            tip="Logits divided by the temperature fitted on held-out data, so that confidence matches accuracy",
        )
        toolbar.addSeparator()
        self.presentation = self._action("Presentation Mode", ["Ctrl+P"], self.set_presentation, view, toolbar, True)
        self._action("Full Screen", ["F11"], self.toggle_full_screen, view, toolbar)
        self._action("Model Report…", ["Ctrl+I"], self.show_report, view, toolbar)

        self.device_menu = menu.addMenu("&Device")
        self.device_group = QActionGroup(self)
        for kind in KINDS:
            action = QAction("Apple MPS" if kind == "mps" else kind.upper(), self, checkable=True)
            action.setData(kind)
            action.setEnabled(False)
            action.triggered.connect(lambda _=False, k=kind: self.set_device(k))
            self.device_group.addAction(action)
            self.device_menu.addAction(action)
        help_menu = menu.addMenu("&Help")
        self._action("Keyboard Shortcuts", ["F1"], self.show_help, help_menu)
        self._update_tab_actions()

    def _update_tab_actions(self) -> None:
        """Offer the actions of the tab on show; the toolbar stays short."""
        browsing = self.tabs.currentIndex() == BROWSE
        for actions, shown in ((self.browse_actions, browsing), (self.draw_actions, not browsing)):
            for action in actions:
                action.setEnabled(shown)
                action.setVisible(shown)

    # models and device
    def _models_loaded(self, names: list[str], device: str, errors: dict[str, str], devices: list[str]) -> None:
        self.loaded, self.device = names, device
        self.starting = False
        self.scores.clear()
        self.device_label.setText(f"device: {device}")
        for action in self.device_group.actions():
            action.setEnabled(action.data() in devices)
            action.setChecked(device.startswith(action.data()))
        self._fill_picker()
        if errors:
            self.statusBar().showMessage(" ".join(errors.values()))
        elif not names:
            self.statusBar().showMessage(
                f"No trained weights found in weights/. Train a model: {MODELS['mnist_cnn'].train_command()}"
            )
        else:
            loaded = f"{len(names)} model" + ("s" if len(names) != 1 else "")
            self.statusBar().showMessage(f"Loaded {loaded} on {device}. {self.notice}".strip())
            self.notice = ""
        self.predict()
        self.modelsReady.emit()

    def _load_failed(self, message: str) -> None:
        if self.starting and self.requested_device is not None:
            # A device asked for on the command line is missing: fall back to the detected one.
            self.requested_device = None
            self.notice = f"{message} Using the detected device instead."
            self.start()
            return
        QMessageBox.warning(self, "visionlab", message)
        if self.starting:  # the launch itself failed: there are no models to stay with
            self.starting = False
            self._model_changed()  # says how to get a model
            self.statusBar().showMessage(message)
        else:
            self.statusBar().showMessage(f"Still on {self.device}. {message}")
        for action in self.device_group.actions():
            action.setChecked(self.device.startswith(action.data()))
        self.modelsReady.emit()

    def set_device(self, kind: str) -> None:
        self.statusBar().showMessage(f"Moving the models to {kind}…")
        self.loadRequested.emit(models.available(), kind)

    def _input_changed(self) -> None:
        self.last_shown = self.version  # an answer still on its way is for the other tab or set
        self._update_tab_actions()
        self._fill_picker()

    def _fill_picker(self) -> None:
        """Offer the loaded models of the current input, choosing the one last used for it."""
        self.picker.blockSignals(True)
        self.picker.clear()
        for name in for_dataset(self.dataset):
            if name in self.loaded:
                self.picker.addItem(f"{MODELS[name].title} ({name})", name)
        self.picker.setCurrentIndex(max(self.picker.findData(self.settings.value(f"model/{self.dataset}")), 0))
        self.picker.blockSignals(False)
        self._model_changed()

    def _model_changed(self) -> None:
        name = self.picker.currentData()
        if name is None:
            self.info.setText(self._no_model())
            if self.chart is not None:
                self.chart.set_classes(DATASETS[self.dataset].classes)  # the axis of what it would show
            self.predict()  # blanks the chart and preview, and voids any answer still on its way
            return
        self.target = None
        self.info.setText(self._describe(name))
        self._ensure_scores()
        self.predict()

    def _no_model(self) -> str:
        """Why the picker is empty for this input, and what to do."""
        title = DATASETS[self.dataset].title
        if self.starting:
            return LOADING
        if any(name in models.available() for name in for_dataset(self.dataset)):
            return f"The {title} models could not be loaded; the status bar says why."
        return f"No trained {title} model yet. Train one: {MODELS[for_dataset(self.dataset)[0]].train_command()}"

    def _describe(self, name: str) -> str:
        classifier = self.worker.classifiers.get(name)
        if classifier is None:
            return name
        card = classifier.card
        test, training = card.get("test", {}), card.get("training", {})
        lines = [f"<b>{classifier.spec.title or name}</b> ({name})"]
        if classifier.spec.arch_options:
            lines.append(
                ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in classifier.spec.arch_options.items())
            )
        if "parameters" in card:
            lines.append(f"{card['parameters']:,} parameters")
        if "accuracy" in test:
            lines.append(f"test accuracy {test['accuracy'] * 100:.2f}% on the {card.get('test_set', 'test set')}")
        if training:
            epochs, seconds = weights.training_length(card)
            lines.append(f"trained {epochs} epochs, {seconds / 60:.0f} min on {training.get('device', '?')}")
        lines.append(f"running on {classifier.device}")
        return "<br>".join(lines)

    def selected_models(self) -> list[str]:
        if self.compare.isChecked():
            return [name for name in for_dataset(self.dataset) if name in self.loaded]
        name = self.picker.currentData()
        return [name] if name else []

    # prediction: one request in flight at a time. While the models work, new input only
    # raises the version; the newest input goes out as soon as the answer is back, so the GUI
    # never prepares pictures nobody will look at.
    def predict(self) -> None:
        self.version += 1
        if not self.in_flight:
            self._send()

    def _send(self) -> None:
        request = self._request()
        if request is None:
            return
        request.ident = self.version
        self.in_flight = True
        self.worker.submit(request)

    def _request(self) -> Request | None:
        """The question for the current input, or None (after blanking the chart) when there is none."""
        names = self.selected_models()
        if self.tabs.currentIndex() == DRAW:
            current = None if self.canvas.is_blank() else (self.canvas.ink(), None, "canvas")
        else:
            try:
                current = self.browser.current()
            except models.ModelError as error:
                self.statusBar().showMessage(str(error), 8000)
                current = None
        if current is None or not names:
            self.clear_chart()
            self.preview.set_array(None)
            self.preview.set_heat(None)
            self.canvas.set_heat(None)
            self.browser.view.set_heat(None)
            self.last_shown = self.version  # an answer still on its way is for an older input
            return None
        image, label, prepare = current
        drawing = self.tabs.currentIndex() == DRAW and self.canvas.drawing
        return Request(
            0,
            image,
            names,
            prepare=prepare,
            true_label=label,
            calibrated=self.calibrated.isChecked(),
            # A heat map costs a backward pass: while the pen moves, the bars come first. In a
            # comparison it is the picked model's, the one whose details show under the chart.
            explain=self.picker.currentData() if self.explaining.isChecked() and not drawing else None,
            target=self.target,
        )

    def _show_answer(self, answer: Answer) -> None:
        self.in_flight = False
        if answer.ident < self.version:
            self._send()  # the input moved on meanwhile: ask about the newest before painting
        if answer.ident <= self.last_shown:
            return
        self.last_shown = answer.ident
        self.last_input = answer.model_input
        self.preview.set_array(answer.model_input)
        self._show_heat(answer)
        if answer.probabilities:
            classes = models.spec(next(iter(answer.probabilities))).classes
            self.chart.set_classes(classes)
            titles = {name: MODELS[name].title for name in answer.probabilities}
            self.chart.display(answer.probabilities, answer.true_label, titles, self._note(answer, classes))
        else:
            self.chart.clear()
        if answer.errors:
            self.statusBar().showMessage(" ".join(answer.errors.values()), 8000)
        self.answerShown.emit()

    def _show_heat(self, answer: Answer) -> None:
        """The heat map over the model input, and over the drawing or the test image it came from."""
        heat = answer.heat
        self.preview.set_heat(heat)
        self.canvas.set_heat(heat, answer.placement)
        native = self.tabs.currentIndex() == BROWSE and self.browser.source != "files"
        self.browser.view.set_heat(heat if native else None)

    def _note(self, answer: Answer, classes: tuple[str, ...]) -> str:
        parts = []
        if answer.temperatures:
            temperatures = ", ".join(f"{answer.temperatures[name]:.2f}" for name in answer.probabilities)
            parts.append(f"calibrated probabilities (temperature {temperatures})")
        else:
            parts.append("raw probabilities")
        if answer.explained is not None:
            title = MODELS[answer.explained].title
            parts.append(f"heat map: where {title} looked for “{classes[answer.target]}”")
        return "; ".join(parts)

    def _explain_toggled(self) -> None:
        self.target = None
        self.predict()

    def _class_clicked(self, index: int) -> None:
        if self.explaining.isChecked():
            self.target = index
            self.predict()

    # the selected model's answers on a whole test set, for "misclassified only"
    def _ensure_scores(self) -> None:
        name, source = self.picker.currentData(), self.browser.source
        classifier = self.worker.classifiers.get(name)
        if self.scoring is not None:
            if self.scoring_for == (name, source, classifier) and self.browser.needs_predictions():
                return  # still wanted: a tab switch or a refilled picker must not start it over
            # Its answers are for another model, set or question; a new job starts below if need be.
            self.scoring.cancel()
            self.scoring = None
            self.statusBar().clearMessage()
        usable = classifier is not None and source in self.browser.sets and classifier.dataset == source
        if not self.browser.needs_predictions() or not usable:
            self.browser.set_predictions(self.scores.get((name, source)))
            return
        if (name, source) in self.scores:
            self.browser.set_predictions(self.scores[(name, source)])
            self.scoresReady.emit()
            return
        images = self.browser.sets[source].images
        self.statusBar().showMessage(f"{MODELS[name].title} is classifying all {len(images)} test images…")

        def job(progress, cancelled):
            answers = []
            for start in range(0, len(images), 250):
                if cancelled():
                    return None
                answers.append(classifier.predict(list(images[start : start + 250])))
                progress(start + 250, len(images))
            return np.concatenate(answers)

        def done(probabilities) -> None:
            if probabilities is None:
                return
            self.scores[(name, source)] = probabilities
            if task.cancelled:
                return  # finished just before its cancel: kept, but no longer asked for
            self.scoring = None
            wrong = int((probabilities.argmax(axis=1) != self.browser.sets[source].labels).sum())
            self.statusBar().showMessage(
                f"{MODELS[name].title} gets {wrong} of {len(probabilities)} test images wrong."
            )
            if self.picker.currentData() == name and self.browser.source == source:
                self.browser.set_predictions(probabilities)
            self.scoresReady.emit()

        self.scoring_for = (name, source, classifier)
        task = self.scoring = tasks.start(
            job,
            done,
            lambda message: None if task.cancelled else self._scoring_failed(message),
            self,
            lambda done_, total: self.statusBar().showMessage(
                f"{MODELS[name].title} is classifying the test set: {min(done_, total)} of {total}…"
            ),
        )

    def show_report(self) -> None:
        """Calibration, confusion, per-class accuracy, training curves and layers of the selected model."""
        from app.report import ModelReport

        name = self.picker.currentData()
        classifier = self.worker.classifiers.get(name)
        if classifier is None:
            QMessageBox.information(self, "visionlab", "Choose a trained model first.")
            return
        image = self.last_input
        if image is not None and image.shape[-1] != classifier.spec.dataset.channels:
            image = None  # the last input was for a model of the other dataset
        try:
            layers, first_layer = classifier.layer_summary(), classifier.first_layer(image)
        except Exception as error:  # noqa: BLE001 - a device error, say; shown, never a traceback
            QMessageBox.warning(self, "visionlab", f"Could not look inside {classifier.spec.title}: {error}")
            return
        self.report = ModelReport(classifier.card, layers, first_layer, self)
        # Several reports may stay open side by side; a closed one frees its figures.
        self.report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report.cellClicked.connect(lambda true, predicted: self.browse_cell(name, true, predicted))
        self.report.show()

    def browse_cell(self, name: str, true: int, predicted: int) -> None:
        """The test images of one confusion-matrix cell of model `name`'s report."""
        self.tabs.setCurrentIndex(BROWSE)
        self.browser.show_cell(MODELS[name].dataset.name, true, predicted)
        # The report stays open while the user may pick another model: the cell is this one's.
        index = self.picker.findData(name)
        if index < 0:
            self.statusBar().showMessage(f"{MODELS[name].title} ({name}) is not loaded any more.")
            return
        if self.picker.currentIndex() == index:
            self._ensure_scores()
        else:
            self.picker.setCurrentIndex(index)  # _model_changed scores it

    def _scoring_failed(self, message: str) -> None:
        self.scoring = None
        self.browser.wrong_only.setChecked(False)
        self.browser.cell = None
        QMessageBox.warning(self, "visionlab", f"Could not classify the test set: {message}")

    # files
    def _open_files(self) -> None:
        if self.browser.ask_files():
            self.tabs.setCurrentIndex(BROWSE)

    def _open_folder(self) -> None:
        if self.browser.ask_folder():
            self.tabs.setCurrentIndex(BROWSE)

    def open_paths(self, paths: list[Path]) -> None:
        if self.browser.open_paths(paths):
            self.tabs.setCurrentIndex(BROWSE)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.open_paths(paths)
            event.acceptProposedAction()

    # for the lecture hall
    def export(self) -> Path | None:
        """Save the input and the chart side by side as one PNG."""
        default = Path(self.settings.value("export_dir", str(Path.home()))) / "visionlab.png"
        target, _ = QFileDialog.getSaveFileName(self, "Export input and chart", str(default), "PNG image (*.png)")
        if not target:
            return None
        return self.export_to(Path(target))

    def export_to(self, target: Path) -> Path | None:
        source = self.canvas if self.tabs.currentIndex() == DRAW else self.browser.view
        left, right = source.grab(), self.chart_slot.grab()
        height = max(left.height(), right.height())
        picture = QPixmap(left.width() + right.width(), height)
        picture.fill(self.palette().window().color())
        painter = QPainter(picture)
        painter.drawPixmap(0, (height - left.height()) // 2, left)
        painter.drawPixmap(left.width(), (height - right.height()) // 2, right)
        painter.end()
        if not picture.save(str(target), "PNG"):
            QMessageBox.warning(self, "visionlab", f"Could not write {target}. Choose another folder.")
            return None
        self.settings.setValue("export_dir", str(target.parent))
        self.statusBar().showMessage(f"Saved {target}", 5000)
        return target

    def set_presentation(self, on: bool) -> None:
        """Large fonts and bars for the back row of a lecture hall."""
        application = QApplication.instance()
        normal = application.property("visionlab_font_size") or QApplication.font().pointSize()
        application.setProperty("visionlab_font_size", normal)
        size = round(normal * PRESENTATION_SCALE) if on else normal
        font = QFont(QApplication.font())
        font.setPointSize(size)
        QApplication.setFont(font)
        self.chart_font_size = size + 2
        if self.chart is not None:
            self.chart.set_font_size(self.chart_font_size)
        self.settings.setValue("presentation", on)

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def show_help(self) -> None:
        rows = []
        for action in self.actions():
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
            if keys:
                rows.append(f"<tr><td><b>{keys}</b></td><td>{plain(action.text())}</td></tr>")
        QMessageBox.information(self, "Keyboard shortcuts", "<table cellspacing=6>" + "".join(rows) + "</table>")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("toolbars", self.saveState())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("folder", str(self.browser.last_folder))
        self.settings.setValue("data_dir", str(self.browser.data_dir))
        if self.scoring is not None:
            self.scoring.cancel()
        self.browser.cancel_jobs()
        QThreadPool.globalInstance().waitForDone(3000)  # cancelled jobs stop at their next check
        self.thread.quit()
        self.thread.wait()  # a model still loading finishes first; killing the thread would abort
        self.worker.pool.shutdown(cancel_futures=True)
        super().closeEvent(event)

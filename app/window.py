"""The main window: layout and wiring. Input on the left (draw or browse), the model picker and the
confidence chart on the right; what is shown and asked for lives in the session (app/core)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import concurrency, export, paste, presentation
from app.actions import Actions, Tab
from app.answer_panel import AnswerPanel
from app.asking import ERROR_SHOWN_MS, Asking
from app.browser import Browser
from app.canvas import DrawingTab
from app.core.session import Session
from app.device_menu import DeviceMenu
from app.model_loading import ModelLoading
from app.model_panel import ModelPicker
from app.scoring import TestSetScorer
from app.settings import Settings
from app.worker import start_worker
from models.registry import DATASETS, DRAWN, MODELS, spec

if TYPE_CHECKING:
    from app.inside.dock import InsideDock
    from app.lab.dock import LabDock
    from app.report import ModelReport, Reports
    from models.classifier import Classifier

# A dock opens at most this share of the window wide: given its own width, the Inside dock left the
# chart and the model picker their least beside it on a 1024-pixel projector.
DOCK_SHARE = 0.35


class MainWindow(QMainWindow):
    modelsReady = Signal()  # after a load or a failed device change has been shown
    answerShown = Signal()  # after the chart shows a new answer
    scoresReady = Signal()  # after a model's answers for a whole test set have arrived
    reportShown = Signal()  # after a model report has opened, or said why it could not
    exported = Signal(object)  # the path of an export, once written

    def __init__(self, device: str | None = None, model: str | None = None, data_dir: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle("visionlab")
        self.setAcceptDrops(True)
        self.settings = Settings()
        self.session = Session(self.settings.chosen_models())
        self.reports: Reports | None = None  # made with the first report: it pulls in pyqtgraph
        self.lab: LabDock | None = None  # made when first opened, for the same reason
        self.inside: InsideDock | None = None  # likewise

        self.drawing_tab = DrawingTab()
        self.canvas = self.drawing_tab.canvas
        self.browser = Browser(data_dir or self.settings.data_dir, self.settings.folder)
        self.tabs = QTabWidget()
        self.picker = ModelPicker()
        self.answers = AnswerPanel()
        self._build_layout()
        self.commands = Actions(self, self._slots())
        self.devices = DeviceMenu(self.commands.menus["&Device"], self)
        browser = self.browser
        buttons = {"compare": self.picker.compare, "previous": browser.previous, "next": browser.next}
        self.commands.lend_tooltips({**buttons, "random": browser.random})
        self.commands.show_tab(Tab.DRAW)

        concurrency.configure()
        self.worker, self.inference_thread = start_worker(concurrency.model_threads())
        self.loading = ModelLoading(self.session, self.worker, self.devices, device, self)
        self.scorer = TestSetScorer(self.session, self.browser, self)
        self.asking = Asking(self.session, self.worker, self.canvas, self.browser, self.answers, self.statusBar(), self)
        self._connect()
        self.statusBar().showMessage("Loading PyTorch and the models…")
        self.statusBar().addPermanentWidget(self.devices.label)
        self._restore()
        if model is not None:
            self._picked(model)
            if spec(model).dataset is not DRAWN:  # its pictures are browsed, not drawn
                self.browser.set_source(spec(model).dataset.name)
                self.tabs.setCurrentIndex(Tab.BROWSE.value)

    def start(self) -> None:
        """Build the chart and ask the worker to load every model with weights; the window is already up."""
        self.answers.build_chart(DATASETS[self.session.dataset].classes)
        self.loading.start()

    # layout and wiring
    def _build_layout(self) -> None:
        self.tabs.addTab(self.drawing_tab, "Draw")
        self.tabs.addTab(self.browser, "Browse")
        side = QWidget()
        panel = QVBoxLayout(side)
        panel.addWidget(self.picker)
        panel.addWidget(self.answers, 1)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

    def _slots(self) -> dict:
        browser = self.browser
        return {
            "open_files": lambda: self._browse_if(browser.ask_files()),
            "open_folder": lambda: self._browse_if(browser.ask_folder()),
            "paste": self.paste,
            "export": self.export,
            "quit": self.close,
            "clear": self.canvas.clear,
            "undo": self.canvas.undo,
            "redo": self.canvas.redo,
            "previous": lambda: browser.selection.step(-1),
            "next": lambda: browser.selection.step(1),
            "random": lambda: browser.selection.pick_random(browser.rng),
            "show_draw": lambda: self.show_tab(Tab.DRAW),
            "show_browse": lambda: self.show_tab(Tab.BROWSE),
            "compare": self.picker.compare.toggle,
            "explain": self.session.set_explaining,
            "calibrated": self.session.set_calibrated,
            "presentation": self.set_presentation,
            "full_screen": lambda: self.showNormal() if self.isFullScreen() else self.showFullScreen(),
            "report": self.show_report,
            "lab": self.show_lab,
            "inside": self.show_inside,
            "help": lambda: QMessageBox.information(self, "Keyboard shortcuts", self.commands.help_html()),
        }

    def _connect(self) -> None:
        session, browser = self.session, self.browser
        predict = self.asking.predict
        self.canvas.inkChanged.connect(predict)
        self.canvas.strokeFinished.connect(predict)  # the heat map waits for the pen to lift
        self.tabs.currentChanged.connect(self._input_changed)
        browser.currentChanged.connect(predict)
        browser.datasetChanged.connect(lambda _: self._input_changed())
        browser.answersWanted.connect(lambda: self.scorer.follow(self.classifiers))
        self.picker.picked.connect(self._picked)
        self.picker.compare.toggled.connect(session.set_compare)
        session.offer_changed.connect(lambda _: self.picker.show_offer(session))
        session.choice_changed.connect(lambda _: self._choice_changed())
        session.question_changed.connect(lambda _: predict())
        self.answers.classClicked.connect(session.explain_class)
        self.loading.said.connect(self.statusBar().showMessage)
        self.loading.warned.connect(lambda message: QMessageBox.warning(self, "visionlab", message))
        self.loading.ended.connect(self.modelsReady)
        self.asking.shown.connect(self.answerShown)
        self.scorer.scored.connect(self.scoresReady)
        self.scorer.said.connect(browser.filters.say)
        self.scorer.failed.connect(self._scoring_failed)

    def _restore(self) -> None:
        layout = self.settings.layout()
        if layout is not None:
            geometry, toolbars, splitter = layout
            self.restoreGeometry(geometry)
            self.restoreState(toolbars)
            self.splitter.restoreState(splitter)
        else:
            # A projector's 1024x768 has less room than the window would like.
            self.resize(QSize(1200, 720).boundedTo(self.screen().availableGeometry().size()))
            self.splitter.setSizes([600, 600])  # else the chart's side gets only what its widgets ask for
        if self.settings.presentation:
            self.commands["presentation"].setChecked(True)  # which sets the fonts

    def show_tab(self, tab: Tab) -> None:
        self.tabs.setCurrentIndex(tab.value)

    def _browse_if(self, opened: bool) -> None:
        """The Browse tab, where pictures were just opened."""
        if opened:
            self.show_tab(Tab.BROWSE)

    def _input_changed(self) -> None:
        drawing = self.tabs.currentIndex() == Tab.DRAW.value
        self.commands.show_tab(Tab.DRAW if drawing else Tab.BROWSE)
        self.session.show_input(drawing, self.browser.dataset)
        self.asking.predict()

    @property
    def classifiers(self) -> dict[str, Classifier]:
        """The models ready to answer, as the inference thread handed them over."""
        return self.loading.classifiers

    def _picked(self, name: str) -> None:
        self.settings.choose_model(MODELS[name].dataset.name, name)
        self.session.choose(name)

    def _choice_changed(self) -> None:
        self.picker.show_offer(self.session)
        self.answers.info.show_choice(self.session)
        self.scorer.follow(self.classifiers)
        self.asking.predict()

    def _scoring_failed(self, message: str) -> None:
        self.browser.answers_failed()
        QMessageBox.warning(self, "visionlab", message)

    def show_lab(self, on: bool) -> None:
        if self.lab is None:
            from app.lab.dock import LabDock  # pyqtgraph: not before the window shows

            self.lab = LabDock(self.session, lambda: self.classifiers, self)
            self._add_dock(self.lab, "lab")
            self.answers.classClicked.connect(self.lab.attack.set_target)
            self.lab.explainWanted.connect(lambda: self.commands["explain"].setChecked(True))
            self.asking.blanked.connect(self.lab.show_nothing)
        self.lab.setVisible(on)

    def show_inside(self, on: bool) -> None:
        if self.inside is None:
            from app.inside.dock import InsideDock  # pyqtgraph: not before the window shows

            self.inside = InsideDock(self.session, lambda: self.classifiers, self.browser.panel.sets.get, self)
            self._add_dock(self.inside, "inside")
            self.inside.opened.connect(self.open_test_image)
            self.asking.blanked.connect(partial(self.inside.show_answer, None))
        self.inside.setVisible(on)

    def _add_dock(self, dock: QDockWidget, action: str) -> None:
        """Dock it on the right, at most DOCK_SHARE of the window wide. Its menu entry stays checked
        while the dock is open, also behind another dock of its tab group, and unchecks when its own
        button closes it."""
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        width = min(dock.sizeHint().width(), round(self.width() * DOCK_SHARE))
        self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        dock.visibilityChanged.connect(lambda _: self.commands[action].setChecked(not dock.isHidden()))

    def open_test_image(self, dataset: str, index: int) -> None:
        """Show test image `index` of `dataset` on the Browse tab."""
        self.show_tab(Tab.BROWSE)
        self.browser.show_test_image(dataset, index)

    def show_report(self) -> None:
        """Calibration, confusion, per-class accuracy, training curves and layers of the picked model."""
        name = self.session.picked()
        classifier = self.classifiers.get(name) if name else None
        if classifier is None:
            QMessageBox.information(self, "visionlab", "Choose a trained model first.")
            self.reportShown.emit()
            return
        image = self.session.model_input
        if image is not None and image.shape[-1] != classifier.spec.dataset.channels:
            image = None  # the last input was for a model of the other dataset
        if self.reports is None:
            from app.report import Reports  # pyqtgraph: not before the window shows

            self.reports = Reports(self)
            self.reports.opened.connect(self.reportShown)
            self.reports.cellClicked.connect(self.browse_cell)
        self.reports.show(classifier, image)

    @property
    def report(self) -> ModelReport | None:
        """The report opened last."""
        return self.reports.last if self.reports is not None else None

    def browse_cell(self, name: str, true: int, predicted: int) -> None:
        """The test images of one confusion-matrix cell of model `name`'s report."""
        self.show_tab(Tab.BROWSE)
        self.browser.show_cell(MODELS[name].dataset.name, true, predicted)
        # The report stays open while the user may pick another model: the cell is this one's.
        if not self.picker.pick(name):
            self.statusBar().showMessage(f"{MODELS[name].title} ({name}) is not loaded any more.", ERROR_SHOWN_MS)
        self.raise_()  # the browser in front of the report
        self.activateWindow()

    # files
    def open_paths(self, paths: list[Path]) -> bool:
        opened = self.browser.open_paths(paths)
        self._browse_if(opened)
        return opened

    def paste(self) -> None:
        """Add the picture (or picture files) on the clipboard to My images, and show it."""
        paste.paste(
            self,
            lambda paths: self._browse_if(self.browser.open_paths(paths, add=True)),
            lambda message: QMessageBox.information(self, "visionlab", message),
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if paste.can_take(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files from a file manager open in place of those open; a picture from a web page joins them."""
        event.acceptProposedAction()
        paste.take(
            self,
            event.mimeData(),
            self.open_paths,
            lambda path: self._browse_if(self.browser.open_paths([path], add=True)),
            # After the drop: a dialog within it held the application the drag came from (Windows).
            lambda message: QTimer.singleShot(0, self, lambda: QMessageBox.information(self, "visionlab", message)),
        )

    # for the lecture hall
    def export(self) -> None:
        """Save the input and the chart side by side as one PNG, asking where."""
        name = export.file_name(self.session.picked() or "", self.session.top_class() or "")
        target = export.ask_target(self, self.settings.export_dir, name)
        if target is not None:
            self.export_to(target)

    def export_to(self, target: Path) -> None:
        """Save the input and the chart as they look now into `target`; `exported` fires once it is written."""

        def saved(path: Path) -> None:
            self.settings.export_dir = path.parent
            self.statusBar().showMessage(f"Saved {path}", 5000)
            self.exported.emit(path)

        source = self.canvas if self.session.drawing else self.browser.view
        export.export(
            source,
            source.shown_rect(),
            self.answers.chart_slot,
            target,
            saved,
            lambda problem: QMessageBox.warning(self, "visionlab", problem),
        )

    def set_presentation(self, on: bool) -> None:
        """Large fonts, a large readout and model's-eye view, and high contrast, for the back row of a lecture hall."""
        self.answers.set_font_size(presentation.set_fonts(on) + 2)
        self.settings.presentation = on
        self._fit_lecture_view()

    def _fit_lecture_view(self) -> None:
        on = self.commands["presentation"].isChecked()
        self.answers.set_lecture_view(on, self.height(), self.screen().size().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_lecture_view()  # the lecture view's sizes follow the window's height

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save what is remembered, stop everything, and wait for nothing (app/concurrency.py)."""
        self.settings.save_layout(self.saveGeometry(), self.saveState(), self.splitter.saveState())
        self.settings.folder = self.browser.last_folder
        self.settings.data_dir = self.browser.panel.data_dir
        self.settings.store.sync()
        if self.reports is not None:
            self.reports.close_all()
        self.scorer.cancel()
        self.browser.cancel_jobs()
        concurrency.retire(self.inference_thread, self.worker.close)
        super().closeEvent(event)

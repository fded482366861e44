"""A model's report: its card as figures (app/report_figures.py) and its layers, in one dialog that
opens once the look inside the network, made off the GUI thread, is ready. Nothing here needs the dataset."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import presentation, tasks
from app.figure_style import figures, in_ink, in_letters
from app.report_figures import ConfusionView, first_layer_view, per_class_plot, reliability_view, training_plot
from app.scrolling import VerticalScroll
from models.card import Card, Unfamiliarity

if TYPE_CHECKING:
    from models.classifier import Classifier

EVERY_PROPERTY = (1 << 32) - 1  # a resolve mask that marks every font or palette property as set
WIDTH, HEIGHT = 820, 620  # a report's size at the normal letters


def report_size(tab_names_width: int, letters: float, room: QSize) -> QSize:
    """A new report's size: wide enough for every tab's name, grown with the letters (`letters`
    times the normal ones: at 820x620 in presentation mode's, its plots lost tick labels), and
    within the screen's `room`."""
    wanted = QSize(max(round(WIDTH * letters), tab_names_width + 40), round(HEIGHT * letters))
    return wanted.boundedTo(room)


class ModelReport(QDialog):
    """Tabs of figures about one model; `cellClicked` asks the window to browse a confusion cell.

    Its font and palette are its own, copied from the application's when it opens and each time
    it comes to the front: a change of the application's (presentation mode) laid out and
    repainted every report left open at once, 0.1-0.3 s each on the GUI thread.
    """

    cellClicked = Signal(int, int)
    ready = Signal()  # its first page is made

    def __init__(
        self,
        card: Card,
        layers_text: str,
        first_layer: tuple[np.ndarray, np.ndarray | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        title = card.title or card.model
        self.setWindowTitle(f"{title} ({card.model}): report")
        tabs = QTabWidget()
        text = f"<b>{title}</b>"
        test = card.test
        if test is not None:
            text += (
                f": test accuracy {test.accuracy * 100:.2f}%, macro-F1 {test.macro_f1 * 100:.2f}% "
                f"on the {card.test_set or 'test set'}"
            )
        inference = card.inference
        if inference.mirror_average and inference.single_view_test_accuracy is not None:
            single = inference.single_view_test_accuracy * 100
            text += f"<br>Each answer averages the picture and its mirror image ({single:.2f}% from the picture alone)."
        header = QLabel(text, wordWrap=True)  # in presentation mode's letters, wider than a 1024-pixel screen
        # Each page is made when first shown: making them all at once held the window 0.2 s.
        self.makers: dict[str, Callable[[], QWidget]] = {"Calibration": lambda: reliability_view(card.calibration)}
        if test is not None:
            self.makers["Confusion"] = lambda: self._confusion(np.asarray(test.confusion_matrix), card.classes)
            self.makers["Per class"] = lambda: per_class_plot(test.per_class_accuracy, card.classes)
        runs = card.runs()
        if any(run.history for run in runs):
            self.makers["Training"] = lambda: training_page(runs)
        if card.unfamiliarity is not None:
            entry = card.unfamiliarity
            # Scrolled: in presentation mode's letters its tables stood taller than the report.
            self.makers["Unfamiliar inputs"] = lambda: VerticalScroll(unfamiliarity_page(entry))
        if first_layer is not None:
            self.makers["First layer"] = lambda: first_layer_page(*first_layer)
        self.makers["Layers"] = lambda: layers_page(layers_text)
        self.made: dict[str, QWidget] = {}
        for name in self.makers:
            tabs.addTab(QWidget(), name)
        tabs.currentChanged.connect(lambda index: self.page(tabs.tabText(index)))
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(tabs, 1)
        self.tabs = tabs
        self.header = header
        self.followed: tuple[QFont, QPalette] | None = None  # the application's, when last taken
        self.follow_application()
        # Every tab's name in the letters of its time (in presentation mode's, "Layers" hid behind the
        # tab bar's arrows), in nine tenths of the screen at most: the frame and title bar lie outside
        # the size, and filling a 1024x768 projector the report hid the window it reports on.
        screen = self.screen()
        room = screen.availableGeometry().size() * 0.9 if screen else QSize(WIDTH, HEIGHT)
        self.resize(report_size(tabs.tabBar().sizeHint().width(), presentation.letters(), room))
        # The first page on the next turn of the event loop: made with the dialog, the two held
        # the GUI thread 0.1-0.2 s under load.
        QTimer.singleShot(0, self, self._first_page)

    def _first_page(self) -> None:
        self.page(self.tabs.tabText(self.tabs.currentIndex()))
        self.ready.emit()

    def follow_application(self) -> None:
        """Take the application's font and palette where they changed, and ink the figures anew."""
        font, palette = QApplication.font(), QApplication.palette()
        if self.followed == (font, palette):
            return
        self.followed = (QFont(font), QPalette(palette))
        own_font, own_palette = QFont(font), QPalette(palette)
        # Every property marked as set, none inherited: else the application's changes reach the report still.
        own_font.setResolveMask(EVERY_PROPERTY)
        own_palette.setResolveMask(EVERY_PROPERTY)
        self.setFont(own_font)
        self.setPalette(own_palette)
        ink_figures(self, own_font)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            self.follow_application()
        return super().event(event)

    def page(self, name: str) -> QWidget:
        """The page of that tab, made now if it was not yet."""
        if name not in self.made:
            index = list(self.makers).index(name)
            self.made[name] = self.makers[name]()
            ink_figures(self.made[name], self.font())  # made after the letters and colours were last taken
            with QSignalBlocker(self.tabs):
                current = self.tabs.currentIndex()
                self.tabs.removeTab(index)
                self.tabs.insertTab(index, self.made[name], name)
                self.tabs.setCurrentIndex(current)
        return self.made[name]

    def show_page(self, name: str) -> QWidget:
        """Bring the page of that tab to the front."""
        page = self.page(name)
        self.tabs.setCurrentWidget(page)
        return page

    def _confusion(self, matrix: np.ndarray, classes: list[str]) -> ConfusionView:
        view = ConfusionView(matrix, classes)
        view.cellClicked.connect(self.cellClicked)
        return view


def ink_figures(root: QWidget, font: QFont) -> None:
    """Every figure in `root`, itself included, in the palette's ink and the letters of `font`."""
    for plot in figures(root):
        in_ink(plot)
        in_letters(plot, font)


def training_page(runs: list) -> QWidget:
    page = QWidget()
    column = QVBoxLayout(page)
    column.addWidget(training_plot(runs, "loss"))
    column.addWidget(training_plot(runs, "accuracy"))
    return page


def first_layer_page(kernels: np.ndarray, maps: np.ndarray | None) -> QWidget:
    page = QWidget()
    column = QVBoxLayout(page)
    explanation = "Each small square is a 3x3 filter of the first convolution"
    if maps is not None:
        explanation += "; below it, that filter applied to the current input (bright: strong response)."
    column.addWidget(QLabel(explanation, wordWrap=True))  # on one line it widened the report past the screen
    column.addWidget(first_layer_view(kernels, maps), 1)
    return page


def unfamiliarity_page(entry: Unfamiliarity) -> QLabel:
    """How the model tells inputs unlike its training data, and how well, as the card records it."""
    familiar = ", ".join(f"{name} {share:.1%}" for name, share in entry.familiar_flagged.items())
    rows = "".join(
        f"<tr><td>{name}</td><td align=right>{result.pictures}</td><td align=right>{result.auroc:.3f}</td>"
        f"<td align=right>{result.flagged:.0%}</td></tr>"
        for name, result in entry.unfamiliar.items()
    )
    methods = "".join(
        f"<tr><td>{method}</td>" + "".join(f"<td align=right>{value:.3f}</td>" for value in aurocs.values()) + "</tr>"
        for method, aurocs in entry.methods_auroc.items()
    )
    names = "".join(f"<th>{name}</th>" for name in entry.unfamiliar)
    page = QLabel(
        f"<p>Above a score of {entry.threshold:.3g} ({entry.method}) the chart warns that the input is unlike "
        f"anything the model was trained on. Familiar pictures it never saw, flagged: {familiar}.</p>"
        f"<table cellpadding=4><tr><th align=left>unfamiliar pictures</th><th>count</th><th>AUROC</th>"
        f"<th>flagged</th></tr>{rows}</table>"
        f"<p>AUROC of every method tried:</p><table cellpadding=4><tr><th></th>{names}</tr>{methods}</table>"
        f"<p>{entry.fitted_on}</p>"
    )
    page.setWordWrap(True)
    page.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return page


def layers_page(text: str) -> QPlainTextEdit:
    layers = QPlainTextEdit(text)
    layers.setReadOnly(True)
    layers.setFont(QFont("monospace"))
    layers.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return layers


class Reports(QObject):
    """The model reports open, each a window of its own (not one kept above the main window, so
    that a click on a confusion cell can bring the browser to the front), closed with the window.

    `opened` fires once a report asked for has opened, or a message has said why it could not;
    `cellClicked` with (model, true class, predicted class) for a click on a confusion cell.
    """

    opened = Signal()
    cellClicked = Signal(str, int, int)
    KEPT_OPEN = 3  # one per model of a dataset, side by side; opening another closes the oldest (each about 13 MB)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.open: list[ModelReport] = []  # in the order they opened

    def show(self, classifier: Classifier, image: np.ndarray | None) -> None:
        """Look inside `classifier` (its layers, its first layer's response to `image`) on the
        thread pool, then open its report."""

        def opened(inside: tuple[str, tuple[np.ndarray, np.ndarray | None] | None]) -> None:
            report = ModelReport(classifier.card, *inside)
            # Several reports may stay open side by side; a closed one frees its figures.
            report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            report.destroyed.connect(lambda: self.open.remove(report))
            report.cellClicked.connect(lambda true, predicted: self.cellClicked.emit(classifier.name, true, predicted))
            self.open.append(report)
            if len(self.open) > self.KEPT_OPEN:
                self.open[0].close()
            report.ready.connect(self.opened)
            report.show()

        def failed(message: str) -> None:
            QMessageBox.warning(self.window, "visionlab", f"Could not look inside {classifier.spec.title}: {message}")
            self.opened.emit()

        tasks.start(
            lambda progress, cancelled: (classifier.layer_summary(), classifier.first_layer(image)),
            opened,
            failed,
            self,
        )

    @property
    def last(self) -> ModelReport | None:
        """The report opened last, while it is open."""
        return self.open[-1] if self.open else None

    def close_all(self) -> None:
        for report in list(self.open):
            report.close()

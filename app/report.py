"""A model's report: its card as figures (app/report_figures.py) and its layers, in one dialog that
opens once the look inside the network, made off the GUI thread, is ready. Nothing here needs the dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from app import tasks
from app.report_figures import ConfusionView, first_layer_view, per_class_plot, reliability_view, training_plot
from models.card import Card

if TYPE_CHECKING:
    from models.classifier import Classifier


class ModelReport(QDialog):
    """Tabs of figures about one model; `cellClicked` asks the window to browse a confusion cell."""

    cellClicked = Signal(int, int)

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
        self.resize(820, 620)
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
        header = QLabel(text)
        tabs.addTab(reliability_view(card.calibration), "Calibration")
        if test is not None:
            self.confusion = ConfusionView(np.asarray(test.confusion_matrix), card.classes)
            self.confusion.cellClicked.connect(self.cellClicked)
            tabs.addTab(self.confusion, "Confusion")
            tabs.addTab(per_class_plot(test.per_class_accuracy, card.classes), "Per class")
        runs = card.runs()
        if any(run.history for run in runs):
            curves = QWidget()
            column = QVBoxLayout(curves)
            column.addWidget(training_plot(runs, "loss"))
            column.addWidget(training_plot(runs, "accuracy"))
            tabs.addTab(curves, "Training")
        if first_layer is not None:
            kernels, maps = first_layer
            page = QWidget()
            column = QVBoxLayout(page)
            explanation = "Each small square is a 3x3 filter of the first convolution"
            if maps is not None:
                explanation += "; below it, that filter applied to the current input (bright: strong response)."
            column.addWidget(QLabel(explanation))
            column.addWidget(first_layer_view(kernels, maps), 1)
            tabs.addTab(page, "First layer")
        layers = QPlainTextEdit(layers_text)
        layers.setReadOnly(True)
        layers.setFont(QFont("monospace"))
        layers.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        tabs.addTab(layers, "Layers")
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(tabs, 1)
        self.tabs = tabs
        self.header = header


class Reports(QObject):
    """The model reports open, each a window of its own (not one kept above the main window, so
    that a click on a confusion cell can bring the browser to the front), closed with the window.

    `opened` fires once a report asked for has opened, or a message has said why it could not;
    `cellClicked` with (model, true class, predicted class) for a click on a confusion cell.
    """

    opened = Signal()
    cellClicked = Signal(str, int, int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.open: list[ModelReport] = []
        self.last: ModelReport | None = None  # the last one opened

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
            self.last = report
            report.show()
            self.opened.emit()

        def failed(message: str) -> None:
            QMessageBox.warning(self.window, "visionlab", f"Could not look inside {classifier.spec.title}: {message}")
            self.opened.emit()

        tasks.start(
            lambda progress, cancelled: (classifier.layer_summary(), classifier.first_layer(image)),
            opened,
            failed,
            self,
        )

    def close_all(self) -> None:
        for report in list(self.open):
            report.close()

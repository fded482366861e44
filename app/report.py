"""A model's report: its card as figures (app/report_figures.py) and its layers, in one dialog that
opens once the look inside the network, made off the GUI thread, is ready. Nothing here needs the dataset."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt, Signal
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


def open_report(
    parent: QWidget,
    classifier: Classifier,
    image: np.ndarray | None,
    opened: Callable[[ModelReport | None], None],
) -> None:
    """Look inside `classifier` (its layers, its first layer's response to `image`) on the thread pool,
    then open its report; `opened` gets the report, which it must keep (it has no parent), or None
    after a message says why there is none."""

    def show(inside: tuple[str, tuple[np.ndarray, np.ndarray | None] | None]) -> None:
        # A window of its own, not one that stays above the main window: a click on a confusion
        # cell brings the browser to the front. The caller keeps it, and closes it with the window.
        report = ModelReport(classifier.card, *inside)
        # Several reports may stay open side by side; a closed one frees its figures.
        report.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        report.show()
        opened(report)

    def failed(message: str) -> None:
        QMessageBox.warning(parent, "visionlab", f"Could not look inside {classifier.spec.title}: {message}")
        opened(None)

    tasks.start(
        lambda progress, cancelled: (classifier.layer_summary(), classifier.first_layer(image)), show, failed, parent
    )

"""What the models answered: the confidence chart, the picture the models saw with its heat map,
and what the picked model is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.model_panel import ModelInfo
from app.preview import PixelView
from models.answering import Answer
from models.registry import MODELS

if TYPE_CHECKING:
    from app.chart import ConfidenceChart  # built once the window shows: it pulls in pyqtgraph


class AnswerPanel(QWidget):
    """The chart (a note saying what loads until it is built), the model input and the model info.

    `classClicked` fires with the index of a class whose bar was clicked.
    """

    classClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: ConfidenceChart | None = None
        self.font_size = 11
        self.chart_slot = QStackedWidget()
        self.chart_slot.addWidget(
            QLabel("Loading PyTorch, the models and the chart…", alignment=Qt.AlignmentFlag.AlignCenter)
        )
        self.preview = PixelView()
        self.preview.setToolTip("The image the model sees, after centring and scaling")
        self.info = ModelInfo()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.chart_slot, 1)
        lower = QHBoxLayout()
        seen = QVBoxLayout()
        seen.addWidget(QLabel("Model input"))
        seen.addWidget(self.preview)
        lower.addLayout(seen)
        lower.addWidget(self.info, 1)
        column.addLayout(lower)

    def build_chart(self, classes: tuple[str, ...]) -> None:
        """The chart in place of the note; pyqtgraph takes a good part of a second to import, so
        this waits until the window shows."""
        if self.chart is not None:
            return
        from app.chart import ConfidenceChart

        self.chart = ConfidenceChart()
        self.chart.set_font_size(self.font_size)
        self.chart.set_classes(classes)
        self.chart.classClicked.connect(self.classClicked)
        self.chart_slot.addWidget(self.chart)
        self.chart_slot.setCurrentWidget(self.chart)

    def show_answer(self, answer: Answer, note: str) -> None:
        """The bars of every model that answered, the picture they saw and the picked one's heat map."""
        self.preview.set_array(answer.model_input)
        self.preview.set_heat(answer.heat)
        if self.chart is None:
            return
        if not answer.probabilities:
            self.chart.clear()
            return
        self.chart.set_classes(MODELS[next(iter(answer.probabilities))].classes)
        titles = {name: MODELS[name].title for name in answer.probabilities}
        self.chart.display(answer.probabilities, answer.true_label, titles, note)

    def blank(self, classes: tuple[str, ...] | None = None) -> None:
        """No answer on show; `classes` gives the axis of what would be shown."""
        self.preview.set_array(None)
        self.preview.set_heat(None)
        if self.chart is not None:
            self.chart.clear()
            if classes is not None:
                self.chart.set_classes(classes)

    def set_font_size(self, points: int) -> None:
        self.font_size = points
        if self.chart is not None:
            self.chart.set_font_size(points)

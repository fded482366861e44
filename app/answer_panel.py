"""What the models answered: the answer in large letters, the confidence chart, the picture the
models saw with its heat map, and what the picked model is. Nothing here changes size with what
it says: the canvas beside it must not move under the pen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from app.model_panel import ModelInfo
from app.preview import PixelView
from app.readout import Readout
from models.answering import Answer
from models.registry import MODELS

if TYPE_CHECKING:
    from app.chart import ConfidenceChart  # built once the window shows: it pulls in pyqtgraph

READOUT_HEIGHT = 56  # pixels, outside presentation mode
PREVIEW_SIDE = 112
# In presentation mode, of the screen's height, but never more than these shares of the window's.
LECTURE_READOUT = (1 / 8, 1 / 5)
LECTURE_PREVIEW = (1 / 4, 1 / 4)
# Of the panel's height, which the bars keep in the lecture view before the model input and the
# model's description: on a projector's 1024x768, the large letters had left the bars 25 pixels. At
# 1920x1080 a comparison keeps the model input, with 307 of the panel's 931 pixels for the bars.
PLOT_SHARE = 0.3


class AnswerPanel(QWidget):
    """The readout, the chart (a note saying what loads until it is built), the model input and the model info.

    `classClicked` fires with the index of a class whose bar was clicked.
    """

    classClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: ConfidenceChart | None = None
        self.font_size = 11
        self.lecture = False
        self.readout = Readout(READOUT_HEIGHT)
        self.chart_slot = QStackedWidget()
        loading = QLabel("Loading PyTorch, the models and the chart…", alignment=Qt.AlignmentFlag.AlignCenter)
        loading.setWordWrap(True)  # a stack is as wide as its widest page, shown or not
        self.chart_slot.addWidget(loading)
        self.preview = PixelView()
        self.preview.setToolTip("The image the model sees, after centring and scaling")
        self.info = ModelInfo()
        column = self.column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.readout)
        column.addWidget(self.chart_slot, 1)
        self.details = QWidget()
        self.details.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # as tall as its parts
        row = QHBoxLayout(self.details)
        row.setContentsMargins(0, 0, 0, 0)
        seen = QVBoxLayout()
        seen.addWidget(QLabel("Model input"))
        seen.addWidget(self.preview)
        row.addLayout(seen)
        row.addWidget(self.info, 1)
        column.addWidget(self.details)
        self.set_lecture_view(False, 0, 0)

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
        self._make_room()

    def show_answer(self, answer: Answer, note: str, picked: str | None) -> None:
        """The bars of every model that answered, the picked one's answer in large letters, the
        picture they saw and the picked one's heat map."""
        self.preview.set_array(answer.model_input)
        self.preview.set_heat(answer.heat)
        if not answer.probabilities:
            self.readout.clear()
            if self.chart is not None:
                self.chart.clear()
            return
        first = picked if picked in answer.probabilities else next(iter(answer.probabilities))
        classes = MODELS[first].classes
        title = MODELS[first].title if len(answer.probabilities) > 1 else ""
        self.readout.show_answer(classes, answer.probabilities[first], title)
        if self.chart is None:
            return
        self.chart.set_classes(classes)
        titles = {name: MODELS[name].title for name in answer.probabilities}
        explained = answer.target if answer.explained is not None else None
        self.chart.display(answer.probabilities, answer.true_label, titles, note, explained, answer.unfamiliar)
        self._make_room()  # a comparison's lines under the bars take more of it

    def blank(self, classes: tuple[str, ...], why: str = "") -> None:
        """No answer on show, and `why` where there is a reason to give; `classes` gives the axis
        of what would be shown."""
        self.preview.set_array(None)
        self.preview.set_heat(None)
        self.readout.clear()
        if self.chart is not None:
            self.chart.clear()
            self.chart.set_classes(classes)
            self.chart.summary.setText(why)

    def set_font_size(self, points: int) -> None:
        self.font_size = points
        if self.chart is not None:
            self.chart.set_font_size(points)

    def set_lecture_view(self, on: bool, window_height: int, screen_height: int) -> None:
        """A readout an eighth of the screen tall and a model's-eye view a quarter of it, as far as
        the window leaves room for the chart; or the compact sizes."""

        def lecture(shares: tuple[float, float], least: int) -> int:
            return max(round(min(screen_height * shares[0], window_height * shares[1])), least)

        readout = lecture(LECTURE_READOUT, READOUT_HEIGHT) if on else READOUT_HEIGHT
        side = lecture(LECTURE_PREVIEW, PREVIEW_SIDE) if on else PREVIEW_SIDE
        self.readout.set_height(readout)
        self.preview.setFixedSize(side, side)
        self.lecture = on
        self._make_room()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._make_room()

    def _make_room(self) -> None:
        """In the lecture view, the model input and the model's description give way where the bars
        would keep less than PLOT_SHARE of the panel; the decision reads the panel's height and
        fixed parts only, never the room the bars have now, so it cannot flip back and forth."""
        if self.chart is None:
            return
        spacing = self.column.spacing()
        fixed = self.readout.height() + self.chart.text_height() + self.details.sizeHint().height() + 3 * spacing
        self.details.setVisible(not self.lecture or self.height() - fixed >= self.height() * PLOT_SHARE)

"""One knob swept through its whole range: every class's probability along it, asked of the
picked model as one batch on the thread pool, the newest input's sweep winning."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, NamedTuple, cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QLabel, QListView, QVBoxLayout, QWidget

from app import tasks
from app.class_key import CLASS_COLOURS, class_entries, colour_key
from app.figure_style import in_letters, still
from app.lab.knob_sliders import in_percent
from app.scrolling import LeastPlot
from models.knobs import Knob, Settings

if TYPE_CHECKING:
    from models.classifier import Classifier

AXIS_TITLE = "probability (%)"
LEAST_HEIGHT = 170  # pixels


class Swept(NamedTuple):
    """What a sweep was asked of: the model (by title and classes), the input, the settings, the knob."""

    title: str
    classes: tuple[str, ...]
    picture: bytes
    knobs: Settings
    knob: Knob


class SweepPlot(QWidget):
    """`swept` fires once a sweep is drawn; the knob is chosen in the box above the plot."""

    swept = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.knob_box = QComboBox()
        for knob in Knob:
            self.knob_box.addItem(f"Sweep: {knob.title.lower()}", knob)
        self.plot = still(LeastPlot(background=None))
        self.plot.setYRange(0, 100, padding=0.02)
        self.plot.setLabel("left", AXIS_TITLE)
        # Shares are plotted in percent, as the sliders say them: with pyqtgraph's own prefixes the
        # noise ran 0-500 over "(x0.001)" beside a slider reading 30%.
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self._fit_height()
        # The legend is a line (or two) above the plot: ten names inside it ran off its bottom.
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.here = pg.InfiniteLine(angle=90, pen=pg.mkPen((128, 128, 128), style=pg.QtCore.Qt.PenStyle.DashLine))
        self.plot.addItem(self.here)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.knob_box)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        self.curves: list[pg.PlotDataItem] = []
        self.on_show: Swept | None = None  # what the curves on show were asked of
        self.running: tasks.Task | None = None
        self.waiting: tuple[Classifier, np.ndarray, Settings] | None = None  # the newest sweep asked for
        self.cleared = False  # the input is gone: a sweep still running is not drawn

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the figure's letters grow too
            font = self.font()
            for side in ("left", "bottom"):
                self.plot.getAxis(side).setStyle(tickFont=font)
            in_letters(self.plot, font)
            self._fit_height()

    def _fit_height(self) -> None:
        """Tall enough for its six ticks to stand apart (at 100 pixels they ran together) and for its
        axis's title (in presentation mode's letters it read "probability (%"); where the screen is
        shorter than the lab, the lab's page scrolls."""
        title = QFontMetrics(self.font()).horizontalAdvance(AXIS_TITLE)
        self.plot.setMinimumHeight(max(LEAST_HEIGHT, title + 2 * self.plot.getAxis("bottom").height()))

    @property
    def knob(self) -> Knob:
        return self.knob_box.currentData()

    def offer_drawing_knobs(self, drawn: bool) -> None:
        """Offer to sweep the knobs for drawings (stroke width) only where the input is drawn ink."""
        rows = cast(QListView, self.knob_box.view())  # a combo box's own list
        for row, knob in enumerate(Knob):
            if knob.for_drawings_only:
                rows.setRowHidden(row, not drawn)
                if not drawn and self.knob is knob:
                    self.knob_box.setCurrentIndex(0)

    def follow(self, classifier: Classifier, picture: np.ndarray, knobs: Settings) -> None:
        """Sweep `picture` (the input before the knobs changed it) with the other knobs as set."""
        knob = self.knob
        # The same model, input, settings and knob as the curves on show: a second answer to the
        # same input (its heat map, made by occlusion after the bars) sweeps nothing anew.
        asked = Swept(classifier.spec.title, tuple(classifier.classes), picture.tobytes(), knobs, knob)
        if asked == self.on_show and self.running is None and not self.cleared:
            return
        self.cleared = False
        # Another dataset's curves, or another knob's, go now, not when this sweep ends: under the
        # new knob's name they read as its sweep for a second or two.
        if self.on_show is None or asked.classes != self.on_show.classes or knob is not self.on_show.knob:
            self._remove_curves()
            self.plot.setTitle(f"Sweeping {knob.title.lower()}…")
        if self.running is not None:
            self.waiting = (classifier, picture, knobs)
            return

        def sweep(progress: object, cancelled: object) -> tuple[np.ndarray, np.ndarray]:
            return classifier.sweep(picture, knob, base=knobs)

        def draw(result: tuple[np.ndarray, np.ndarray]) -> None:
            if not (self._follow_waiting() or self.cleared):
                self._draw(asked, *result)

        self.running = tasks.start(sweep, draw, self._failed, self)

    def _draw(self, asked: Swept, values: np.ndarray, answers: np.ndarray) -> None:
        self.plot.setTitle(None)
        self._remove_curves()
        classes, knob, knobs = asked.classes, asked.knob, asked.knobs
        scale, unit = (100, f"% {knob.unit}") if in_percent(knob) else (1, knob.unit)
        self.curves = [
            self.plot.plot(values * scale, answers[:, k] * 100, pen=pg.mkPen(CLASS_COLOURS[k % 10], width=2))
            for k in range(len(classes))
        ]
        # Whose sweep it is: in compare mode the chart beside it shows three models.
        self.legend.setText(f"{html.escape(asked.title)}: " + colour_key(class_entries(classes, "■")))
        self.on_show = asked
        self.plot.setXRange(knob.low * scale, knob.high * scale, padding=0.02)
        self.plot.setLabel("bottom", f"{knob.title.lower()} ({unit})")
        self.here.setValue(getattr(knobs, knob.field) * scale)
        self.swept.emit()

    def clear(self) -> None:
        """No input to sweep: an empty plot."""
        self.waiting, self.cleared = None, True
        self._remove_curves()
        self.plot.setTitle(None)

    def _remove_curves(self) -> None:
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.curves, self.on_show = [], None
        self.legend.setText("")

    def _failed(self, message: str) -> None:
        if not self._follow_waiting():
            self.plot.setTitle(f"No sweep: {message}")

    def _follow_waiting(self) -> bool:
        """Start the newest sweep asked for while one ran, if any; says whether it did."""
        self.running = None
        if self.waiting is None:
            return False
        waiting, self.waiting = self.waiting, None
        self.follow(*waiting)
        return True

"""The confidence chart: one bar per class on a fixed 0-100% axis, or grouped bars to compare models."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

BAR = QColor(120, 144, 176)
TOP = QColor(230, 126, 34)
TRUE_BAND = QColor(46, 204, 113, 60)
MODEL_COLOURS = [QColor(52, 152, 219), QColor(230, 126, 34), QColor(155, 89, 182), QColor(26, 188, 156)]


def still(plot: pg.PlotWidget | pg.PlotItem) -> pg.PlotWidget | pg.PlotItem:
    """A figure to look at, not to explore: no context menu, no panning or zooming."""
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    return plot


class ConfidenceChart(QWidget):
    """Show {model name: probabilities}; one model gives coloured bars and percentages, several give groups.

    Clicking a class's bar emits `classClicked` with its index.
    """

    classClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes: tuple[str, ...] = ()
        self.font_size = 11
        self.plot = still(pg.PlotWidget(background=None))
        # Headroom above 100 leaves room for a full bar's percentage above it; ticks stop at 100.
        self.plot.setYRange(0, 112, padding=0)
        self.plot.getAxis("left").setTicks([[(v, str(v)) for v in range(0, 101, 20)]])
        self.plot.setLabel("left", "confidence (%)")
        self.plot.showGrid(y=True, alpha=0.25)
        # Else the first name, wider than the margin beside its bar, is dropped.
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        for side in ("bottom", "left"):
            # The axes only change with the classes; caching them halves the cost of a repaint.
            self.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setObjectName("topThree")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        self.bars: list[pg.BarGraphItem] = []
        self.labels: list[pg.TextItem] = []
        self.band = pg.BarGraphItem(x=[0], height=[100], width=0.95, brush=TRUE_BAND, pen=pg.mkPen(None))
        self.band.setZValue(-10)
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize=f"{self.font_size}pt")
        self.legend.setVisible(False)
        self.shown: dict[str, np.ndarray] = {}
        self.titles: dict[str, str] = {}
        self.true_label: int | None = None
        self.note = ""
        self.plot.scene().sigMouseClicked.connect(self._clicked)

    def set_classes(self, classes: tuple[str, ...]) -> None:
        if classes == self.classes:
            return
        self.classes = tuple(classes)
        self._fit_class_names()
        self.plot.setXRange(-0.6, len(self.classes) - 0.4, padding=0)
        self.clear()

    def _fit_class_names(self) -> None:
        """Names longer than a bar is wide ("automobile") would collide, and the axis drops those
        that do: every other one goes a line lower, on an axis tall enough for two lines of the
        current font. Short names keep one line and pyqtgraph's own height."""
        axis = self.plot.getAxis("bottom")
        staggered = any(len(name) > 5 for name in self.classes)
        axis.setTicks([[(i, "\n" + name if staggered and i % 2 else name) for i, name in enumerate(self.classes)]])
        font = axis.style["tickFont"] or QFont()
        axis.setHeight(2 * QFontMetrics(font).lineSpacing() + 12 if staggered else None)

    def set_font_size(self, points: int) -> None:
        self.font_size = points
        font = QFont()
        font.setPointSize(points)
        for side in ("bottom", "left"):
            self.plot.getAxis(side).setStyle(tickFont=font)
            self.plot.getAxis(side).label.setFont(font)
        self._fit_class_names()
        self.summary.setFont(font)
        self.legend.setLabelTextSize(f"{points}pt")
        shown = self.shown
        self.clear()  # the percentages above the bars are made with the font size of their time
        self.display(shown, self.true_label, self.titles, self.note)

    def clear(self) -> None:
        for item in [*self.bars, *self.labels]:
            self.plot.removeItem(item)
        self.bars, self.labels = [], []
        if self.band.scene() is not None:
            self.plot.removeItem(self.band)
        self.legend.clear()
        self.legend.setVisible(False)
        self.summary.setText("")
        self.shown = {}

    def display(
        self,
        results: dict[str, np.ndarray],
        true_label: int | None = None,
        titles: dict[str, str] | None = None,
        note: str = "",
    ) -> None:
        """Draw the given probabilities (0-1); `true_label` marks the known answer, `note` says
        what the bars show (raw or calibrated, which class is explained)."""
        self.true_label = true_label
        self.note = note
        self.titles = titles or {}
        if not results or not self.classes:
            self.clear()
            return
        if list(results) != list(self.shown) or len(self.bars) != len(results):
            self._build(list(results), self.titles)
        self.shown = results
        x = np.arange(len(self.classes))
        if len(results) == 1:
            (probabilities,) = results.values()
            percent = probabilities * 100
            top = int(np.argmax(percent))
            brushes = [TOP if i == top else BAR for i in range(len(percent))]
            self.bars[0].setOpts(x=x, height=percent, brushes=brushes)
            for i, label in enumerate(self.labels):
                text = f"{percent[i]:.0f}%" if percent[i] >= 0.5 else ""
                if label.toPlainText() != text:
                    label.setText(text)
                label.setPos(i, percent[i])
        else:
            width = 0.8 / len(results)
            for k, probabilities in enumerate(results.values()):
                self.bars[k].setOpts(x=x - 0.4 + width * (k + 0.5), height=probabilities * 100, width=width)
        if true_label is not None:
            self.band.setOpts(x=[true_label], height=[100])
            if self.band.scene() is None:
                self.plot.addItem(self.band)
        elif self.band.scene() is not None:
            self.plot.removeItem(self.band)
        self.summary.setText(
            self._summary_text(results, true_label, self.titles) + (f"<br><i>{note}</i>" if note else "")
        )

    def _build(self, names: list[str], titles: dict[str, str]) -> None:
        self.clear()
        single = len(names) == 1
        for k, name in enumerate(names):
            colour = BAR if single else MODEL_COLOURS[k % len(MODEL_COLOURS)]
            zeros = np.zeros(len(self.classes))
            bar = pg.BarGraphItem(
                x=np.arange(len(self.classes)), height=zeros, width=0.7, brush=colour, pen=pg.mkPen(None)
            )
            self.plot.addItem(bar)
            self.bars.append(bar)
            if not single:
                self.legend.addItem(bar, titles.get(name, name))
        self.legend.setVisible(not single)
        if single:
            for _ in self.classes:
                label = pg.TextItem(anchor=(0.5, 1.0), color=(60, 60, 60))
                font = QFont()
                font.setPointSize(max(8, self.font_size - 1))
                label.setFont(font)
                self.plot.addItem(label)
                self.labels.append(label)

    def _summary_text(self, results: dict[str, np.ndarray], true_label: int | None, titles: dict[str, str]) -> str:
        lines = []
        for name, probabilities in results.items():
            order = np.argsort(probabilities)[::-1][:3]
            top = ", ".join(
                f"<b>{self.classes[i]}</b> {probabilities[i] * 100:.1f}%"
                if n == 0
                else f"{self.classes[i]} {probabilities[i] * 100:.1f}%"
                for n, i in enumerate(order)
            )
            prefix = f"{titles.get(name, name)}: " if len(results) > 1 else "Top 3: "
            lines.append(prefix + top)
        if true_label is not None:
            lines.append(f"True class: <b>{self.classes[true_label]}</b>")
        return "<br>".join(lines)

    def _clicked(self, event) -> None:
        if not self.classes:
            return
        index = round(self.plot.getViewBox().mapSceneToView(event.scenePos()).x())
        if 0 <= index < len(self.classes):
            self.classClicked.emit(index)

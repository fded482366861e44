"""The confidence chart: one bar per class on a fixed 0-100% axis, or grouped bars to compare models."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QTextDocument
from PySide6.QtWidgets import QGraphicsItem, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.class_axis import ClassAxis
from app.figure_style import in_ink, in_letters, still
from app.labels import ElidedLabel
from app.theme import ink, soft_ink

BAR = QColor(120, 144, 176)
TOP = QColor(230, 126, 34)
TRUE_BAND = QColor(46, 204, 113, 60)
MODEL_COLOURS = [QColor(52, 152, 219), QColor(230, 126, 34), QColor(155, 89, 182), QColor(26, 188, 156)]
HEADROOM = 112  # the top of the axis: room above a full bar for its percentage
# Black on amber, whatever the theme: 13:1.
WARNING_STYLE = 'style="background-color:#ffc94d; color:#000000; font-weight:bold"'
WARNING = "⚠"
# One model's warning line: the long words where they fit on the line, else the short.
WARNING_LONG = f"{WARNING} Unlike anything it was trained on"
WARNING_SHORT = f"{WARNING} Unfamiliar input"
WARNING_SHORTEST = f"{WARNING} Unfamiliar"  # a narrow answer panel beside a dock, in presentation letters
WARNINGS = (WARNING_LONG, WARNING_SHORT, WARNING_SHORTEST)  # the first that fits the line
UNFAMILIAR_MEANS = (
    "The input is far from every picture the model learned from: its unfamiliarity score is above the "
    "threshold in its card. However sure the bars look, they mean little here."
)
# Lines under the bars: a line per model of a comparison, the true class and the note's two. Each
# mode reserves what it can fill, so that one model's bars get the room a comparison's lines take.
NOTE_LINES = 3


def summary_lines(models: int) -> int:
    """The lines the summary under the bars keeps for a comparison of `models` models, or one model."""
    return NOTE_LINES + (models if models > 1 else 0)


class ConfidenceChart(QWidget):
    """Show {model name: probabilities}; one model gives coloured bars and percentages, several give groups.

    Clicking a class's bar emits `classClicked` with its index; the class explained by the heat
    map is outlined.
    """

    classClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes: tuple[str, ...] = ()
        self.font_size = 11
        self.plot = still(pg.PlotWidget(background=None))
        self.class_axis = ClassAxis(self.plot)
        self.plot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        # Headroom above 100 leaves room for a full bar's percentage above it; ticks stop at 100.
        self.plot.setYRange(0, HEADROOM, padding=0)
        self.plot.getAxis("left").setTicks([[(v, str(v)) for v in range(0, 101, 20)]])
        self.plot.setLabel("left", "confidence (%)")
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)  # names are fitted to the width instead
        for side in ("bottom", "left"):
            # The axes only change with the classes; caching them halves the cost of a repaint.
            self.plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # The legend is a line above the plot: inside it, it would cover the bars of the last classes.
        # Where the chart is narrow, it wraps between models rather than cut the last ones off.
        self.legend = QLabel("")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.legend.setSizePolicy(policy)
        self.legend.setWordWrap(True)
        self.legend.setObjectName("legend")
        self.legend_line = QFontMetrics(self.legend.font()).lineSpacing() + 4
        self.summary = ElidedLabel(lines=summary_lines(1))
        self.summary.setObjectName("summary")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        self.bars: list[pg.BarGraphItem] = []
        self.labels: list[pg.TextItem] = []
        self.band = pg.BarGraphItem(x=[0], height=[100], width=0.95, brush=TRUE_BAND, pen=pg.mkPen(None))
        self.band.setZValue(-10)
        self.outline = pg.BarGraphItem(
            x=[0],
            height=[100],
            width=0.95,
            brush=pg.mkBrush(None),
            pen=pg.mkPen(ink(), width=3, style=Qt.PenStyle.DashLine),
        )
        self.shown: dict[str, np.ndarray] = {}
        self.unfamiliar: set[str] = set()
        self.titles: dict[str, str] = {}
        self.true_label: int | None = None
        self.explained: int | None = None
        self.note = ""
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.getViewBox().sigResized.connect(self._resized)
        self._show_legend()

    def _resized(self) -> None:
        """The room for each number and the warning changed: fit them again (the class names fit themselves)."""
        if self.shown:
            self._show_legend(list(self.shown))
            self._fit_percentages()

    def set_classes(self, classes: tuple[str, ...]) -> None:
        if classes == self.classes:
            return
        self.classes = tuple(classes)
        self.plot.setXRange(-0.6, len(self.classes) - 0.4, padding=0)
        self.class_axis.set_classes(self.classes)
        self.clear()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # presentation mode's black on white, or back
            in_ink(self.plot)
            self.outline.setOpts(pen=pg.mkPen(ink(), width=3, style=Qt.PenStyle.DashLine))
            for label in self.labels:
                label.setColor(soft_ink())
                label.fill = pg.mkBrush(self.palette().window().color())
                label.update()

    def set_font_size(self, points: int) -> None:
        self.font_size = points
        font = QFont()
        font.setPointSize(points)
        for side in ("bottom", "left"):
            self.plot.getAxis(side).setStyle(tickFont=font)
        in_letters(self.plot, font)
        self.plot.getAxis("left").setWidth(
            QFontMetrics(font).horizontalAdvance("100") + 2 * QFontMetrics(font).height()
        )
        self.class_axis.fit()
        for label in (self.summary, self.legend):
            label.setFont(font)
        self.legend_line = QFontMetrics(font).lineSpacing() + 4  # the plot holds still as warnings come
        self._fit_legend()
        shown = self.shown
        unfamiliar = self.unfamiliar
        self.clear()  # the percentages above the bars are made with the font size of their time
        self.display(shown, self.true_label, self.titles, self.note, self.explained, unfamiliar)

    def text_height(self) -> int:
        """The pixels the lines above and below the bars keep for themselves: the legend's one line
        and the summary's reserved lines, whatever they say now."""
        return self.legend_line + self.summary.height()

    def clear(self) -> None:
        for item in [*self.bars, *self.labels]:
            self.plot.removeItem(item)
        self.bars, self.labels = [], []
        for item in (self.band, self.outline):
            if item.scene() is not None:
                self.plot.removeItem(item)
        self.summary.setText("")
        self.shown = {}
        self.unfamiliar = set()
        self._show_legend()

    def display(
        self,
        results: dict[str, np.ndarray],
        true_label: int | None = None,
        titles: dict[str, str] | None = None,
        note: str = "",
        explained: int | None = None,
        unfamiliar: set[str] | None = None,
    ) -> None:
        """Draw the given probabilities (0-1); `true_label` marks the known answer, `note` says
        what the bars show (raw or calibrated, which class is explained), `explained` outlines
        the class the heat map explains, and the line above the bars warns of each model in
        `unfamiliar`, for which the input is unlike anything it was trained on."""
        self.true_label = true_label
        self.note = note
        self.explained = explained
        self.titles = titles or {}
        if not results or not self.classes:
            self.clear()
            return
        rebuilt = list(results) != list(self.shown) or len(self.bars) != len(results)
        if rebuilt:
            self._build(list(results))
        self.shown = results
        if rebuilt or (unfamiliar or set()) != self.unfamiliar:  # the legend's text, only when it changes
            self.unfamiliar = unfamiliar or set()
            self._show_legend(list(results))
        x = np.arange(len(self.classes))
        if len(results) == 1:
            (probabilities,) = results.values()
            percent = probabilities * 100
            top = int(np.argmax(percent))
            brushes = [TOP if i == top else BAR for i in range(len(percent))]
            self.bars[0].setOpts(x=x, height=percent, brushes=brushes)
            self._fit_percentages()
        else:
            width = 0.8 / len(results)
            for k, probabilities in enumerate(results.values()):
                self.bars[k].setOpts(x=x - 0.4 + width * (k + 0.5), height=probabilities * 100, width=width)
        self._mark(self.band, true_label)
        self._mark(self.outline, explained)
        self.summary.setText(self._summary_text(results, true_label, note))

    def _fit_percentages(self) -> None:
        """One model's percentage above each bar where a number as wide as "100%" fits between
        the bars; where it does not, the top class alone keeps its number."""
        if not self.labels or len(self.shown) != 1:
            return
        (probabilities,) = self.shown.values()
        percent = probabilities * 100
        top = int(np.argmax(percent))
        metrics = QFontMetrics(self.labels[0].textItem.font())
        pitch = self.class_axis.pitch()
        crowded = metrics.horizontalAdvance("100%") > pitch - 2
        first, last = self.plot.getViewBox().viewRange()[0]
        for i, label in enumerate(self.labels):
            text = f"{percent[i]:.0f}%" if percent[i] >= 0.5 and (i == top or not crowded) else ""
            if label.toPlainText() != text:
                label.setText(text)
            # Hidden, not empty: an empty label still paints its fill, a white box over the true
            # class's band or a small bar, read as a second bar in presentation mode.
            label.setVisible(bool(text))
            # Centred over its bar where it fits the view, else flush with the view's edge: at the
            # first class of a narrow chart, "88%" lost its first digit to the axis.
            half = (metrics.horizontalAdvance(text) + 4) / 2 / pitch
            side, x = (0.0, first) if i - half < first else (1.0, last) if i + half > last else (0.5, i)
            if label.anchor.x() != side:  # a new anchor lays the text out again: only where it moves
                label.setAnchor((side, 1.0))
            label.setPos(x, percent[i])

    def _mark(self, item: pg.BarGraphItem, index: int | None) -> None:
        """A full-height marker (the true class's band, the explained class's outline) on a class, or none."""
        if index is not None:
            item.setOpts(x=[index], height=[HEADROOM - 1])  # around the percentage above the bar too
            if item.scene() is None:
                self.plot.addItem(item)
        elif item.scene() is not None:
            self.plot.removeItem(item)

    def _build(self, names: list[str]) -> None:
        self.clear()
        single = len(names) == 1
        self.summary.set_lines(summary_lines(len(names)))
        for k, _ in enumerate(names):
            colour = BAR if single else MODEL_COLOURS[k % len(MODEL_COLOURS)]
            zeros = np.zeros(len(self.classes))
            bar = pg.BarGraphItem(
                x=np.arange(len(self.classes)), height=zeros, width=0.7, brush=colour, pen=pg.mkPen(None)
            )
            self.plot.addItem(bar)
            self.bars.append(bar)
        if single:
            for _ in self.classes:
                # On the window's colour and above the explained class's dashed outline, which else
                # crossed its digits ("96%" read as "95%" beside a readout of 96%).
                label = pg.TextItem(anchor=(0.5, 1.0), color=soft_ink(), fill=self.palette().window())
                label.setZValue(10)
                font = QFont()
                font.setPointSize(max(8, self.font_size - 1))
                label.setFont(font)
                self.plot.addItem(label)
                self.labels.append(label)

    def _show_legend(self, names: list[str] | None = None) -> None:
        """A coloured square and a title per model of a comparison, each model the input is
        unfamiliar to marked; for one model, the line says so, or stays empty. The warnings take
        their short words where the long ones would not fit a line."""
        names = names or []
        self.legend.setToolTip(UNFAMILIAR_MEANS if self.unfamiliar else "")
        if len(names) == 1:
            said = ""
            if names[0] in self.unfamiliar:
                words = [f"<span {WARNING_STYLE}>&nbsp;{text}&nbsp;</span>" for text in WARNINGS]
                said = next((text for text in words if self._fits(text)), words[-1])
            self.legend.setText(said)
            self._fit_legend()
            return
        entries: list[str] = []
        for word in (f"{WARNING} unfamiliar", WARNING):
            entries = []
            for k, name in enumerate(names):
                colour = MODEL_COLOURS[k % len(MODEL_COLOURS)].name()
                entry = f'<span style="color:{colour}">■</span> {self.titles.get(name, name)}'
                if name in self.unfamiliar:
                    entry += f" <span {WARNING_STYLE}>&nbsp;{word}&nbsp;</span>"
                entries.append(f'<span style="white-space:nowrap">{entry}</span>')  # lines break between models only
            if all(self._fits(entry) for entry in entries):
                break
        self.legend.setText("&nbsp;&nbsp; ".join(entries))
        self._fit_legend()

    def _fits(self, html: str) -> bool:
        """Whether the legend's rich text `html` fits its width on one line."""
        laid_out = QTextDocument()
        laid_out.setDefaultFont(self.legend.font())
        laid_out.setDocumentMargin(0)
        laid_out.setHtml(html)
        return laid_out.idealWidth() <= (self.legend.contentsRect().width() or self.width())

    def _fit_legend(self) -> None:
        """The legend at least one line tall, and as tall as its lines where a comparison wraps:
        squeezed by a short window, its third line was cut off."""
        width = self.legend.width() or self.width()
        self.legend.setMinimumHeight(max(self.legend_line, self.legend.heightForWidth(width)))

    def _summary_text(self, results: dict[str, np.ndarray], true_label: int | None, note: str) -> str:
        lines = []
        if len(results) > 1:
            for name, probabilities in results.items():
                order = np.argsort(probabilities)[::-1][:3]
                top = ", ".join(f"{self.classes[i]} {probabilities[i] * 100:.1f}%" for i in order)
                lines.append(f"{self.titles.get(name, name)}: {top}")
        if true_label is not None:
            lines.append(f"True class: {self.classes[true_label]}")
        if note:
            lines.append(note)
        return "\n".join(lines)

    def _clicked(self, event) -> None:
        if not self.classes:
            return
        index = round(self.plot.getViewBox().mapSceneToView(event.scenePos()).x())
        if 0 <= index < len(self.classes):
            self.classClicked.emit(index)

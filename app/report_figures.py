"""The figures of a model's report, each drawn from its weight card or from a look inside the network:
reliability, confusion, accuracy per class, training curves, the first layer."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.chart import BAR, MODEL_COLOURS
from app.class_axis import ClassAxis
from app.figure_style import still
from app.preview import PixelView
from app.theme import readable_on, soft_ink
from models.card import Calibration, TrainingRun


def _plot(title: str, x_label: str, y_label: str) -> pg.PlotWidget:
    return _styled(pg.PlotWidget(background=None, title=title), x_label, y_label)


def _styled(plot, x_label: str, y_label: str):
    """A still figure with a light grid and labelled axes. Takes a PlotWidget or PlotItem."""
    still(plot)
    plot.showGrid(x=True, y=True, alpha=0.2)
    for side in ("bottom", "left"):
        plot.getAxis(side).enableAutoSIPrefix(False)  # else an accuracy of 0.8 reads "800 (x0.001)"
    plot.setLabel("bottom", x_label)
    plot.setLabel("left", y_label)
    return plot


def _label_bars(plot, xs, tops, texts: list[str]) -> None:
    """Write each text just above its bar."""
    for x, top, text in zip(xs, tops, texts, strict=True):
        label = pg.TextItem(text, anchor=(0.5, 1.0), color=soft_ink())
        label.setPos(x, top)
        plot.addItem(label)


def reliability_view(calibration: Calibration) -> pg.GraphicsLayoutWidget:
    """Reliability diagrams, raw and calibrated side by side: per confidence bin, the accuracy (bars)
    and its gap to the bin's mean confidence (red); under each, how many test images fell in each bin."""
    view = pg.GraphicsLayoutWidget()
    view.setBackground(None)
    variants = [(bins, label) for bins, label in ((calibration.test_raw, "raw probabilities"),) if bins is not None]
    if calibration.fitted and calibration.test_calibrated is not None:
        variants.append((calibration.test_calibrated, f"calibrated, T = {calibration.temperature:.2f}"))
    diagrams, histograms = [], []
    for bins, label in variants:
        plot = _styled(view.addPlot(title=f"{label}: ECE {bins.ece * 100:.2f}%"), "confidence", "accuracy")
        count = np.asarray(bins.count)
        width = 1 / len(count)
        centres = (np.arange(len(count)) + 0.5) * width
        used = count > 0
        accuracy, confidence = np.asarray(bins.accuracy)[used], np.asarray(bins.confidence)[used]
        plot.addItem(
            pg.BarGraphItem(x=centres[used], height=accuracy, width=width * 0.95, brush=BAR, pen=pg.mkPen(None))
        )
        # The gap between what the model claims and what it achieves is the miscalibration.
        plot.addItem(pg.BarGraphItem(x=centres[used], y0=accuracy, y1=confidence, width=width * 0.95,
                                     brush=(231, 76, 60, 110), pen=pg.mkPen((231, 76, 60), width=1)))  # fmt: skip
        plot.plot([0, 1], [0, 1], pen=pg.mkPen((120, 120, 120), style=Qt.PenStyle.DashLine))
        plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.03)
        diagrams.append((plot, centres, count, width))
    view.nextRow()
    for plot, centres, count, width in diagrams:
        # The counts as bars of their own, on a log scale: most images fall in the top bin, and
        # numbers written above narrow bars ran into each other.
        histogram = _styled(view.addPlot(), "confidence", "test images")
        histogram.setLogMode(y=True)
        # Decades only: a short axis labelled every 2, 3, 5 of each decade wrote its labels over each other.
        histogram.getAxis("left").setTicks([[(power, f"{10**power:,}") for power in range(6)], []])
        used = count > 0
        floor = -0.3  # bars rise from half an image, so that a bin of one still shows
        histogram.addItem(pg.BarGraphItem(x=centres[used], y0=floor, height=np.log10(count[used]) - floor,
                                          width=width * 0.95, brush=BAR, pen=pg.mkPen(None)))  # fmt: skip
        # Its x follows the diagram's whole 0-1, not its own bars: fitted to them, the calibrated
        # histogram pulled both of its plots to 0.22-1.0 beside the raw ones' 0-1.
        histogram.enableAutoRange(axis=pg.ViewBox.XAxis, enable=False)
        histogram.setXLink(plot)
        histogram.setMaximumHeight(140)
        histograms.append(histogram)
    for plot, *_ in diagrams[1:]:
        plot.setYLink(diagrams[0][0])
    for histogram in histograms[1:]:
        histogram.setYLink(histograms[0])
    view.nextRow()
    # A line each: a label in the plots' layout does not wrap, and one line widened the report past
    # a 1024-pixel screen in presentation mode.
    lines = [
        "Bars: accuracy in each confidence bin; red: the gap to the mean confidence there.",
        "Below: test images per bin.",
    ]
    if not calibration.fitted:
        lines += ["No temperature was fitted: this model trained on every training image,", "leaving no held-out data."]
    note = "<br>".join(lines)
    view.addLabel(note, colspan=max(len(variants), 1), color=soft_ink())
    return view


class ConfusionView(pg.PlotWidget):
    """The confusion matrix as a heat map with counts; a click on a cell emits (true, predicted)."""

    cellClicked = Signal(int, int)

    def __init__(self, matrix: np.ndarray, classes: list[str]) -> None:
        super().__init__(background=None, title="Confusion matrix on the test set (click a cell to browse it)")
        still(self)
        n = len(classes)
        # Log scale, so that the few mistakes stand out beside the large diagonal.
        shade = np.log1p(matrix.T.astype(float))
        image = pg.ImageItem(shade)
        colours = pg.colormap.get("viridis")
        image.setColorMap(colours)
        image.setLevels((0, max(shade.max(), 1e-9)))  # zero is the colour map's start, whatever the smallest count
        shade = shade / max(shade.max(), 1e-9)
        self.addItem(image)
        for true in range(n):
            for predicted in range(n):
                if matrix[true, predicted]:
                    # Black on the bright cells, white on the dark: white on viridis' yellow was unreadable.
                    cell = colours.map(shade[predicted, true], mode="qcolor")
                    text = pg.TextItem(str(matrix[true, predicted]), anchor=(0.5, 0.5), color=readable_on(cell))
                    text.setPos(predicted + 0.5, true + 0.5)
                    self.addItem(text)
        self.getAxis("left").setTicks([[(i + 0.5, name) for i, name in enumerate(classes)]])
        self.setLabel("bottom", "predicted class")
        self.setLabel("left", "true class")
        self.getViewBox().invertY(True)
        self.setRange(xRange=(0, n), yRange=(0, n), padding=0)
        self.class_axis = ClassAxis(self, offset=0.5)
        self.class_axis.set_classes(classes)
        self.count = n
        self.scene().sigMouseClicked.connect(self._clicked)

    def _clicked(self, event) -> None:
        point = self.getViewBox().mapSceneToView(event.scenePos())
        predicted, true = int(np.floor(point.x())), int(np.floor(point.y()))
        if 0 <= true < self.count and 0 <= predicted < self.count:
            self.cellClicked.emit(true, predicted)


def per_class_plot(accuracy: list[float], classes: list[str]) -> pg.PlotWidget:
    plot = _plot("Accuracy per class on the test set", "class", "accuracy (%)")
    values = np.asarray(accuracy) * 100
    plot.addItem(pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.7, brush=BAR, pen=pg.mkPen(None)))
    # The axis starts near the lowest bar so that 99.2% and 99.8% differ visibly; the printed
    # values keep bar heights from being read against zero.
    _label_bars(plot, range(len(values)), values, [f"{value:.1f}" for value in values])
    low = max(0.0, values.min() - 5)
    plot.setYRange(low, 103, padding=0)  # room above a full bar for its value; the axis stops at 100
    step = 1 if 100 - low <= 10 else 5 if 100 - low <= 40 else 20
    plot.getAxis("left").setTicks([[(v, str(v)) for v in range(int(np.ceil(low / step) * step), 101, step)]])
    plot.setXRange(-0.6, len(values) - 0.4, padding=0)
    plot.class_axis = ClassAxis(plot)  # kept with the plot, which owns it
    plot.class_axis.set_classes(classes)
    return plot


def training_label(recipe: dict, metric: str) -> str:
    """What the training curve measured: augmented batches and, for the loss, the objective itself,
    so that a student does not read it against the plain cross-entropy of validation."""
    how = []
    if recipe.get("augment", "none") != "none" or recipe.get("cutout"):
        how.append("augmented")
    if recipe.get("mixup") or recipe.get("cutmix"):
        how.append("mixed")
    if metric == "loss" and recipe.get("label_smoothing"):
        how.append(f"label smoothing {recipe['label_smoothing']:g}")
    if metric == "loss" and recipe.get("outliers"):  # its pull towards doubt on outliers adds to the loss
        how.append(f"outlier exposure {recipe['outliers']:g}")
    return f"training ({', '.join(how)})" if how else "training"


def training_plot(runs: list[TrainingRun], metric: str) -> pg.PlotWidget:
    """Loss or accuracy (in percent) per epoch, training and validation, over every run that made
    the model, first to last; a dashed line marks where a warm restart began, and a star the
    validation figure of a run's averaged weights, which is what that run ended with."""
    percent = metric == "accuracy"
    plot = _plot(f"{metric.capitalize()} per epoch", "epoch", f"{metric} (%)" if percent else metric)
    # Accuracy climbs to the top right and loss falls to the bottom right: the legend takes the free corner.
    plot.addLegend(offset=(-10, -10) if percent else (-10, 10))
    history = [record for run in runs for record in run.history]
    epochs = np.arange(1, len(history) + 1)
    for key, label, colour in (
        (f"train_{metric}", training_label(runs[-1].recipe, metric), MODEL_COLOURS[1]),
        (f"val_{metric}", "validation", MODEL_COLOURS[0]),
    ):
        recorded = [record.get(key) for record in history]
        if all(v is not None for v in recorded):
            values = np.asarray(recorded, dtype=float) * (100 if percent else 1)
            plot.plot(
                epochs, values, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5, symbolBrush=colour, name=label
            )
    ends = np.cumsum([len(run.history) for run in runs])
    averaged = [
        (end, run.weight_average[f"val_{metric}"])
        for end, run in zip(ends, runs, strict=True)
        if run.weight_average is not None and f"val_{metric}" in run.weight_average
    ]
    if averaged:
        x, y = np.asarray(averaged, dtype=float).T
        star = {"pen": None, "symbol": "star", "symbolSize": 14, "symbolBrush": MODEL_COLOURS[2]}
        plot.plot(x, y * (100 if percent else 1), name="validation, weights averaged over the last epochs", **star)
    for restart in ends[:-1]:
        line = pg.InfiniteLine(
            restart + 0.5,
            angle=90,
            pen=pg.mkPen("#888", width=1, style=Qt.PenStyle.DashLine),
            label="warm restart",
            # Low on the line: the curves run high there.
            labelOpts={"position": 0.06, "color": soft_ink(), "anchors": [(0, 1), (0, 1)]},
        )
        line.setToolTip("A new learning-rate schedule starts here, from the weights so far")
        plot.addItem(line)
    return plot


def first_layer_view(kernels: np.ndarray, maps: np.ndarray | None) -> QScrollArea:
    """The first convolution's filters, and beneath each its response to the current input."""
    grid = QWidget()
    layout = QGridLayout(grid)
    layout.setSpacing(4)
    columns = 8
    for index, kernel in enumerate(kernels):
        row, column = divmod(index, columns)
        cell = QVBoxLayout()
        view = PixelView(minimum=36)
        view.set_array((kernel * 255).astype(np.uint8))
        view.setToolTip(f"filter {index}")
        cell.addWidget(view)
        if maps is not None:
            response = PixelView(minimum=72)
            response.set_array((maps[index] * 255).astype(np.uint8))
            response.setToolTip(f"filter {index} applied to the current input")
            cell.addWidget(response)
        layout.addLayout(cell, row, column)
    area = QScrollArea()
    area.setWidget(grid)
    area.setWidgetResizable(True)
    return area

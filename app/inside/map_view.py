"""The test set as a map of points in a model's feature space, coloured by true class with its
mistakes marked, the input as a star that moves as the user draws, and beneath it the test
images nearest to the input. A click on a point or a neighbour opens that test image."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.class_key import CLASS_COLOURS, class_entries, colour_key
from app.figure_style import still
from app.labels import ElidedLabel
from app.preview import PixelView
from app.scrolling import LeastPlot, VerticalScroll
from app.theme import ink
from models.card import FeatureMap
from models.data_map import METHOD, DataMap
from models.datasets import ImageSet

POINT_SIZE = 4
LEAST_MAP_HEIGHT = 220  # pixels: at 40-80 in presentation mode beside the caption the star was lost
STAR_SIZE = 30
STAR_COLOUR = "#ffd400"
STAR_KEY_COLOUR = "#a67c00"  # the key's star, darker: the map's yellow read at 1.4:1 on presentation mode's white
WAITING = "Draw or pick a picture: the test images nearest to it show here."
# Mistakes as small, half-clear crosses: opaque ones of 9 pixels buried the cat, dog and deer
# cluster under resnet18_cifar10's 674, where the colours beneath are the lesson. Under
# vit_cifar10's 1,604 even these turn the animals black: a box takes them off the map.
MISTAKE_SIZE = 7
MISTAKE_ALPHA = 150


class Neighbour(PixelView):
    clicked = Signal()

    def sizeHint(self) -> QSize:
        # As small as it may be: at PixelView's 112 pixels the strip asked for twice the height its
        # narrow pictures fill, and pushed their names below a projector's dock.
        return self.minimumSize()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


class MapView(QWidget):
    """`opened(index)` asks for test image `index` of the map's dataset."""

    opened = Signal(int)

    def __init__(self, neighbours: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Never squeezed to a strip by its caption and the neighbours below it: the page scrolls.
        self.plot = still(LeastPlot(background=None))
        self.plot.setMinimumHeight(LEAST_MAP_HEIGHT)
        self.plot.setMouseEnabled(x=True, y=True)  # ten thousand points: the wheel zooms in on a crowd
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        # Below the map, not on it: laid over the plot, the legend hid whole clusters of a narrow
        # map, and at times the star itself.
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.mark_mistakes = QCheckBox()
        self.mark_mistakes.setChecked(True)
        self.mark_mistakes.setToolTip("Cross out the test images the model reads wrongly; unmarked, the classes show")
        self.mark_mistakes.toggled.connect(self._mark_mistakes)
        self.mark_mistakes.hide()
        self.mistakes: pg.ScatterPlotItem | None = None
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.star = pg.ScatterPlotItem(
            size=STAR_SIZE, symbol="star", brush=pg.mkBrush(STAR_COLOUR), pen=pg.mkPen("k", width=2)
        )
        self.star.setZValue(10)
        self.near_caption = QLabel()
        self.near_caption.setToolTip("The test images nearest to your input in the model's feature space")
        self.near_caption.setWordWrap(True)
        strip = QGridLayout()
        strip.setHorizontalSpacing(2)  # eight neighbours and the map beside the window fit a 1024-pixel screen
        self.neighbour_views: list[Neighbour] = []
        self.neighbour_labels: list[ElidedLabel] = []
        for position in range(neighbours):
            view = Neighbour(40)
            view.clicked.connect(lambda p=position: self._open_neighbour(p))
            # Cut to the neighbour's width: eight whole "airplane"s widened the window to 1245
            # pixels on a 1024-pixel screen in presentation mode.
            label = ElidedLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            strip.addWidget(view, 0, position)
            strip.addWidget(label, 1, position)
            self.neighbour_views.append(view)
            self.neighbour_labels.append(label)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.mark_mistakes)
        layout.addWidget(self.near_caption)
        layout.addLayout(strip)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(VerticalScroll(page))
        self.shown: str | None = None  # the model whose map is drawn
        self.data_map: DataMap | None = None
        self.nearest: np.ndarray | None = None
        self.place: np.ndarray | None = None  # where the star stands
        self.classes: tuple[str, ...] = ()

    def show_map(self, model: str, title: str, data_map: DataMap | None, classes: tuple[str, ...],
                 entry: FeatureMap | None) -> None:  # fmt: skip
        """Draw `model`'s map (the star and neighbours follow with each answer); a model without one says so."""
        if model == self.shown:
            return
        self.shown, self.data_map, self.nearest, self.classes = model, data_map, None, classes
        self.plot.clear()
        self.legend.clear()
        self.mark_mistakes.hide()
        self.mistakes = None
        self._empty_strip("")  # until the new model's answer: no "draw a picture" over one on show
        if data_map is None:
            self.caption.setText(
                f"{title} has no stored map of its test set; make it with `uv run python -m training.data_map {model}`."
            )
            return
        points = data_map.points
        for k in range(len(classes)):
            self._scatter(
                points, np.flatnonzero(data_map.labels == k), POINT_SIZE, brush=pg.mkBrush(CLASS_COLOURS[k % 10])
            )
        mark = QColor(ink())
        mark.setAlpha(MISTAKE_ALPHA)
        wrong = np.flatnonzero(data_map.mistakes)
        self.mistakes = self._scatter(points, wrong, MISTAKE_SIZE, symbol="x", pen=pg.mkPen(mark, width=1.5))
        self.mistakes.setVisible(self.mark_mistakes.isChecked())
        self.mark_mistakes.setText(f"× Mark its {len(wrong):,} mistakes")
        self.mark_mistakes.show()
        self.legend.setText(colour_key([*class_entries(classes, "●"), (STAR_KEY_COLOUR, "★", "your input")]))
        self.plot.addItem(self.star)
        self.star.setData([])
        # Short, with the method in the tooltip: in presentation letters on a 1024x768 projector the
        # caption, the map and its key left the neighbours below the dock's edge.
        share = f" (two axes: {entry.variance_shown:.0%} of the variance)" if entry is not None else ""
        self.caption.setText(
            f"{title} places its {len(points):,} test images by what its penultimate layer made of them{share}. "
            "Click a point to open one."
        )
        self.caption.setToolTip(f"The map: {entry.method if entry is not None else METHOD}.")

    def _scatter(self, points: np.ndarray, indices: np.ndarray, size: int, **look: object) -> pg.ScatterPlotItem:
        """The test images `indices` as points of one look, each opening its image when clicked."""
        item = pg.ScatterPlotItem(pos=points[indices], data=indices, size=size, **{"pen": None, "brush": None, **look})
        item.sigClicked.connect(self._clicked)
        # Kept as a picture between repaints: the star moves with every stroke of the pen, and
        # drawing 10,000 points each time cost the window 5 ms a move.
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addItem(item)
        return item

    def _mark_mistakes(self, marked: bool) -> None:
        if self.mistakes is not None:
            self.mistakes.setVisible(marked)

    def show_place(self, place: np.ndarray | None) -> None:
        """The star at the input's place on the map; None takes it away."""
        self.place = place
        self.star.setData([] if place is None else [{"pos": (float(place[0]), float(place[1]))}])

    def show_neighbours(self, nearest: np.ndarray | None, test_set: ImageSet | None) -> None:
        """The test images nearest to the input; their pictures where the mapped test set has been read."""
        self.nearest = nearest
        if nearest is None or self.data_map is None:
            # Eight empty frames said nothing: the caption says what will fill them.
            self._empty_strip(WAITING if self.data_map is not None else "")
            return
        said = "Nearest test images:"  # one line: two pushed them below a projector's dock
        if test_set is None:
            said += " (their pictures show once the test set is read; where it is missing, the Browse tab offers it)"
        self.near_caption.setText(said)
        classes = self.classes
        for view, label, index in zip(self.neighbour_views, self.neighbour_labels, nearest, strict=False):
            view.set_array(test_set.images[index] if test_set is not None else None)
            true, answer = int(self.data_map.labels[index]), int(self.data_map.predicted[index])
            label.setText(classes[true] if true == answer else f"{classes[true]} (× {classes[answer]})")
            view.setToolTip(f"test image {index}: {classes[true]}, read as {classes[answer]}; click to open it")

    def _empty_strip(self, said: str) -> None:
        self.near_caption.setText(said)
        for view, label in zip(self.neighbour_views, self.neighbour_labels, strict=True):
            view.set_array(None)
            label.setText("")

    def say_other_test_set(self, title: str) -> None:
        self.near_caption.setText(
            f"The {title} test set in the data folder is not the one this map was made from: "
            "its pictures cannot be opened from here."
        )

    def _clicked(self, _item: pg.ScatterPlotItem, points: list, _event: object) -> None:
        if len(points):
            self.opened.emit(int(points[0].data()))

    def _open_neighbour(self, position: int) -> None:
        if self.nearest is not None and position < len(self.nearest):
            self.opened.emit(int(self.nearest[position]))

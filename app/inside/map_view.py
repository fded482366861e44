"""The test set as a map of points in a model's feature space, coloured by true class with its
mistakes marked, the input as a star that moves as the user draws, and beneath it the test
images nearest to the input. A click on a point or a neighbour opens that test image."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QGraphicsItem, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.figure_style import still
from app.lab.sweep_plot import CLASS_COLOURS
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
# Mistakes as small, half-clear crosses: opaque ones of 9 pixels buried the cat, dog and deer
# cluster under resnet18_cifar10's 674, where the colours beneath are the lesson.
MISTAKE_SIZE = 7
MISTAKE_ALPHA = 150


def legend(classes: tuple[str, ...]) -> str:
    """The map's key as rich text that wraps between entries: a dot of each class's colour, the
    mistakes' cross and the star."""
    entries: list[tuple[str | None, str, str]] = [(CLASS_COLOURS[k % 10], "●", name) for k, name in enumerate(classes)]
    entries += [(None, "×", "mistake"), (STAR_COLOUR, "★", "your input")]
    marked = []
    for colour, mark, name in entries:
        style = f' style="color:{colour}"' if colour else ""
        marked.append(f"<b{style}>{mark}</b>&nbsp;{name}")
    return " &emsp; ".join(marked)


class Neighbour(PixelView):
    clicked = Signal()

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
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.star = pg.ScatterPlotItem(
            size=STAR_SIZE, symbol="star", brush=pg.mkBrush(STAR_COLOUR), pen=pg.mkPen("k", width=2)
        )
        self.star.setZValue(10)
        self.near_caption = QLabel()
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
        self.show_neighbours(None, None)
        if data_map is None:
            self.caption.setText(
                f"{title} has no stored map of its test set; make it with `uv run python -m training.data_map {model}`."
            )
            return
        points = data_map.points
        looks = [{"pen": None, "brush": pg.mkBrush(CLASS_COLOURS[k % 10])} for k in range(len(classes))]
        chosen = [np.flatnonzero(data_map.labels == k) for k in range(len(classes))]
        mark = QColor(ink())
        mark.setAlpha(MISTAKE_ALPHA)
        looks.append({"symbol": "x", "pen": pg.mkPen(mark, width=1.5), "brush": None})
        chosen.append(np.flatnonzero(data_map.mistakes))
        for look, indices, name in zip(looks, chosen, [*classes, "mistake"], strict=True):
            size = POINT_SIZE if name != "mistake" else MISTAKE_SIZE
            item = pg.ScatterPlotItem(pos=points[indices], data=indices, size=size, **look)
            item.sigClicked.connect(self._clicked)
            # Kept as a picture between repaints: the star moves with every stroke of the pen,
            # and drawing 10,000 points each time cost the window 5 ms a move.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.plot.addItem(item)
        self.legend.setText(legend(classes))
        self.plot.addItem(self.star)
        self.star.setData([])
        how = entry.method if entry is not None else METHOD
        share = f"; its two axes show {entry.variance_shown:.0%} of their variance" if entry is not None else ""
        self.caption.setText(
            f"{title}: its {len(points):,} test images, where it places them by what its penultimate layer made of "
            f"them ({how}{share}). Click a point to open that image."
        )

    def show_place(self, place: np.ndarray | None) -> None:
        """The star at the input's place on the map; None takes it away."""
        self.place = place
        self.star.setData([] if place is None else [{"pos": (float(place[0]), float(place[1]))}])

    def show_neighbours(self, nearest: np.ndarray | None, test_set: ImageSet | None) -> None:
        """The test images nearest to the input; their pictures where the mapped test set has been read."""
        self.nearest = nearest
        if nearest is None or self.data_map is None:
            # Eight empty frames said nothing: the caption says what will fill them.
            waiting = "Draw or pick a picture: the test images nearest to it show here."
            self.near_caption.setText(waiting if self.data_map is not None else "")
            for view, label in zip(self.neighbour_views, self.neighbour_labels, strict=True):
                view.set_array(None)
                label.setText("")
            return
        said = "The test images nearest to your input in the model's feature space:"
        if test_set is None:
            said += " (their pictures show once the test set is read; where it is missing, the Browse tab offers it)"
        self.near_caption.setText(said)
        classes = self.classes
        for view, label, index in zip(self.neighbour_views, self.neighbour_labels, nearest, strict=False):
            view.set_array(test_set.images[index] if test_set is not None else None)
            true, answer = int(self.data_map.labels[index]), int(self.data_map.predicted[index])
            label.setText(classes[true] if true == answer else f"{classes[true]} (× {classes[answer]})")
            view.setToolTip(f"test image {index}: {classes[true]}, read as {classes[answer]}; click to open it")

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

"""The input on its way through the network, a row per stage: the most active feature maps of
each convolutional stage, or each transformer layer's attention laid over the picture. A click on
a map shows it large below, with the filter that made it where one convolution did."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.preview import PixelView
from models.layers import AttentionLayer, FeatureStage, Layers

TILE = 56  # a feature map's least side on screen, in pixels
COLUMNS = 4  # maps side by side; a stage's eight make two rows, wide enough to see, narrow enough to dock


class Tile(PixelView):
    """A feature map, or a picture under attention, that says when it is clicked."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TILE, parent)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


def grey(values: np.ndarray) -> np.ndarray:
    """A 0-1 map as uint8 grey."""
    return (np.clip(values, 0, 1) * 255).astype(np.uint8)


def filter_picture(kernel: np.ndarray) -> np.ndarray:
    """A (inputs, kh, kw) kernel in 0-1 as one picture: colour for the three channels of a photo,
    else its slices, one per input channel, side by side in a grid with a black line between."""
    if kernel.shape[0] == 3:
        return grey(kernel.transpose(1, 2, 0))
    inputs, height, width = kernel.shape
    columns = math.ceil(math.sqrt(inputs))
    rows = math.ceil(inputs / columns)
    sheet = np.zeros((rows * (height + 1) - 1, columns * (width + 1) - 1), np.uint8)
    for index, piece in enumerate(kernel):
        row, column = divmod(index, columns)
        sheet[row * (height + 1) : row * (height + 1) + height, column * (width + 1) : column * (width + 1) + width] = (
            grey(piece)
        )
    return sheet


def stage_caption(stage: FeatureStage) -> str:
    channels, height, width = stage.shape
    return f"{stage.title}  ·  {channels} × {height} × {width}  ·  the {len(stage.channels)} most active channels"


def attention_caption(layer: AttentionLayer) -> str:
    reader = "the class token" if layer.class_token else "the mean of the tokens"
    heads = len(layer.heads)
    return f"layer {layer.layer + 1}: attention of {reader} to each patch  ·  mean, then each of {heads} heads"


class LayerView(QWidget):
    """`show_layers` draws a picture's Layers; the rows are rebuilt only when their number or size changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = QWidget()
        self.grid = QGridLayout(self.rows)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        area = QScrollArea()
        area.setWidget(self.rows)
        area.setWidgetResizable(True)
        self.note = QLabel("Draw or pick a picture: each stage of the network shows what it made of it.")
        self.note.setWordWrap(True)
        self.large = PixelView(160)
        self.filter = PixelView(96)
        self.said = QLabel()
        self.said.setWordWrap(True)
        self.detail = QWidget()
        beside = QHBoxLayout(self.detail)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.addWidget(self.large, 2)
        beside.addWidget(self.filter, 1)
        beside.addWidget(self.said, 2)
        self.detail.hide()  # until a map is clicked
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(area, 3)
        layout.addWidget(self.detail, 2)
        self.captions: list[QLabel] = []
        self.tiles: list[list[Tile]] = []
        self.layout_key: tuple = ()
        self.layers: Layers | None = None
        self.picture: np.ndarray | None = None
        self.chosen: tuple[int, int] | None = None  # (row, tile) shown large

    def show_layers(self, layers: Layers | None, picture: np.ndarray | None, model: str) -> None:
        """The picture's way through `model`; None clears the view: there is no input."""
        self.layers, self.picture = layers, picture
        if layers is None or picture is None:
            self.note.setText("Draw or pick a picture: each stage of the network shows what it made of it.")
            self._build([])
            self.layout_key = ()
            self.detail.hide()
            return
        self.note.setText(
            f"Inside {model}, from the input (top) to the last stage before the classifier. "
            "Click a map to see it large."
        )
        rows = [len(s.channels) for s in layers.stages] + [1 + len(a.heads) for a in layers.attention]
        key = (model, tuple(rows))
        if key != self.layout_key:
            self._build(rows)
            self.layout_key = key
            self.chosen = None
            self.detail.hide()
        for row, stage in enumerate(layers.stages):
            self.captions[row].setText(stage_caption(stage))
            for tile, values, channel, activity in zip(
                self.tiles[row], stage.maps, stage.channels, stage.activity, strict=True
            ):
                tile.set_array(grey(values))
                tile.setToolTip(f"channel {channel}, mean activation {activity:.3g}; click to see it large")
        for offset, layer in enumerate(layers.attention):
            row = len(layers.stages) + offset
            self.captions[row].setText(attention_caption(layer))
            for position, (tile, weights) in enumerate(zip(self.tiles[row], [layer.mean, *layer.heads], strict=True)):
                tile.set_array(picture)
                tile.set_heat(_scaled(weights))
                tile.setToolTip("the mean of the heads" if position == 0 else f"head {position - 1}")
        if self.chosen is not None:
            self._choose(*self.chosen)

    def _build(self, rows: list[int]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # Hidden at once: deleteLater waits for the event loop, and until then a shown
                # child would be shown, laid out and painted again with the dock.
                widget.hide()
                widget.deleteLater()
        self.captions, self.tiles = [], []
        line = 0
        for row, count in enumerate(rows):
            caption = QLabel()
            caption.setWordWrap(True)
            self.grid.addWidget(caption, line, 0, 1, COLUMNS)
            tiles = []
            for position in range(count):
                tile = Tile()
                tile.clicked.connect(lambda r=row, p=position: self._choose(r, p))
                self.grid.addWidget(tile, line + 1 + position // COLUMNS, position % COLUMNS)
                tiles.append(tile)
            line += 2 + (count - 1) // COLUMNS
            self.captions.append(caption)
            self.tiles.append(tiles)

    def _choose(self, row: int, position: int) -> None:
        """Show one map large: a feature map beside its filter, or one head's attention."""
        layers, picture = self.layers, self.picture
        if layers is None or picture is None:
            return
        self.chosen = (row, position)
        self.detail.show()
        if row < len(layers.stages):
            stage = layers.stages[row]
            self.large.set_array(grey(stage.maps[position]))
            self.large.set_heat(None)
            made_by = "it has no single filter: a stage of several layers made it"
            if stage.filters is not None:
                self.filter.set_array(filter_picture(stage.filters[position]))
                height, width = stage.filters.shape[-2:]
                made_by = f"right of it, the {height}x{width} filter that made it"
                if stage.filters.shape[1] > 3:
                    made_by += f", one slice for each of its {stage.filters.shape[1]} input channels"
            else:
                self.filter.set_array(None)
            self.said.setText(f"{stage.title}, channel {stage.channels[position]}; {made_by}.")
            return
        layer = layers.attention[row - len(layers.stages)]
        weights = layer.mean if position == 0 else layer.heads[position - 1]
        self.large.set_array(picture)
        self.large.set_heat(_scaled(weights))
        self.filter.set_array(None)
        head = "the mean of the heads" if position == 0 else f"head {position - 1}"
        self.said.setText(f"Layer {layer.layer + 1}, {head}: brighter patches are read more.")


def _scaled(weights: np.ndarray) -> np.ndarray:
    """Attention to the patches scaled so that the most attended patch is 1."""
    top = float(weights.max())
    return weights / top if top > 0 else weights

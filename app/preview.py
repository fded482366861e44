"""A small pixel-sharp view of an array image: the 28x28 input the model actually sees."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget


def to_qimage(array: np.ndarray) -> QImage:
    """A (H, W), (H, W, 1) or (H, W, 3) uint8 array as a QImage that owns its pixels."""
    array = np.ascontiguousarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = np.ascontiguousarray(array[:, :, 0])
    height, width = array.shape[:2]
    if array.ndim == 2:
        image = QImage(array.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(array.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return image.copy()


# A warm ramp: transparent where the model did not look, through red to opaque yellow. It glows on
# a digit's black, and vanished over a yellow photo.
HEAT_COLOURS = np.array([[0, 0, 0, 0], [220, 30, 30, 80], [255, 140, 0, 125], [255, 240, 60, 160]], np.float32)
# Over photos, blue where the model did not look, through cyan and yellow to red where it did: a
# tint over the whole picture, legible whatever its colours, as Grad-CAM's pictures usually are.
PHOTO_HEAT_COLOURS = np.array(
    [[30, 60, 255, 120], [0, 210, 255, 120], [255, 230, 0, 140], [255, 20, 0, 170]], np.float32
)


def heat_image(heat: np.ndarray, feather: int = 0, colours: np.ndarray = HEAT_COLOURS) -> QImage:
    """A 0-1 map as a translucent RGBA picture of the same size, coloured along `colours` (RGBA
    stops, coolest first); with `feather`, its outer rings of that many pixels fade out to nothing,
    so that a map laid over a larger picture has no hard edge."""
    position = np.clip(heat, 0, 1) * (len(colours) - 1)
    low = np.minimum(position.astype(int), len(colours) - 2)
    fraction = (position - low)[..., None]
    rgba = colours[low] * (1 - fraction) + colours[low + 1] * fraction
    if feather:
        rows, columns = (np.minimum(np.arange(n), np.arange(n)[::-1]) for n in heat.shape)
        ring = np.minimum(rows[:, None], columns[None, :])  # 0 on the outer ring, 1 on the next...
        rgba[..., 3] *= np.clip(ring / (feather + 1), 0, 1)
    rgba = np.ascontiguousarray(rgba.astype(np.uint8))
    height, width = heat.shape
    return QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()


class PixelView(QWidget):
    """Shows an image scaled up without smoothing, so each pixel stays a crisp square."""

    def __init__(self, minimum: int = 84, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap: QPixmap | None = None
        self.overlay: QImage | None = None
        self.heat: np.ndarray | None = None
        self.in_colour = False  # a photo's heat map is a tint over it, a digit's a glow
        # Black around the picture, as around a digit on its field; None for the window's own
        # colour, where black would read as part of the picture (a change magnified around grey).
        self.backdrop: QColor | None = QColor(Qt.GlobalColor.black)
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_array(self, array: np.ndarray | None) -> None:
        self.pixmap = None if array is None else QPixmap.fromImage(to_qimage(array))
        self._colour_of(array is not None and array.ndim == 3 and array.shape[2] == 3)

    def set_qimage(self, image: QImage | None) -> None:
        self.pixmap = None if image is None else QPixmap.fromImage(image)
        self._colour_of(image is not None and not image.isGrayscale())

    def _colour_of(self, in_colour: bool) -> None:
        if in_colour != self.in_colour:
            self.in_colour = in_colour
            self._lay_heat()  # a heat map laid before the picture came takes its kind
        self.update()

    def set_heat(self, heat: np.ndarray | None) -> None:
        """Lay a heat map over the image, stretched to it."""
        if heat is None and self.heat is None:
            return
        self.heat = heat
        self._lay_heat()

    def _lay_heat(self) -> None:
        colours = PHOTO_HEAT_COLOURS if self.in_colour else HEAT_COLOURS
        self.overlay = None if self.heat is None else heat_image(self.heat, colours=colours)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(112, 112)

    def shown_rect(self) -> QRect:
        """Where the picture is drawn, without the black bars beside it (all of the view while there is none)."""
        if self.pixmap is None:
            return self.rect()
        scale = min(self.width() / self.pixmap.width(), self.height() / self.pixmap.height())
        w, h = int(self.pixmap.width() * scale), int(self.pixmap.height() * scale)
        return QRect((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.backdrop or self.palette().window().color())
        if self.pixmap is None:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        target = self.shown_rect()
        painter.drawPixmap(target, self.pixmap)
        if self.overlay is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, self.overlay)

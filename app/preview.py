"""A small pixel-sharp view of an array image: the 28x28 input the model actually sees."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
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


class PixelView(QWidget):
    """Shows an image scaled up without smoothing, so each pixel stays a crisp square."""

    def __init__(self, minimum: int = 84, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pixmap: QPixmap | None = None
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_array(self, array: np.ndarray | None) -> None:
        self.pixmap = None if array is None else QPixmap.fromImage(to_qimage(array))
        self.update()

    def set_qimage(self, image: QImage | None) -> None:
        self.pixmap = None if image is None else QPixmap.fromImage(image)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(112, 112)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self.pixmap is None:
            return
        scale = min(self.width() / self.pixmap.width(), self.height() / self.pixmap.height())
        w, h = int(self.pixmap.width() * scale), int(self.pixmap.height() * scale)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawPixmap((self.width() - w) // 2, (self.height() - h) // 2, w, h, self.pixmap)

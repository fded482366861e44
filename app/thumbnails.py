"""The grid's icons: made when the view first shows them, the user's pictures off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from app import tasks
from app.core.lru import LRU
from app.labels import fitted_font, shortened
from app.preview import to_qimage
from models.images import image_pixels, open_image
from models.preprocess import convert_mode

SIZE = 64
MAX_SOURCE_PIXELS = 4_000_000  # larger pictures get no icon: they show when chosen
# Ten screens of icons: 16 MB at most, 64 MB on a screen of twice the pixel density; older ones
# are made again when scrolled back to.
CACHED_ICONS = 1000


BADGE = 18  # the height of the strip that names the classes, in pixels
RIGHT_BADGE = QColor(20, 20, 20, 200)
WRONG_BADGE = QColor(190, 20, 40, 230)


def array_icon(
    pixels: np.ndarray, truth: str | None = None, answer: str | None = None, ratio: float = 1.0, scale: float = 1.0
) -> QPixmap:
    """An icon of a test-set picture, pixel-sharp; with a strip naming its true class and, where
    the model took it for another, that class on red. `ratio` is the screen's device pixels per
    pixel: the icon is drawn at the screen's own resolution, since on a 2x screen one drawn at 64
    pixels and enlarged blurred both the picture's pixels and the badge's letters. `scale` makes
    it larger, letters and all, as presentation mode's letters are."""
    ratio_scaled = ratio * scale
    side, badge = round(SIZE * ratio_scaled), round(BADGE * ratio_scaled)
    pixmap = QPixmap.fromImage(to_qimage(pixels)).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
    if truth is not None:
        wrong = answer is not None and answer != truth
        painter = QPainter(pixmap)
        strip = QRect(0, pixmap.height() - badge, pixmap.width(), badge)
        painter.fillRect(strip, WRONG_BADGE if wrong else RIGHT_BADGE)
        text = f"{shortened(truth, 5)}→{shortened(answer, 5)}" if wrong and answer is not None else truth
        font = QFont()
        font.setBold(True)
        least = round(7 * ratio_scaled)
        painter.setFont(fitted_font(font, text, badge - round(5 * ratio_scaled), pixmap.width() - 2, least=least))
        painter.setPen(Qt.GlobalColor.white)
        painter.drawText(strip, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
    return sharp(pixmap, ratio)


def sharp(pixmap: QPixmap, ratio: float) -> QPixmap:
    """The pixmap shown at its own resolution on a screen of `ratio` device pixels per pixel."""
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def file_icon_pixels(path: Path, ratio: float = 1.0, scale: float = 1.0) -> np.ndarray | None:
    """A user's picture decoded at icon size (times `scale`) on a screen of `ratio` device pixels per
    pixel; None for one too large to decode for an icon."""
    if image_pixels(path) > MAX_SOURCE_PIXELS:
        return None
    return np.asarray(convert_mode(open_image(path, max_side=round(SIZE * ratio * scale)), "RGB", 255))


class ThumbnailModel(QAbstractListModel):
    """Icons for the images at the given indices of a collection, made when the view first asks.

    `icon` answers a pixmap at once, or None while it is being made elsewhere; that icon is
    handed over later with provide().
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon: Callable[[int], QPixmap | None] = lambda i: None
        self.tooltip: Callable[[int], str] = str
        self.indices = np.zeros(0, dtype=np.int64)
        self.cache: LRU[int, QIcon] = LRU(CACHED_ICONS)
        self.scale = 1.0  # the icons' size as a multiple of SIZE: presentation mode's letters

    def set_scale(self, scale: float) -> None:
        """Icons `scale` times SIZE from now on: those made so far are made again."""
        self.beginResetModel()
        self.scale = scale
        self.cache.clear()
        self.endResetModel()

    @property
    def side(self) -> int:
        """An icon's side, in pixels."""
        return round(SIZE * self.scale)

    def show(self, indices: np.ndarray, icon: Callable[[int], QPixmap | None], tooltip: Callable[[int], str]) -> None:
        """Show other images of the same collection; icons already made are kept."""
        self.beginResetModel()
        self.indices, self.icon, self.tooltip = indices, icon, tooltip
        self.endResetModel()

    def forget(self) -> None:
        """The collection changed: icons made so far show other pictures."""
        self.cache.clear()

    def provide(self, item: int, pixmap: QPixmap | None) -> None:
        """The icon of image `item`, made elsewhere; an empty one where it could not be made."""
        self.cache.put(item, QIcon(pixmap) if pixmap is not None else QIcon())
        for row in np.flatnonzero(self.indices == item):
            self.dataChanged.emit(self.index(int(row)), self.index(int(row)), [Qt.ItemDataRole.DecorationRole])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.indices)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = int(self.indices[index.row()])
        if role == Qt.ItemDataRole.SizeHintRole:
            # Every cell an icon's size, made or not: the grid measures one cell for all (uniform
            # sizes), and measured on an icon still being made, every cell was 0 pixels wide. The
            # delegate draws the icon a pixel in: at SIZE, it lost its last row, the badge's.
            return QSize(self.side + 2, self.side + 2)
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self.cache.get(item)
            if icon is None:
                pixmap = self.icon(item)
                if pixmap is None:
                    return QIcon()
                icon = QIcon(pixmap)
                self.cache.put(item, icon)
            return icon
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item)
        return None


class FileIcons(QObject):
    """Makes the icons of the user's pictures on the thread pool: a folder of large PNGs would
    otherwise freeze the window while it scrolls."""

    def __init__(self, model: ThumbnailModel, files: Callable[[], list[Path]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.files = files  # the pictures open now
        self.pending: set[Path] = set()

    def request(self, index: int, ratio: float = 1.0) -> None:
        """Make the icon of picture `index` for a screen of `ratio` device pixels per pixel."""
        path = self.files()[index]
        if path in self.pending:
            return
        self.pending.add(path)

        def done(pixels: np.ndarray | None) -> None:
            self.pending.discard(path)
            files = self.files()
            if index < len(files) and files[index] == path:  # else another folder opened meanwhile
                icon = None if pixels is None else array_icon(pixels, ratio=ratio, scale=scale)
                self.model.provide(index, icon)

        scale = self.model.scale
        tasks.start(
            lambda progress, cancelled: file_icon_pixels(path, ratio, scale), done, lambda message: done(None), self
        )

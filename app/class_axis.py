"""Class names along a plot's bottom axis, legible at any width and in any letters: whole where
they fit, every other one a line lower where they do not, then cut short, never so short that two
read alike, and on three lines where even that does not fit."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QFontMetrics

from app.labels import fewest_distinct_letters, shortened


class ClassAxis(QObject):
    """Names `classes` under x = 0, 1, ... (plus `offset`) of `plot`, fitted again whenever its view
    is resized or its letters change."""

    def __init__(self, plot: pg.PlotWidget, offset: float = 0.0) -> None:
        super().__init__(plot)
        self.plot, self.offset = plot, offset
        self.classes: tuple[str, ...] = ()
        self.labels: list[str] = []  # what stands under each class now, its line breaks included
        plot.getViewBox().sigResized.connect(self.fit)
        # The end names may reach past the axis's ends: pyqtgraph would hide them ("airplane" went
        # missing under the attack's bars at 1920 pixels in presentation mode).
        plot.getAxis("bottom").setStyle(hideOverlappingLabels=False)
        plot.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FontChange:  # presentation mode's letters, or back
            self.fit()
        return False

    def set_classes(self, classes: tuple[str, ...] | list[str]) -> None:
        self.classes = tuple(classes)
        self.fit()

    def pitch(self) -> float:
        """Pixels from one class to the next: the view's width over the span of x it shows; before
        the first layout, the plot's width less its left axis."""
        box = self.plot.getViewBox()
        first, last = box.viewRange()[0]
        width = box.width() or self.plot.width() - self.plot.getAxis("left").width()
        return max(width, 1) / max(last - first, 1e-9)

    def fit(self) -> None:
        if not self.classes:
            return
        axis = self.plot.getAxis("bottom")
        metrics = QFontMetrics(axis.style["tickFont"] or QFont())
        per_class = self.pitch()

        def widest(names: tuple[str, ...]) -> int:
            return max(metrics.horizontalAdvance(name) for name in names)

        names, rows = self.classes, 1
        if widest(names) > per_class - 6:
            rows = 2
            letters, fewest = max(len(name) for name in self.classes), fewest_distinct_letters(self.classes)
            while letters > fewest and widest(names) > rows * per_class - 10:
                letters -= 1
                names = tuple(shortened(name, letters) for name in self.classes)
            if widest(names) > rows * per_class - 10:
                rows = 3
        self.labels = ["\n" * (i % rows) + name for i, name in enumerate(names)]
        axis.setTicks([[(i + self.offset, label) for i, label in enumerate(self.labels)]])
        # As tall as its lines, and the axis's title under them as pyqtgraph reserves it.
        title = axis.label.boundingRect().height() * 0.8 if axis.label.isVisible() else 0
        axis.setHeight(round(rows * metrics.lineSpacing() + 12 + title))

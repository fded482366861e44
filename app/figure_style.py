"""How every figure looks: still (not to explore), in the palette's ink, in the letters of its widget.

pyqtgraph writes a figure's colours and letters into its items when they are made; presentation
mode's black on white and large letters reach an existing figure only through these functions.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from app.theme import ink


def still(plot: pg.PlotWidget | pg.PlotItem) -> pg.PlotWidget | pg.PlotItem:
    """A figure to look at, not to explore (no context menu, no panning or zooming), in ink."""
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    in_ink(plot)
    return plot


def plot_item(plot: pg.PlotWidget | pg.PlotItem) -> pg.PlotItem:
    return plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot


def in_ink(plot: pg.PlotWidget | pg.PlotItem) -> None:
    """Axes, their labels, the title and the legend in the palette's text colour: pyqtgraph's own
    light grey reads at 2.6:1 on the window's grey."""
    colour = ink()
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(colour)
        axis.setTextPen(colour)
        axis.label.setDefaultTextColor(colour)
    item = plot_item(plot)
    item.titleLabel.item.setDefaultTextColor(colour)
    # The title's and the legend's colour are written into their text: pale grey unless written anew.
    for label in titles(item):
        label.setText(label.text, color=colour.name())
    if item.legend is not None:
        item.legend.opts.update(labelTextColor=colour)


def in_letters(plot: pg.PlotWidget | pg.PlotItem, font: QFont) -> None:
    """The axes' titles, the title and the legend in the size of `font`, and the axes measured again
    for them."""
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.label.setFont(font)
        axis.showLabel(axis.label.isVisibleTo(axis))  # as it was: the axis's room follows the new height
    item = plot_item(plot)
    size = f"{max(font.pointSize(), 1)}pt"
    for label in titles(item):
        label.setText(label.text, size=size)
    if item.legend is not None:
        item.legend.opts.update(labelTextSize=size)


def figures(root: QWidget) -> list[pg.PlotItem]:
    """The plots in `root`, itself included: those of plot widgets and of graphics layouts."""
    plots = []
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, pg.PlotWidget):
            plots.append(widget.getPlotItem())
        elif isinstance(widget, pg.GraphicsLayoutWidget):
            plots += [item for item in widget.ci.items if isinstance(item, pg.PlotItem)]
    return plots


def titles(item: pg.PlotItem) -> list[pg.LabelItem]:
    """The plot's title and its legend's names, where they say something."""
    legend = item.legend.items if item.legend is not None else []
    return [label for label in [item.titleLabel, *(label for _, label in legend)] if label.text]

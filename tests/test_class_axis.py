"""Class names under the bars of every plot that has them, legible at any width and in any letters."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFont, QFontMetrics

from app.class_axis import ClassAxis
from app.labels import fewest_distinct_letters
from models.registry import CIFAR10, MNIST
from tests.test_chart import chart_on_show


def assert_legible(plot: pg.PlotWidget, classes: tuple[str, ...], offset: float = 0.0) -> None:
    """Every class keeps a name of its own, no line of names is clipped, and no two names on a line overlap."""
    axis = plot.getAxis("bottom")
    labels = plot.findChild(ClassAxis).labels
    metrics = QFontMetrics(axis.style["tickFont"] or QFont())
    lines = 1 + max(text.count("\n") for text in labels)
    assert axis.height() >= lines * metrics.lineSpacing()
    box = plot.getViewBox()
    centre = [box.mapViewToScene(QPointF(i + offset, 0)).x() for i in range(len(labels))]
    for i, text in enumerate(labels):
        name = text.strip()
        assert name and classes[i].startswith(name.rstrip("."))
        neighbour = i + lines  # the next name on the same line
        if neighbour < len(labels):
            widths = metrics.horizontalAdvance(name) + metrics.horizontalAdvance(labels[neighbour].strip())
            assert widths / 2 < centre[neighbour] - centre[i], (name, labels[neighbour])
    assert len({text.strip() for text in labels}) == len(labels)  # no two read alike: not "a." for two


def test_names_are_cut_no_shorter_than_telling_them_apart_needs():
    assert fewest_distinct_letters(CIFAR10.classes) == 3  # "ai." and "au.": at 2 both were "a."
    assert fewest_distinct_letters(MNIST.classes) == 1


@pytest.mark.parametrize("width", [300, 520, 900, 1400])
@pytest.mark.parametrize("points", [11, 22])
def test_the_charts_class_names_stay_legible_whatever_the_width(qtbot, width, points):
    chart = chart_on_show(qtbot, width, points, CIFAR10.classes)
    qtbot.wait(10)
    assert_legible(chart.plot, CIFAR10.classes)


@pytest.mark.parametrize("width", [340, 900])
def test_the_attacks_bars_name_their_classes_legibly(qtbot, width):
    from app.lab.attack_panel import AttackPanel

    panel = AttackPanel()
    qtbot.addWidget(panel)
    font = panel.font()
    font.setPointSize(15)  # presentation mode's letters: "automobirdcatdeer" before
    panel.setFont(font)
    panel.resize(width, 700)
    panel.show()
    panel.set_dataset(CIFAR10)
    qtbot.wait(10)
    assert_legible(panel.bars, CIFAR10.classes)


@pytest.mark.parametrize("plot_kind", ["per class", "confusion"])
def test_the_reports_class_axes_stay_legible_when_narrow(qtbot, plot_kind):
    from app.report_figures import ConfusionView, per_class_plot

    if plot_kind == "per class":
        plot, offset = per_class_plot(list(np.linspace(0.8, 0.99, 10)), list(CIFAR10.classes)), 0.0
    else:
        plot, offset = ConfusionView(np.eye(10, dtype=int) * 90 + 1, list(CIFAR10.classes)), 0.5
    qtbot.addWidget(plot)
    plot.resize(420, 420)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.wait(10)
    assert_legible(plot, CIFAR10.classes, offset)


def test_the_end_names_are_drawn_even_where_they_reach_past_the_axis(qtbot):
    from PySide6.QtGui import QImage, QPainter

    from app.class_axis import ClassAxis

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.setXRange(-0.6, len(CIFAR10.classes) - 0.4, padding=0)
    names = ClassAxis(plot)
    names.set_classes(CIFAR10.classes)
    plot.show()
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    for width in range(300, 1500, 10):  # at some widths "airplane" reaches past the axis's left end
        plot.resize(width, 300)
        qtbot.wait(1)
        painter = QPainter(image)
        try:
            *_, texts = plot.getAxis("bottom").generateDrawSpecs(painter)
        finally:
            painter.end()
        drawn = [text.strip() for *_, text in texts]
        assert len(drawn) == len(CIFAR10.classes), (width, drawn)

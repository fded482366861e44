"""The confidence chart alone: its letters, percentages, outline and warning, at the sizes a lecture hall needs."""

from __future__ import annotations

import numpy as np
import pytest

from models.registry import CIFAR10


def test_presentation_fonts_reach_the_percentages_the_legend_and_the_titles(qtbot):
    from app.chart import WARNING, ConfidenceChart
    from models.registry import MNIST

    chart = ConfidenceChart()
    qtbot.addWidget(chart)
    chart.set_classes(MNIST.classes)
    chart.display({"mnist_cnn": np.full(10, 0.1)})
    chart.set_font_size(24)
    assert {label.textItem.font().pointSize() for label in chart.labels} == {23}
    titles = {"mnist_cnn": "MNIST CNN", "vit_mnist": "ViT"}
    chart.display({"mnist_cnn": np.full(10, 0.1), "vit_mnist": np.full(10, 0.1)}, titles=titles)
    chart.set_font_size(12)
    assert "MNIST CNN:" in chart.summary.text() and "mnist_cnn" not in chart.summary.text()
    assert chart.legend.font().pointSize() == 12 and chart.summary.font().pointSize() == 12
    chart.display({"vit_mnist": np.full(10, 0.1)}, unfamiliar={"vit_mnist"})
    chart.set_font_size(24)  # presentation mode on, while a warning is on show
    assert WARNING in chart.legend.text()


def chart_on_show(qtbot, width: int, points: int, classes: tuple[str, ...]):
    """A confidence chart alone on screen, `width` pixels wide, in `points`-point letters."""
    from app.chart import ConfidenceChart

    chart = ConfidenceChart()
    qtbot.addWidget(chart)
    chart.resize(width, 400)
    chart.show()
    chart.set_font_size(points)
    chart.set_classes(classes)
    return chart


@pytest.mark.parametrize(("width", "points"), [(300, 22), (900, 11)])
def test_the_percentages_above_the_bars_never_run_together(qtbot, width, points):
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFontMetrics

    from models.registry import MNIST

    chart = chart_on_show(qtbot, width, points, MNIST.classes)
    flat = np.full(10, 0.1)
    flat[8] = 0.11
    chart.display({"vit_mnist": flat / flat.sum()})
    qtbot.wait(10)
    shown = [i for i, label in enumerate(chart.labels) if label.toPlainText()]
    assert shown == (list(range(10)) if width == 900 else [8])  # small letters on a wide chart: all ten
    # The others are not drawn at all: an empty label's fill was a white box over its bar.
    assert [i for i, label in enumerate(chart.labels) if label.isVisible()] == shown
    box = chart.plot.getViewBox()
    centre = [box.mapViewToScene(QPointF(i, 0)).x() for i in shown]
    widths = [
        QFontMetrics(chart.labels[i].textItem.font()).horizontalAdvance(chart.labels[i].toPlainText()) for i in shown
    ]
    for k in range(len(shown) - 1):  # each number ends before the next begins
        assert centre[k] + widths[k] / 2 < centre[k + 1] - widths[k + 1] / 2


@pytest.mark.parametrize("top", [0, 9])
def test_the_top_percentage_stays_whole_at_either_end_of_a_narrow_chart(qtbot, top):
    from PySide6.QtCore import QRectF

    chart = chart_on_show(qtbot, 300, 22, CIFAR10.classes)
    probabilities = np.full(10, 0.01)
    probabilities[top] = 0.91
    chart.display({"resnet18_cifar10": probabilities})
    qtbot.wait(10)
    label = chart.labels[top]
    assert label.toPlainText() == "91%"
    box = chart.plot.getViewBox()
    shown = label.mapRectToScene(QRectF(label.boundingRect()))
    view = box.sceneBoundingRect()
    assert view.left() <= shown.left() and shown.right() <= view.right()  # no digit behind the axis or past the edge


def test_the_explained_classs_outline_never_crosses_the_digits_of_its_percentage(qtbot):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage

    from app.theme import ink

    chart = chart_on_show(qtbot, 300, 22, CIFAR10.classes)  # "96%" is wider than the outline here
    probabilities = np.full(10, 0.004)
    probabilities[4] = 0.964
    chart.display({"resnet18_cifar10": probabilities}, explained=4)
    qtbot.wait(10)
    label = chart.labels[4]
    view = chart.plot
    shown = view.mapFromScene(label.mapRectToScene(QRectF(label.boundingRect()))).boundingRect()
    image = view.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    outline = ink().rgb() & 0xFFFFFF
    inside = [
        image.pixel(x, y) & 0xFFFFFF
        for x in range(shown.left() + 1, shown.right() - 1)
        for y in range(shown.top() + 1, shown.bottom() - 1)
    ]
    assert inside and outline not in inside


@pytest.mark.parametrize(("width", "kept"), [(250, 2), (420, 1), (900, 0)])
def test_the_warning_of_one_model_stays_on_one_line(qtbot, width, kept):
    from app.chart import WARNINGS
    from models.registry import MNIST

    chart = chart_on_show(qtbot, width, 22, MNIST.classes)
    chart.display({"vit_mnist": np.full(10, 0.1)}, unfamiliar={"vit_mnist"})
    qtbot.wait(10)
    said = chart.legend.text()
    assert [f"&nbsp;{words}&nbsp;" in said for words in WARNINGS] == [k == kept for k in range(3)]
    assert chart.legend.heightForWidth(chart.legend.width()) <= chart.legend.minimumHeight()  # one line

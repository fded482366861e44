"""The layout holds still while the answers change, and reads from the back of a lecture hall."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from app.actions import Tab
from app.chart import WARNING
from app.theme import WCAG_AA, contrast
from models.registry import MNIST
from tests.conftest import SEVEN, pen_strokes
from tests.settling import every_toggle_on, place, settled_place


@pytest.fixture
def window(digit_models_window):
    """Three models, for compare mode's room."""
    return digit_models_window


@pytest.mark.parametrize("presentation", [False, True], ids=["1024x700", "presentation"])
def test_the_canvas_holds_still_while_the_answers_change(window, qtbot, presentation):
    window.resize(1024, 700)
    window.commands["presentation"].setChecked(presentation)
    canvas, size = settled_place(qtbot, window.canvas), window.size()
    every_toggle_on(window)
    for _ in range(2):
        with qtbot.waitSignal(window.answerShown, timeout=10000):
            pen_strokes(window.canvas, SEVEN)
        qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
        qtbot.wait(50)  # layouts settle on the next turn of the event loop
        assert place(window.canvas) == canvas and window.size() == size
    assert "MNIST CNN" in window.answers.chart.summary.text()  # the long captions were there


def test_the_browsed_picture_and_its_buttons_hold_still(window, qtbot):
    window.resize(1024, 700)
    window.show_tab(Tab.BROWSE)
    qtbot.waitUntil(lambda: MNIST.name in window.browser.panel.sets, timeout=10000)
    every_toggle_on(window)
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    qtbot.wait(50)
    view, buttons = place(window.browser.view), [place(b) for b in (window.browser.previous, window.browser.next)]
    for _ in range(4):
        with qtbot.waitSignal(window.answerShown, timeout=10000):
            window.browser.selection.step(7)
        qtbot.wait(50)
        assert place(window.browser.view) == view
        assert [place(b) for b in (window.browser.previous, window.browser.next)] == buttons
    # Three models, the true class, the probabilities and the heat map: every line has its room.
    summary = window.answers.chart.summary
    assert summary.text().count("\n") == 5 and QLabel.text(summary).count("\n") == 5


def test_the_lecture_view_is_large(window, qtbot):
    window.setGeometry(window.screen().geometry())  # presentation mode goes full screen in a lecture
    screen = window.screen().size().height()
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, SEVEN)
    window.commands["presentation"].setChecked(True)
    qtbot.wait(50)
    readout = window.answers.readout
    assert readout.height() >= screen / 8
    assert readout.answer.font().pixelSize() >= 0.6 * screen / 8  # the letters fill most of the strip
    assert window.answers.preview.width() >= screen / 4 - 1
    window.commands["presentation"].setChecked(False)
    qtbot.wait(50)
    assert window.answers.readout.height() < screen / 8


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_all_text_reads_at_4_5_to_1(window, qtbot, presentation):
    window.commands["presentation"].setChecked(presentation)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, SEVEN)
    with qtbot.waitSignal(window.reportShown, timeout=10000):
        window.show_report()
    for top in (window, window.report):
        for widget in top.findChildren(QWidget):
            if not widget.isVisibleTo(top) or not isinstance(widget, (QLabel, QAbstractButton)):
                continue
            palette = widget.palette()
            text = palette.color(widget.foregroundRole())
            assert contrast(text, palette.color(widget.backgroundRole())) >= WCAG_AA, widget.objectName()
            assert contrast(text, window.palette().window().color()) >= WCAG_AA, widget.objectName()
    background = window.palette().window().color()
    chart = window.answers.chart
    for side in ("left", "bottom"):
        assert contrast(chart.plot.getAxis(side).textPen().color(), background) >= WCAG_AA
    assert all(contrast(label.color, background) >= WCAG_AA for label in chart.labels)
    for plot in window.report.findChildren(pg.PlotWidget):
        for side in ("left", "bottom"):
            assert contrast(plot.getAxis(side).textPen().color(), background) >= WCAG_AA
        assert contrast(plot.getPlotItem().titleLabel.item.defaultTextColor(), background) >= WCAG_AA


@pytest.mark.parametrize("presentation", [False, True], ids=["1024x700", "presentation"])
def test_a_narrow_chart_wraps_its_legend_rather_than_cut_models_off(window, qtbot, presentation):
    window.resize(1024, 700)
    window.commands["presentation"].setChecked(presentation)
    window.show_lab(True)
    chart = window.answers.chart
    titles = {"mnist_cnn": "MNIST CNN", "resnet18_mnist": "ResNet18", "vit_mnist": "ViT"}
    answers = {name: np.full(10, 0.1, np.float32) for name in titles}
    chart.display(answers, titles=titles, unfamiliar=set(titles))  # every model warns: the longest legend
    settled_place(qtbot, chart.legend)
    laid_out = QTextDocument()
    laid_out.setDefaultFont(chart.legend.font())
    laid_out.setDocumentMargin(0)  # as a label lays out its text
    laid_out.setHtml(chart.legend.text())
    laid_out.setTextWidth(chart.legend.contentsRect().width())
    assert laid_out.toPlainText().count(WARNING) == 3  # "unfamiliar" too where the line has room
    assert laid_out.size().height() <= chart.legend.contentsRect().height() + 1


@pytest.mark.parametrize("dock", ["lab", "inside"])
def test_a_docks_title_grows_with_presentation_mode_and_its_buttons_work(window, qtbot, dock):
    show = {"lab": window.show_lab, "inside": window.show_inside}[dock]
    show(True)  # made before presentation mode, whose fonts a dock's own title would ignore
    opened = window.lab if dock == "lab" else window.inside
    title = opened.titleBarWidget().findChild(QLabel)
    normal = title.fontInfo().pointSizeF()
    window.commands["presentation"].setChecked(True)
    qtbot.wait(50)
    assert title.fontInfo().pointSizeF() >= 1.5 * normal
    assert title.text() == opened.windowTitle()
    floating, closing = opened.titleBarWidget().findChildren(QAbstractButton)
    floating.click()
    assert opened.isFloating()
    floating.click()
    assert not opened.isFloating()
    closing.click()
    assert opened.isHidden() and not window.commands[dock].isChecked()


def test_a_long_folder_path_in_the_browsers_message_breaks_at_its_separators(qtbot):
    from app.labels import WrappingLabel

    path = "/home/lecturer/teaching/2026/neural_networks_for_first_years/week_03/visionlab-data"
    label = WrappingLabel(f"Reading the MNIST test set from {path}…")
    qtbot.addWidget(label)
    whole = QLabel(path)
    qtbot.addWidget(whole)
    assert label.minimumSizeHint().width() < whole.minimumSizeHint().width() / 2
    assert label.text() == f"Reading the MNIST test set from {path}…"  # as given, for whoever reads it


@pytest.mark.parametrize("points", [9, 14, 22])
def test_a_label_of_reserved_lines_holds_them_all_in_any_letters(qtbot, points):
    from PySide6.QtGui import QFontMetrics

    from app.labels import ElidedLabel

    lines = ["MNIST CNN: 7 100.0%", "ResNet18: 7 91.0%", "ViT: 7 92.1%", "True class: 7", "raw", "looked for “7”"]
    text = "\n".join(lines)
    label = ElidedLabel(text, lines=6)
    qtbot.addWidget(label)
    font = label.font()
    font.setPointSize(points)
    label.setFont(font)
    label.resize(600, label.height())
    needed = QFontMetrics(label.font()).boundingRect(QRect(0, 0, 600, 10000), 0, label.text()).height()
    assert label.contentsRect().height() >= needed  # the last line keeps its descenders


@pytest.mark.parametrize("width", [290, 900])
def test_the_runner_up_gives_its_room_to_the_answer_where_it_would_be_too_small_to_read(qtbot, width):
    from app.readout import ANSWER_SHARE, LEAST_SIDE, SIDE_LETTERS, Readout
    from models.registry import CIFAR10

    readout = Readout(height=88)
    qtbot.addWidget(readout)
    readout.resize(width, 88)
    readout.show()
    sizes, shown = set(), set()
    for runner_up in range(1, 10):  # the pen changes the runner-up: nothing comes, goes or moves
        probabilities = np.full(10, 0.01)
        probabilities[0], probabilities[runner_up] = 0.9, 0.02
        readout.show_answer(CIFAR10.classes, probabilities)
        sizes.add(readout.answer.font().pixelSize())
        shown.add(readout.side.isVisible())
    assert len(sizes) == 1 and len(shown) == 1
    (side_shown,) = shown
    assert side_shown == (width == 900)
    if side_shown:
        assert readout.side.font().pixelSize() >= LEAST_SIDE * int(88 * SIDE_LETTERS)
    else:  # the answer takes the whole width
        qtbot.waitUntil(lambda: readout.answer.width() > width * ANSWER_SHARE)


def axis_titles(root: QWidget) -> list:
    """The titles beside the axes of every figure under `root`."""
    from app.figure_style import figures

    axes = [plot.getAxis(side) for plot in figures(root) for side in ("left", "bottom")]
    return [axis.label for axis in axes if axis.labelText]


def test_the_axis_titles_of_figures_made_before_presentation_mode_take_its_letters(window, qtbot):
    """pyqtgraph keeps an axis title in the letters of the time it was made: the attack's, the map's
    and the sweep's stayed small in presentation mode."""
    window.show_lab(True)
    window.show_inside(True)
    window.inside.pages.setCurrentWidget(window.inside.map)
    titles = axis_titles(window.lab) + axis_titles(window.inside) + axis_titles(window.answers)
    assert len(titles) >= 3  # the chart's, the attack's, the sweep's
    window.commands["presentation"].setChecked(True)
    large = QApplication.font().pointSize()
    qtbot.waitUntil(lambda: all(title.font().pointSize() >= large for title in titles), timeout=2000)
    window.commands["presentation"].setChecked(False)
    normal = QApplication.font().pointSize()
    qtbot.waitUntil(lambda: all(title.font().pointSize() < large for title in titles), timeout=2000)
    assert all(title.font().pointSize() <= normal + 2 for title in titles)  # the chart's are 2 points up

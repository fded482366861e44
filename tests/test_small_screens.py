"""The window fits the small screens of lecture halls: a 1024-pixel projector, in presentation
mode's letters too, with a dock beside it, heat maps side by side, the toolbar and the shortcuts."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QComboBox, QMessageBox, QStyle, QStyleOptionComboBox

from app.actions import Tab
from app.answer_panel import PLOT_SHARE
from app.browser import OWN
from app.core.selection import Show
from models.answering import Answer
from models.registry import MODELS
from tests.conftest import SEVEN, browse, pen_strokes
from tests.settling import every_toggle_on, place, settled_place


@pytest.fixture
def window(digit_models_window):
    """Three models, for compare mode's room."""
    return digit_models_window


def test_a_new_window_fits_the_screen(window):
    room = window.screen().availableGeometry()  # 800x800 on the offscreen platform
    assert window.width() <= room.width() and window.height() <= room.height()


@pytest.mark.parametrize("compare", [False, True], ids=["one model", "compare"])
def test_the_bars_keep_their_share_of_the_answer_panel_in_presentation_mode_on_a_1024x700_projector(
    window, qtbot, compare
):
    window.resize(1024, 700)
    window.commands["presentation"].setChecked(True)
    every_toggle_on(window)
    window.picker.compare.setChecked(compare)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    settled_place(qtbot, window.answers.chart.plot)
    answers = window.answers
    assert answers.chart.plot.height() >= answers.height() * PLOT_SHARE
    assert window.width() <= 1024 and window.height() <= 700
    assert not answers.preview.isVisibleTo(window)  # the model input gave way to the bars
    window.resize(1024, 1200)
    qtbot.waitUntil(lambda: answers.preview.isVisibleTo(window), timeout=2000)  # a taller window has room
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: not answers.preview.isVisibleTo(window), timeout=2000)
    window.commands["presentation"].setChecked(False)
    qtbot.waitUntil(lambda: answers.preview.isVisibleTo(window), timeout=2000)  # and is back outside it


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
@pytest.mark.parametrize("dock", ["lab", "inside"])
def test_a_dock_beside_the_window_fits_a_1024_pixel_screen(window, qtbot, dock, presentation):
    window.commands["presentation"].setChecked(presentation)
    window.resize(1024, 700)
    {"lab": window.show_lab, "inside": window.show_inside}[dock](True)
    qtbot.wait(50)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() <= 1024, timeout=2000)
    box = window.picker.box  # the dock leaves the model's title room beside it
    assert box.width() >= box.fontMetrics().horizontalAdvance(box.currentText()) + box.iconSize().width()
    window.show_tab(Tab.BROWSE)
    window.browser.set_source(OWN)  # its row of choices is the Browse tab's widest
    settled_place(qtbot, window.browser)
    window.resize(1024, 700)
    assert settled_place(qtbot, window.browser).right() < 1024 and window.width() <= 1024
    window.show_tab(Tab.DRAW)
    if dock == "lab":  # and as short as it goes, no slider's name is squeezed below its letters' height
        with qtbot.waitSignal(window.lab.sweep.swept, timeout=10000):  # the sweep's legend of ten classes too
            pen_strokes(window.canvas, SEVEN)
        window.resize(1024, 400)
        titles = window.lab.knobs.titles.values()
        qtbot.waitUntil(lambda: all(t.height() >= t.minimumSizeHint().height() for t in titles), timeout=2000)
        scroll = window.lab.pages.currentWidget()  # scrolled to its end, the sweep shows whole, axis and all
        bar, plot = scroll.verticalScrollBar(), window.lab.sweep.plot
        bar.setValue(bar.maximum())
        viewport = scroll.viewport()
        qtbot.waitUntil(lambda: plot.mapTo(viewport, QPoint(0, plot.height())).y() <= viewport.height())


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_three_models_heat_maps_side_by_side_fit_a_1024_pixel_screen_with_their_captions_whole(
    window, qtbot, presentation
):
    window.commands["presentation"].setChecked(presentation)
    window.resize(1024, 700)
    window.show_inside(True)
    side_by_side = window.inside.side_by_side
    window.inside.pages.setCurrentWidget(side_by_side)
    names = ["mnist_cnn", "resnet18_mnist", "vit_mnist"]
    picture = np.zeros((28, 28), np.uint8)
    answer = Answer(
        1,
        {name: np.eye(10, dtype=np.float32)[3] for name in names},
        model_input=picture,
        heats={name: np.zeros((28, 28), np.float32) for name in names},
    )
    side_by_side.show_answer(answer)
    window.resize(1024, 700)
    settled_place(qtbot, side_by_side)
    assert window.width() <= 1024
    views = [side_by_side.views[name] for name in names]
    for name, (_, caption) in zip(names, views, strict=True):
        assert caption.text().startswith(MODELS[name].title)
        lines = caption.text().splitlines()
        assert caption.width() >= max(caption.fontMetrics().horizontalAdvance(line) for line in lines)
        assert caption.height() >= caption.heightForWidth(caption.width())
    widths = [view.width() for view, _ in views]
    assert max(widths) - min(widths) <= 2  # no model's map squeezed beside the others


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_heat_maps_side_by_side_in_a_dock_shortened_by_the_lab_leave_their_captions_whole(window, qtbot, presentation):
    window.commands["presentation"].setChecked(presentation)
    window.resize(1024, 700)
    window.show_inside(True)
    window.show_lab(True)  # below it, on the same side
    side_by_side = window.inside.side_by_side
    window.inside.pages.setCurrentWidget(side_by_side)
    names = ["mnist_cnn", "resnet18_mnist", "vit_mnist"]
    answer = Answer(
        1,
        {name: np.eye(10, dtype=np.float32)[3] for name in names},
        model_input=np.zeros((28, 28), np.uint8),
        heats={name: np.zeros((28, 28), np.float32) for name in names},
    )
    side_by_side.show_answer(answer)
    window.resize(1024, 700)
    settled_place(qtbot, side_by_side)
    for view, caption in side_by_side.views.values():
        assert place(caption).bottom() <= place(view).top()  # whose map it is, where the dock shows it
        assert caption.height() >= caption.heightForWidth(caption.width())
        assert caption.mapTo(side_by_side, QPoint(0, caption.height())).y() <= side_by_side.height()
        assert view.mapTo(side_by_side, QPoint(0, view.height())).y() <= side_by_side.height()  # the map whole too


@pytest.mark.parametrize("presentation", [False, True], ids=["normal", "presentation"])
def test_the_attacks_slider_and_target_keep_their_room_on_a_1024_pixel_screen(window, qtbot, presentation):
    window.commands["presentation"].setChecked(presentation)
    window.resize(1024, 700)
    window.show_lab(True)
    window.lab.pages.setCurrentIndex(1)
    attack = window.lab.attack
    pen_strokes(window.canvas, SEVEN)  # an answer offers its classes as targets
    qtbot.waitUntil(lambda: attack.target_box.count() > 1, timeout=10000)
    settled_place(qtbot, attack.epsilon)
    assert window.width() <= 1024
    assert attack.epsilon.width() >= attack.width() // 2  # a slider, not a knob squeezed beside its words
    box = attack.target_box
    assert box.currentText() and box.width() >= box.fontMetrics().horizontalAdvance(box.currentText())


@pytest.mark.parametrize("tab", [Tab.DRAW, Tab.BROWSE])
def test_every_toolbar_button_shows_on_a_1024_pixel_screen_in_presentation_mode(window, qtbot, tab):
    window.commands["presentation"].setChecked(True)
    window.show_tab(tab)
    window.resize(1024, 700)
    toolbar = window.commands.toolbar
    settled_place(qtbot, toolbar)
    shown = [action for action in toolbar.actions() if action.isVisible()]
    assert shown and all(toolbar.widgetForAction(action).isVisible() for action in shown)  # none behind a "»"
    separators = [action.isSeparator() for action in shown]
    assert not any(a and b for a, b in zip(separators, separators[1:], strict=False))  # no empty group


def test_the_shortcuts_dialog_fits_a_1024x700_screen_in_presentation_mode(window, qtbot):
    window.commands["presentation"].setChecked(True)
    box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", window.commands.help_html(), parent=window)
    qtbot.addWidget(box)
    box.show()
    size = box.sizeHint()
    assert size.width() <= 1024 and size.height() <= 700 - 40  # a title bar above it
    laid_out = QTextDocument()
    laid_out.setDefaultFont(box.font())
    laid_out.setHtml(window.commands.help_html())
    shown = laid_out.toPlainText()
    assert all(action.text().replace("&", "").rstrip("…") in shown for action in window.commands.by_name.values())


@pytest.mark.parametrize(("presentation", "size"), [(False, (1024, 700)), (True, (1024, 768))])
def test_the_sweep_shows_whole_with_the_sliders_on_a_small_screen(window, qtbot, presentation, size):
    """Turning a slider moves its marker along the sweep: both must be in view at once."""
    window.commands["presentation"].setChecked(presentation)
    window.resize(*size)
    window.show_lab(True)
    with qtbot.waitSignal(window.lab.sweep.swept, timeout=10000):
        pen_strokes(window.canvas, SEVEN)
    plot, scroll = window.lab.sweep.plot, window.lab.pages.currentWidget()
    settled_place(qtbot, plot)
    assert scroll.verticalScrollBar().value() == 0  # the sliders at the top
    viewport = scroll.viewport()
    assert plot.mapTo(viewport, QPoint(0, plot.height())).y() <= viewport.height()


def test_the_orders_names_show_whole_on_a_1024_pixel_screen_in_presentation_mode(window, qtbot):
    """Shared alike with the class box, "Mistakes, surest first" lost its last letters."""
    window.commands["presentation"].setChecked(True)
    window.resize(1024, 768)
    browse(qtbot, window)
    box = window.browser.filters.show_box
    for show in (Show.MISTAKES, Show.LEAST_CONFIDENT):
        box.setCurrentIndex(box.findData(show))
        settled_place(qtbot, box)
        assert window.width() <= 1024
        assert box.width() >= needed_width(box)


def needed_width(box: QComboBox) -> int:
    """The width the style needs to show the box's current text whole, frame and arrow included."""
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    text = QSize(box.fontMetrics().horizontalAdvance(box.currentText()), box.fontMetrics().height())
    return box.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, box).width()

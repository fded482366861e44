"""The window, driven like a user would: pen strokes on the canvas, keys, models, settings, Explain."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolBar

from app.actions import Tab
from app.model_panel import LOADING
from models.answering import Answer
from models.registry import CIFAR10
from tests.conftest import ONE, SEVEN, pen_strokes

DRAW, BROWSE = Tab.DRAW.value, Tab.BROWSE.value


def test_drawing_updates_chart_and_preview(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    assert window.picker.current() == "mnist_cnn"
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: bool(window.answers.chart.shown))
    assert set(window.answers.chart.shown) == {"mnist_cnn"}
    assert window.answers.preview.pixmap is not None and window.answers.preview.pixmap.width() == 28
    # Once the pen has stopped, the bars are the model's answer for this very drawing.
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    from models.preprocess import strokes_to_mnist, to_native

    classifier = window.classifiers["mnist_cnn"]
    strokes = [np.array(stroke.points) for stroke in window.canvas.strokes]
    seen = to_native(strokes_to_mnist(strokes, window.canvas.brush), classifier.spec.dataset)
    np.testing.assert_array_equal(window.session.model_input, seen)
    expected = classifier.predict([seen])[0]
    np.testing.assert_allclose(window.answers.chart.shown["mnist_cnn"], expected, atol=1e-5)


def test_no_weights_gives_a_message_and_the_canvas_still_works(weights_dir, open_window, qtbot):
    window = open_window(start=False)
    window.tabs.setCurrentIndex(BROWSE)  # a change of input before the models are loaded
    window.tabs.setCurrentIndex(DRAW)
    assert window.answers.info.text() == LOADING  # not "no trained model" before any is looked for
    with qtbot.waitSignal(window.modelsReady, timeout=60000):
        window.start()
    assert "python -m training" in window.statusBar().currentMessage()
    assert "No trained MNIST model yet" in window.answers.info.text()
    pen_strokes(window.canvas, ONE)
    assert not window.canvas.is_blank()


def test_presentation_mode_enlarges_fonts_and_is_remembered(open_window):
    from PySide6.QtWidgets import QApplication

    window = open_window(start=False)
    normal = QApplication.font().pointSize()
    window.commands["presentation"].trigger()
    assert QApplication.font().pointSize() > normal
    window.close()
    again = open_window(start=False)
    assert again.commands["presentation"].isChecked()
    again.commands["presentation"].trigger()
    assert QApplication.font().pointSize() == normal


def test_last_model_and_window_size_are_remembered(install_untrained, open_window):
    install_untrained("mnist_cnn")
    chosen = install_untrained("vit_mnist")
    window = open_window()
    window.picker.pick("vit_mnist")
    window.resize(720, 540)  # inside the offscreen screen, which restoreGeometry clamps to
    window.close()
    again = open_window()
    assert again.picker.current() == "vit_mnist"
    assert (again.width(), again.height()) == (720, 540)
    again.close()

    aside = chosen.rename(chosen.with_suffix(".aside"))
    stand_in = open_window()
    assert stand_in.picker.current() == "mnist_cnn"
    stand_in.close()
    aside.rename(chosen)
    assert open_window().picker.current() == "vit_mnist"  # a missing file did not cost the choice


def test_a_photo_model_on_the_command_line_opens_on_its_test_set(install_untrained, qtbot):
    from app.window import MainWindow

    install_untrained("mnist_cnn")
    install_untrained("vit_cifar10")
    window = MainWindow(device="cpu", model="vit_cifar10")
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.modelsReady, timeout=60000):
        window.start()
    assert window.tabs.currentIndex() == BROWSE and window.browser.source == CIFAR10.name
    assert window.picker.current() == "vit_cifar10"
    assert window.commands["previous"].isVisible()


def test_every_toolbar_action_has_a_shortcut_in_its_tooltip(open_window):
    window = open_window(start=False)
    toolbar = window.findChild(QToolBar)
    actions = [a for a in toolbar.actions() if not a.isSeparator()]
    assert len(actions) >= 9
    for action in actions:
        key = action.shortcut().toString()
        assert key and key in action.toolTip(), action.text()
    browser = window.browser
    for button, key in ((window.picker.compare, "Ctrl+M"), (browser.previous, "Left"), (browser.random, "R")):
        assert button.toolTip().endswith(f"({key})"), button.toolTip()


def test_models_are_traced_for_single_pictures_after_loading(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    install_untrained("resnet18_mnist")
    window = open_window(start=False)
    with qtbot.waitSignal(window.worker.traced, timeout=60000):
        window.start()
    assert {name: c.single is not None for name, c in window.classifiers.items()} == {
        "mnist_cnn": True,
        "resnet18_mnist": True,
    }
    assert gc.get_freeze_count() > 0  # what startup made is out of the garbage collector's sight
    pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: "mnist_cnn" in window.answers.chart.shown, timeout=10000)


def test_compare_mode_shows_every_model_of_the_dataset(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    install_untrained("vit_cifar10")
    window = open_window()
    window.picker.compare.setChecked(True)
    pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: set(window.answers.chart.shown) == {"mnist_cnn", "vit_mnist"}, timeout=10000)
    chart = window.answers.chart
    assert len(chart.bars) == 2 and "MNIST CNN" in chart.legend.text() and "ViT" in chart.legend.text()
    # The legend is a line above the plot: it never covers a bar.
    assert chart.legend.geometry().bottom() < chart.plot.geometry().top()
    for _ in range(2):  # switching back and forth rebuilds the chart each time
        window.picker.compare.setChecked(False)
        qtbot.waitUntil(lambda: set(chart.shown) == {"mnist_cnn"}, timeout=10000)
        assert chart.legend.text() == ""
        window.picker.compare.setChecked(True)
        qtbot.waitUntil(lambda: len(chart.shown) == 2, timeout=10000)
        assert chart.legend.text().count("■") == 2


def test_a_failing_answer_is_reported_and_the_next_input_is_answered(
    install_untrained, qtbot, open_window, monkeypatch
):
    import models.answering

    install_untrained("mnist_cnn")
    window = open_window()
    with monkeypatch.context() as patch:
        patch.setattr(models.answering, "to_native", lambda image, dataset: 1 / 0)
        with qtbot.waitSignal(window.answerShown, timeout=10000):
            pen_strokes(window.canvas, ONE)
        qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    assert "division by zero" in window.statusBar().currentMessage()
    assert not window.answers.chart.shown
    pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: bool(window.answers.chart.shown), timeout=10000)


def test_clearing_while_an_answer_is_on_its_way_leaves_the_chart_empty(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    pen_strokes(window.canvas, ONE)
    window.canvas.clear()  # before the worker's answer is back
    qtbot.waitUntil(lambda: not window.session.questions.in_flight, timeout=10000)
    assert not window.answers.chart.shown and window.answers.preview.pixmap is None


DIGITS = {
    "1": ONE,
    "7": SEVEN,
    "0": [
        [
            (0.5, 0.15),
            (0.3, 0.25),
            (0.25, 0.5),
            (0.3, 0.75),
            (0.5, 0.85),
            (0.7, 0.75),
            (0.75, 0.5),
            (0.7, 0.25),
            (0.5, 0.15),
        ]
    ],
    "4": [[(0.6, 0.85), (0.6, 0.15), (0.25, 0.6), (0.8, 0.6)]],
}


@pytest.mark.parametrize("digit", sorted(DIGITS))
def test_the_shipped_cnn_reads_a_drawn_digit(digit, qtbot):
    import models

    if "mnist_cnn" not in models.available():
        pytest.fail("weights/mnist_cnn.safetensors is not in the repository")
    from app.window import MainWindow

    window = MainWindow(device="cpu", model="mnist_cnn")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.modelsReady, timeout=60000):
        window.start()
    pen_strokes(window.canvas, DIGITS[digit])
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    probabilities = window.answers.chart.shown["mnist_cnn"]
    assert window.answers.chart.classes[int(probabilities.argmax())] == digit


def test_explain_lays_a_heat_map_over_the_drawing_and_follows_a_clicked_class(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    window.commands["explain"].trigger()
    pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: window.canvas.overlay is not None and window.session.questions.settled, timeout=10000)
    assert window.answers.preview.overlay is not None
    assert "heat map" in window.answers.chart.summary.text()
    window.session.explain_class(3)
    qtbot.waitUntil(lambda: "“3”" in window.answers.chart.summary.text(), timeout=10000)
    assert window.answers.chart.explained == 3
    outline = window.answers.chart.outline
    assert outline.scene() is not None and outline.opts["x"] == [3]  # the explained class is marked
    window.commands["explain"].trigger()
    qtbot.waitUntil(lambda: window.canvas.overlay is None, timeout=10000)
    assert outline.scene() is None


def test_in_a_comparison_the_heat_map_is_the_picked_models(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    window = open_window()
    window.picker.compare.setChecked(True)
    window.commands["explain"].trigger()
    pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: "where MNIST CNN looked" in window.answers.chart.summary.text(), timeout=10000)
    window.picker.pick("vit_mnist")
    qtbot.waitUntil(lambda: "where ViT looked" in window.answers.chart.summary.text(), timeout=10000)
    assert list(window.answers.chart.shown) == ["mnist_cnn", "vit_mnist"]  # the bars keep their order and colours


def test_calibrated_toggle_says_which_probabilities_are_shown(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn", temperature=2.0)
    window = open_window()
    pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: "raw probabilities" in window.answers.chart.summary.text(), timeout=10000)
    raw = window.answers.chart.shown["mnist_cnn"].max()
    window.commands["calibrated"].trigger()
    qtbot.waitUntil(lambda: "temperature 2.00" in window.answers.chart.summary.text(), timeout=10000)
    assert window.answers.chart.shown["mnist_cnn"].max() < raw

    # An answer asked for before the toggle and shown after it says what it is, not what is ticked.
    late = Answer(window.session.questions.version, {"mnist_cnn": np.full(10, 0.1, np.float32)})
    assert window.session.note(late).startswith("raw probabilities")


def test_the_picker_names_each_model_by_its_title_and_its_file_name_in_the_tooltip(
    install_untrained, qtbot, open_window
):

    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    window = open_window()
    box = window.picker.box
    qtbot.waitUntil(lambda: box.count() == 2, timeout=10000)
    assert [box.itemText(i) for i in range(2)] == ["MNIST CNN", "ViT"]
    assert box.itemData(1, Qt.ItemDataRole.ToolTipRole) == "ViT (vit_mnist)"


def test_model_info_names_the_architecture_settings_once(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    window = open_window()
    qtbot.waitUntil(lambda: "mnist_cnn" in window.answers.info.text(), timeout=10000)
    assert window.answers.info.text().count("mnist_cnn") == 1
    window.picker.pick("vit_mnist")
    assert "patch size 4, dim 128, depth 4, heads 4" in window.answers.info.text()


def test_a_relative_data_folder_is_remembered_as_an_absolute_one(open_window, tmp_path, monkeypatch):
    from pathlib import Path

    from app.settings import Settings

    monkeypatch.chdir(tmp_path)
    open_window(Path("data"), start=False).close()
    monkeypatch.chdir("/")
    assert Settings().data_dir == tmp_path / "data"  # a launch from another folder finds the same data


def test_each_tab_offers_only_its_own_menus(open_window):
    window = open_window(start=False)
    shown = {action.text() for action in window.menuBar().actions() if action.isVisible()}
    assert "&Edit" in shown and "&Browse" not in shown
    window.tabs.setCurrentIndex(BROWSE)
    shown = {action.text() for action in window.menuBar().actions() if action.isVisible()}
    assert "&Browse" in shown and "&Edit" not in shown

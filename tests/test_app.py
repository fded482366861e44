"""The window, driven like a user would: pen strokes on the canvas, keys, the device menu."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
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


def test_the_undo_history_is_bounded_and_still_undoes(qtbot):
    from PySide6.QtCore import QPointF

    from app.canvas import UNDO_STEPS, DrawingCanvas

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(200, 200)
    for k in range(UNDO_STEPS + 50):
        canvas.begin_stroke(QPointF(10 + k % 150, 20))
        canvas.end_stroke()
    assert len(canvas.past) == UNDO_STEPS
    for _ in range(UNDO_STEPS + 10):
        canvas.undo()
    assert len(canvas.strokes) == 50  # the oldest states are forgotten, the newest all undone
    canvas.redo()
    assert len(canvas.strokes) == 51


def test_esc_in_a_slider_lets_go_of_it_and_leaves_the_drawing(install_untrained, qtbot, open_window):
    """Esc is the window's Clear key: pressed to let go of the brush or a lab slider, it wiped the drawing."""
    window = open_window(start=False)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
    pen_strokes(window.canvas, ONE)
    window.show_lab(True)
    for slider in (window.drawing_tab.brush, window.lab.attack.epsilon):
        slider.setFocus()
        qtbot.waitUntil(slider.hasFocus)
        QTest.keyClick(slider, Qt.Key.Key_Escape)
        assert len(window.canvas.strokes) == 1 and not slider.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_Escape)  # pressed again, away from any control, it clears
    assert window.canvas.is_blank()


def test_keys_clear_undo_and_redo(install_untrained, qtbot, open_window):
    window = open_window(start=False)
    window.windowHandle().requestActivate()  # shortcuts reach only the active window
    qtbot.waitUntil(window.isActiveWindow)
    pen_strokes(window.canvas, ONE + SEVEN)
    assert len(window.canvas.strokes) == 2
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes) == 1
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.canvas.strokes) == 2
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert window.canvas.is_blank()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes) == 2  # a clear is undone as a whole: no lost work
    window.tabs.setCurrentIndex(BROWSE)  # the drawing is out of sight: keys leave it alone
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert len(window.canvas.strokes) == 2
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes) == 2


def picture(canvas, size: int = 168) -> np.ndarray:
    """What the canvas paints, at size x size pixels, as an array."""
    image = canvas.raster(size)
    stride = image.bytesPerLine()
    return np.frombuffer(image.constBits(), np.uint8, count=stride * size).reshape(size, stride)[:, :size].astype(int)


def test_the_model_input_is_independent_of_widget_size(qtbot):
    from app.canvas import DrawingCanvas
    from models.preprocess import strokes_to_mnist

    small, large = DrawingCanvas(), DrawingCanvas()
    for canvas, size in ((small, 300), (large, 700)):
        qtbot.addWidget(canvas)
        canvas.resize(size, size)
        canvas.show()
        pen_strokes(canvas, SEVEN)
    a, b = (strokes_to_mnist(c.as_drawing().strokes, c.as_drawing().brush).astype(int) for c in (small, large))
    assert a.max() == 255
    assert np.abs(a - b).mean() < 8  # the same drawing, up to rounding of the mouse positions


def test_the_stroke_under_the_pen_looks_as_the_finished_stroke(qtbot):
    """The stroke under the pen is painted a segment at a time; it must look as the whole stroke does."""
    from app.canvas import DrawingCanvas

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(400, 400)
    canvas.show()
    pen_strokes(canvas, ONE)
    side, (ox, oy) = canvas.side(), canvas.origin()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(ox + 0.2 * side), int(oy + 0.3 * side)))
    for angle in np.linspace(0, 1.5 * np.pi, 40):
        x, y = 0.5 + 0.3 * np.cos(angle), 0.5 + 0.3 * np.sin(angle)
        QTest.mouseMove(canvas, QPoint(int(ox + x * side), int(oy + y * side)))
        picture(canvas)  # a repaint for every movement, as while drawing
    growing = picture(canvas)
    canvas.end_stroke()
    whole = picture(canvas)
    assert whole.max() == 255 and (whole > 0).mean() > 0.1
    # Antialiased edge pixels where segments meet are painted twice, a little brighter; nothing else differs.
    assert np.abs(growing - whole).max() < 128
    assert (growing != whole).sum() < 0.1 * (whole > 0).sum()


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


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_unavailable_device_keeps_the_current_one(install_untrained, qtbot, message_boxes, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    with qtbot.waitSignal(window.modelsReady, timeout=10000):
        window.loading.move_to("cuda")
    assert message_boxes and "CUDA device is not available" in message_boxes[0]
    assert window.session.device == "cpu"
    assert "mnist_cnn" in window.classifiers


def test_a_device_that_cannot_hold_the_models_keeps_them_where_they_are(
    install_untrained, qtbot, monkeypatch, message_boxes, open_window
):
    import models

    install_untrained("mnist_cnn")
    window = open_window()
    before = window.classifiers["mnist_cnn"]

    def out_of_memory(name, device):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(models, "load", out_of_memory)
    with qtbot.waitSignal(window.modelsReady, timeout=10000):
        window.loading.move_to("cpu")
    assert message_boxes and "out of memory" in message_boxes[0]
    assert window.classifiers["mnist_cnn"] is before
    assert window.picker.current() == "mnist_cnn"


def test_moving_the_models_to_a_device_reloads_them_and_keeps_the_answer(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    before = window.classifiers["mnist_cnn"]
    shown, asked = window.answers.chart.shown["mnist_cnn"].copy(), window.session.questions.version
    with qtbot.waitSignal(window.modelsReady, timeout=60000):
        window.loading.move_to("cpu")
    assert window.classifiers["mnist_cnn"] is not before
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    assert window.session.questions.last_shown > asked  # the drawing was asked about again, on the new device
    np.testing.assert_allclose(window.answers.chart.shown["mnist_cnn"], shown, atol=1e-5)
    assert window.session.device == "cpu" and window.devices.label.text() == "device: cpu"
    assert window.picker.current() == "mnist_cnn" and set(window.answers.chart.shown) == {"mnist_cnn"}


@pytest.mark.parametrize(
    ("typed", "written"), [("x.png", "x.png"), ("x.PNG", "x.PNG"), ("x", "x.png"), ("x.jpg", "x.jpg.png")]
)
def test_an_export_is_named_as_the_png_it_is(qapp, monkeypatch, tmp_path, typed, written):
    from PySide6.QtWidgets import QFileDialog

    from app import export

    def typed_in(dialog: QFileDialog) -> int:
        dialog.selectFile(str(tmp_path / typed))
        return 1

    monkeypatch.setattr(QFileDialog, "exec", typed_in)
    assert export.ask_target(None, tmp_path, "proposed.png") == tmp_path / written


def test_export_saves_input_and_chart_as_one_png(install_untrained, qtbot, tmp_path, open_window):
    from PIL import Image

    install_untrained("mnist_cnn")
    window = open_window()
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, SEVEN)
    with qtbot.waitSignal(window.exported, timeout=10000) as written:
        window.export_to(tmp_path / "slide.png")  # the PNG is written off the GUI thread
    picture = Image.open(written.args[0])
    side = int(window.canvas.side())
    assert picture.width == side + window.answers.chart_slot.width()  # the drawing without its grey margin
    assert picture.height >= window.answers.chart.height() - 2
    pixels = np.asarray(picture.convert("RGB")).astype(int)
    left, right = pixels[:, :side], pixels[:, side:]
    assert (left.min(axis=2) > 240).sum() > 500  # the white ink of the drawing
    top = (picture.height - side) // 2
    assert (left[top : top + side].max(axis=2) < 250).mean() > 0.5  # black canvas, no grey margin
    top_bar = np.abs(right - [230, 126, 34]).sum(axis=2) < 30  # the chart's orange top bar
    assert top_bar.sum() > 100 and not (np.abs(left - [230, 126, 34]).sum(axis=2) < 30).any()


def test_an_export_that_cannot_be_written_says_so(install_untrained, qtbot, tmp_path, open_window, message_boxes):
    install_untrained("mnist_cnn")
    window = open_window()
    window.export_to(tmp_path / "no such folder" / "slide.png")
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    assert "Could not write" in message_boxes[0] and "Choose another folder" in message_boxes[0]


def test_an_export_is_named_after_what_it_shows():
    import datetime

    from app.export import file_name

    when = datetime.datetime(2026, 12, 1, 14, 15, 3)
    assert file_name("mnist_cnn", "7", now=when) == "visionlab-mnist_cnn-7-20261201-141503.png"
    assert file_name("", "", now=when) == "visionlab-20261201-141503.png"
    assert (
        file_name("resnet18_cifar10", "cat / dog?", now=when)
        == "visionlab-resnet18_cifar10-cat_dog-20261201-141503.png"
    )


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


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_unavailable_device_on_the_command_line_falls_back(install_untrained, qtbot):
    from app.window import MainWindow

    install_untrained("mnist_cnn")
    window = MainWindow(device="cuda")
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: not window.session.starting, timeout=60000)
    assert list(window.classifiers) == ["mnist_cnn"]
    assert window.session.device == "cpu"
    message = window.statusBar().currentMessage()
    assert "CUDA device is not available" in message and "detected device" in message


def test_no_usable_device_at_launch_says_why_and_how_to_go_on(install_untrained, qtbot, monkeypatch, message_boxes):
    import models.device
    from app.window import MainWindow

    def broken(device):
        raise models.ModelError("PyTorch cannot start: libcudart.so is missing.")

    install_untrained("mnist_cnn")
    monkeypatch.setattr(models.device, "resolve", broken)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.modelsReady, timeout=60000):
        window.start()
    assert window.statusBar().currentMessage() == "PyTorch cannot start: libcudart.so is missing."
    assert window.answers.info.text() == "The MNIST models could not be loaded;\nthe status bar says why."


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


def test_report_shows_the_first_layer_responding_to_the_drawing(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    with qtbot.waitSignal(window.reportShown, timeout=10000):
        window.show_report()
    page = window.report.show_page("First layer")
    qtbot.wait(50)
    from app.preview import PixelView

    views = page.findChildren(PixelView)
    assert len(views) == 2 * 32  # 32 filters, each with its feature map
    assert {view.pixmap.width() for view in views} == {3, 26}


def test_a_report_that_cannot_be_made_says_why(install_untrained, qtbot, monkeypatch, message_boxes, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    classifier = window.classifiers["mnist_cnn"]

    def device_lost(image):
        raise RuntimeError("CUDA error: device-side assert triggered")

    monkeypatch.setattr(classifier, "first_layer", device_lost)
    with qtbot.waitSignal(window.reportShown, timeout=10000):
        window.show_report()
    assert message_boxes and "device-side assert" in message_boxes[0] and window.report is None


def test_a_closed_report_frees_its_figures(install_untrained, qtbot, open_window):
    from shiboken6 import isValid

    install_untrained("mnist_cnn")
    window = open_window()
    with qtbot.waitSignal(window.reportShown, timeout=10000):
        window.show_report()
    first = window.report
    with qtbot.waitSignal(window.reportShown, timeout=10000):
        window.show_report()
    assert isValid(first) and first.isVisible()  # two reports may be compared side by side
    first.close()
    qtbot.waitUntil(lambda: not isValid(first), timeout=5000)
    for _ in range(window.reports.KEPT_OPEN + 2):  # beyond a few, the oldest closes: memory stays bounded
        with qtbot.waitSignal(window.reportShown, timeout=10000):
            window.show_report()
    qtbot.waitUntil(lambda: len(window.reports.open) == window.reports.KEPT_OPEN, timeout=5000)
    window.reports.close_all()
    qtbot.waitUntil(lambda: window.report is None, timeout=5000)  # not a report already gone


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

    from models.registry import CIFAR10

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
    from models.registry import CIFAR10

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


@pytest.mark.parametrize("width", [420, 900])
def test_the_warning_of_one_model_stays_on_one_line(qtbot, width):
    from app.chart import WARNING_LONG, WARNING_SHORT
    from models.registry import MNIST

    chart = chart_on_show(qtbot, width, 22, MNIST.classes)
    chart.display({"vit_mnist": np.full(10, 0.1)}, unfamiliar={"vit_mnist"})
    qtbot.wait(10)
    said = chart.legend.text()
    assert (WARNING_LONG in said) == (width == 900) and (WARNING_SHORT in said) == (width == 420)
    assert chart.legend.heightForWidth(chart.legend.width()) <= chart.legend.minimumHeight()  # one line


def test_the_picker_names_each_model_by_its_title_and_its_file_name_in_the_tooltip(
    install_untrained, qtbot, open_window
):
    from PySide6.QtCore import Qt

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


def test_choosing_the_device_the_models_are_on_reloads_nothing(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    before = window.classifiers["mnist_cnn"]
    [cpu] = [action for action in window.devices.group.actions() if action.data() == "cpu"]
    cpu.trigger()
    qtbot.wait(200)
    assert window.classifiers["mnist_cnn"] is before and "Moving" not in window.statusBar().currentMessage()

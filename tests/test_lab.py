"""The confidence lab: sliders change what the models see while the lab is open, and a sweep
shows every class along a knob's range."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.lab.attack_panel import AttackPanel, verdict
from app.lab.knob_sliders import KnobSliders
from models.knobs import Knob, Settings
from models.perturb import perturbed
from models.registry import CIFAR10, MNIST
from tests.conftest import ONE, SEVEN, pen_strokes

# Loops and zigzags that are no digit.
SCRIBBLE = [
    [(0.2, 0.5), (0.3, 0.2), (0.4, 0.8), (0.5, 0.2), (0.6, 0.8), (0.7, 0.2), (0.8, 0.5)],
    [(0.2, 0.3), (0.8, 0.35), (0.25, 0.7), (0.75, 0.75)],
]


def drawn(window, qtbot):
    """A one drawn, once the answer to the whole drawing is on show."""
    pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: window.session.questions.settled and window.session.answer is not None, timeout=10000)
    return window.session.answer


def shown_pixels(view) -> np.ndarray:
    """The grey picture a PixelView holds, as an array."""
    image = view.pixmap.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width()].copy()


def test_a_knob_changes_what_the_model_sees_and_rest_gives_the_plain_answer(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    plain = drawn(window, qtbot)
    window.show_lab(True)  # its sliders at rest: nothing to ask again
    lab = window.lab
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        lab.knobs.turn(Knob.ROTATE, 90)
    turned = window.session.answer
    assert np.array_equal(turned.unchanged_input, plain.model_input)
    assert np.array_equal(turned.model_input, perturbed(plain.model_input, [Settings(rotate=90)])[0])
    assert not np.array_equal(turned.model_input, plain.model_input)
    # The lab shows what the model sees, turned: where the preview is off a small screen, it is the only view of it.
    assert np.array_equal(shown_pixels(lab.patch.view), turned.model_input[..., 0])
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        lab.knobs.reset()
    rest = window.session.answer
    assert np.array_equal(rest.model_input, plain.model_input)
    assert np.array_equal(rest.probabilities["mnist_cnn"], plain.probabilities["mnist_cnn"])


@pytest.mark.parametrize(("knob", "value", "over_drawing"), [(Knob.ROTATE, 90, False), (Knob.BLUR, 1.0, True)])
def test_the_heat_map_leaves_the_drawing_where_a_knob_moved_the_models_input(
    install_untrained, qtbot, open_window, knob, value, over_drawing
):
    install_untrained("mnist_cnn")
    window = open_window()
    window.commands["explain"].trigger()
    drawn(window, qtbot)
    qtbot.waitUntil(lambda: window.canvas.overlay is not None, timeout=10000)
    window.show_lab(True)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.knobs.turn(knob, value)
    qtbot.waitUntil(lambda: window.session.questions.settled, timeout=10000)
    assert window.answers.preview.overlay is not None  # over the model input it was made from
    assert (window.canvas.overlay is not None) == over_drawing  # a turned map lay beside the ink


def test_closing_the_lab_leaves_the_input_as_it_is(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    plain = drawn(window, qtbot)
    window.show_lab(True)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.knobs.turn(Knob.SCALE, 1.5)
    assert window.session.knobs == Settings(scale=1.5)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.commands["lab"].setChecked(False)
    assert window.session.knobs.neutral
    assert np.array_equal(window.session.answer.model_input, plain.model_input)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.commands["lab"].setChecked(True)  # the sliders kept their places
    assert window.session.knobs == Settings(scale=1.5)


def test_the_sweep_draws_every_class_along_the_knob(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    drawn(window, qtbot)
    window.show_lab(True)
    sweep = window.lab.sweep
    assert sweep.knob is Knob.ROTATE
    qtbot.waitUntil(lambda: len(sweep.curves) == 10, timeout=20000)
    assert len(sweep.curves) == 10
    xs, ys = sweep.curves[0].getData()
    assert len(xs) == 73 and xs[0] == -180 and xs[-1] == 180
    total = sum(curve.getData()[1] for curve in sweep.curves)
    assert np.allclose(total, 100, atol=0.01)  # the classes' probabilities at each angle sum to one
    # Every class in the legend, above the plot: inside it, ten names ran off its bottom.
    assert sweep.legend.text().count("■") == 10
    assert sweep.legend.geometry().bottom() < sweep.plot.geometry().top()
    with qtbot.waitSignal(sweep.swept, timeout=20000):
        sweep.knob_box.setCurrentIndex(list(Knob).index(Knob.BLUR))
    xs, _ = sweep.curves[0].getData()
    assert xs[0] == 0 and xs[-1] == 3


def test_clearing_the_canvas_empties_the_sweep_and_the_patch_view(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    drawn(window, qtbot)
    window.show_lab(True)
    lab = window.lab
    qtbot.waitUntil(lambda: len(lab.sweep.curves) == 10, timeout=20000)
    assert lab.patch.view.pixmap is not None
    window.canvas.clear()
    qtbot.waitUntil(lambda: window.answers.preview.pixmap is None, timeout=10000)
    assert not lab.sweep.curves and not lab.sweep.legend.text() and lab.patch.view.pixmap is None
    qtbot.wait(300)  # a sweep that was still running is not drawn once it ends
    assert not lab.sweep.curves


def test_explaining_by_occlusion_while_the_lab_is_open(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    window.commands["explain"].setChecked(True)
    plain = drawn(window, qtbot)
    assert "where" in window.session.note(plain)
    window.show_lab(True)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.occlusion.setChecked(True)
    qtbot.waitUntil(lambda: window.session.answer.occlusion, timeout=10000)  # after the bars
    answer = window.session.answer
    classifier = window.classifiers["mnist_cnn"]
    # The worker thread and this one may pick different float32 kernels: equal to rounding, not bit for bit.
    assert answer.occlusion and np.allclose(
        answer.heat, classifier.occlusion(answer.model_input, answer.target), atol=1e-5
    )
    assert "what covering each part costs" in window.session.note(answer)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.commands["lab"].setChecked(False)
    assert not window.session.answer.occlusion


def test_an_adversarial_picture_fools_the_picked_model_and_says_what_the_others_think(qtbot, open_window):
    window = open_window()  # the shipped models
    plain = drawn(window, qtbot)
    window.show_lab(True)
    panel = window.lab.attack
    window.answers.classClicked.emit(3)  # a click on the bar of 3
    assert panel.target_box.currentData() == 3
    assert panel.epsilon_value == MNIST.attack_levels / 255 == 0.2  # a digit's first epsilon: the benchmark's
    panel.epsilon.setValue(76)  # 0.3: sure to fool it, however busy the machine that runs the test
    with qtbot.waitSignal(panel.made, timeout=30000):
        panel.button.click()
    lines = panel.said.text().splitlines()
    assert lines[0].startswith("MNIST CNN: 1 (") and "→ 3 (" in lines[0] and lines[0].endswith(", fooled")
    assert len(lines) == 3  # and what the other two MNIST models say of the same picture
    shown = panel.picture.pixmap.toImage()
    assert (shown.width(), shown.height()) == plain.model_input.shape[:2]


def test_the_verdict_says_fooled_only_where_the_answer_moved_and_unsure_where_the_bars_are_flat():
    # A model moved off its answer to another class than the target is wrong, not "not fooled".
    sure_three, sure_eight = np.eye(10)[3] * 0.9 + 0.01, np.eye(10)[8] * 0.9 + 0.01
    flat_eight = np.full(10, 0.099)
    flat_eight[8] = 0.109
    assert verdict(sure_three, sure_eight, target=8) == "fooled"
    assert verdict(sure_three, sure_eight, target=5) == "wrong, but not the target"
    assert verdict(sure_three, sure_three, target=5) == "not fooled"
    assert verdict(sure_three, sure_eight, target=None) == "fooled"  # anything but its own answer
    assert verdict(sure_three, sure_three, target=None) == "not fooled"
    assert verdict(sure_three, flat_eight, target=8) == "fooled, though unsure"
    flat_three = flat_eight[[0, 1, 2, 8, 4, 5, 6, 7, 3, 9]]
    assert verdict(sure_three, flat_three, target=8) == "not fooled, though unsure now"


def test_each_dataset_starts_from_its_own_epsilon_and_keeps_the_users_change(qtbot):
    panel = AttackPanel()
    qtbot.addWidget(panel)
    panel.set_dataset(MNIST)
    assert panel.epsilon_value == 0.2 and panel.epsilon_label.text() == "Change each pixel at most 51/255 (0.20)"
    panel.epsilon.setValue(30)
    panel.set_dataset(MNIST)  # the next answer, from the same dataset
    assert panel.epsilon_value == 30 / 255
    panel.set_dataset(CIFAR10)
    assert panel.epsilon_value == 8 / 255 and panel.target_box.itemText(1) == "airplane"


def test_dragging_the_square_covers_that_part_of_what_the_model_sees(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    plain = drawn(window, qtbot)
    window.show_lab(True)
    view = window.lab.patch.view
    qtbot.waitUntil(lambda: view.pixmap is not None)
    shown = view.shown_rect()
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=shown.center())
    patch = window.session.knobs.patch
    assert patch is not None and abs(patch.x - 0.5) < 0.05 and abs(patch.y - 0.5) < 0.05
    covered = window.session.answer.model_input
    assert np.array_equal(covered, perturbed(plain.model_input, [Settings(patch=patch)])[0])
    assert covered[14, 14, 0] == 0 and plain.model_input[12:16, 12:16].max() > 0  # the one's middle is gone
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.patch.remove.click()
    assert window.session.knobs.neutral
    assert np.array_equal(window.session.answer.model_input, plain.model_input)


def test_the_stroke_width_knob_is_for_drawings_only(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    plain = drawn(window, qtbot)
    window.show_lab(True)
    knobs = window.lab.knobs
    assert knobs.sliders[Knob.STROKE_WIDTH].isVisible()
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        knobs.turn(Knob.STROKE_WIDTH, 1.0)
    bolder = window.session.answer.model_input
    assert (bolder > 0).sum() > (plain.model_input > 0).sum()


def test_a_photo_hides_the_stroke_width_knob_and_rests_it(qtbot):
    knobs = KnobSliders()
    qtbot.addWidget(knobs)
    knobs.show()
    knobs.turn(Knob.STROKE_WIDTH, 1.0)
    with qtbot.waitSignal(knobs.changed) as changed:
        knobs.offer_drawing_knobs(False)
    assert not knobs.sliders[Knob.STROKE_WIDTH].isVisible()
    assert changed.args[0] == Settings() == knobs.settings()
    knobs.offer_drawing_knobs(True)
    assert knobs.sliders[Knob.STROKE_WIDTH].isVisible()


def test_a_scribble_is_called_unfamiliar_above_bars_that_stay(qtbot, open_window):
    window = open_window()  # the shipped models, their unfamiliarity fitted
    pen_strokes(window.canvas, SCRIBBLE)
    qtbot.waitUntil(lambda: window.session.questions.settled and window.session.answer is not None, timeout=10000)
    answer = window.session.answer
    assert answer.unfamiliar == {"mnist_cnn"}
    chart = window.answers.chart
    assert "Unlike anything it was trained on" in chart.legend.text()
    assert "however sure" in chart.legend.toolTip().lower()
    assert sum(bar.opts["height"].sum() for bar in chart.bars) == pytest.approx(100, abs=0.5)  # the bars stay
    window.canvas.clear()
    pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(
        lambda: (
            window.session.questions.settled
            and "mnist_cnn" in window.session.answer.probabilities
            and window.session.answer.model_input.any()
        ),
        timeout=10000,
    )
    qtbot.waitUntil(lambda: not window.session.answer.unfamiliar, timeout=10000)
    assert chart.legend.text() == ""


def test_a_sweep_for_another_datasets_model_takes_the_old_curves_away_at_once(qtbot):
    import time
    from types import SimpleNamespace

    from app.lab.sweep_plot import SweepPlot
    from models.knobs import Settings
    from models.registry import CIFAR10, MNIST

    class Sweeping:
        """A model's sweep, flat, after `seconds`."""

        def __init__(self, classes: tuple[str, ...], seconds: float) -> None:
            self.classes, self.seconds = classes, seconds
            self.spec = SimpleNamespace(title="Stand-in")

        def sweep(self, picture, knob, base):
            time.sleep(self.seconds)
            return np.linspace(knob.low, knob.high, 5), np.full((5, len(self.classes)), 1 / len(self.classes))

    sweep = SweepPlot()
    qtbot.addWidget(sweep)
    with qtbot.waitSignal(sweep.swept, timeout=5000):
        sweep.follow(Sweeping(MNIST.classes, 0), np.zeros((28, 28), np.uint8), Settings())
    assert len(sweep.curves) == 10 and "0" in sweep.legend.text()
    with qtbot.waitSignal(sweep.swept, timeout=5000):
        sweep.follow(Sweeping(CIFAR10.classes, 0.3), np.zeros((32, 32, 3), np.uint8), Settings())
        assert not sweep.curves and not sweep.legend.text()  # no digit curves under a photo meanwhile
    assert "airplane" in sweep.legend.text()
    with qtbot.waitSignal(sweep.swept, timeout=5000):
        sweep.follow(Sweeping(CIFAR10.classes, 0.3), np.ones((32, 32, 3), np.uint8), Settings())
        assert len(sweep.curves) == 10  # the same classes: the curves stay until the new ones come
    sweep.knob_box.setCurrentIndex(list(Knob).index(Knob.BLUR))
    with qtbot.waitSignal(sweep.swept, timeout=5000):
        sweep.follow(Sweeping(CIFAR10.classes, 0.3), np.ones((32, 32, 3), np.uint8), Settings())
        # Another knob: the rotation's curves go at once, not after a while under the name of blur.
        title = sweep.plot.getPlotItem().titleLabel
        assert not sweep.curves and title.isVisible() and title.text == "Sweeping blur…"
    assert len(sweep.curves) == 10 and not title.isVisible()


def test_the_sweep_plot_stands_tall_enough_for_its_axis_title_in_large_letters(qtbot):
    from PySide6.QtGui import QFontMetrics

    from app.lab.sweep_plot import AXIS_TITLE, SweepPlot

    sweep = SweepPlot()
    qtbot.addWidget(sweep)
    font = sweep.font()
    font.setPointSize(22)
    sweep.setFont(font)
    assert sweep.plot.minimumHeight() >= QFontMetrics(font).horizontalAdvance(AXIS_TITLE)


def test_the_attacks_verdict_stands_beside_its_pictures_above_the_bars(qtbot):
    panel = AttackPanel()
    qtbot.addWidget(panel)
    panel.resize(360, 900)
    panel.show()
    qtbot.waitExposed(panel)
    said, bars, picture = panel.said.geometry(), panel.bars.geometry(), panel.picture.geometry()
    assert picture.bottom() < said.top() < bars.top()  # in view after a click, not under a tall chart


class HeldAttack:
    """A stand-in model whose attack waits until released, and then changes one pixel."""

    def __init__(self, dataset, fails: bool = False) -> None:
        import threading
        from types import SimpleNamespace

        self.spec, self.classes = SimpleNamespace(title="Stand-in", dataset=dataset), dataset.classes
        self.name = "stand_in"
        self.release, self.fails = threading.Event(), fails

    def attack(self, picture: np.ndarray, target: int | None, epsilon: float) -> np.ndarray:
        self.release.wait(10)
        if self.fails:
            raise RuntimeError("out of memory")
        changed = picture.copy()
        changed.flat[0] = 255
        return changed

    def predict(self, pictures: list) -> np.ndarray:
        return np.tile(np.eye(10)[1], (len(pictures), 1))


@pytest.mark.parametrize("when", ["after", "while", "failing while"])
def test_an_adversarial_picture_leaves_with_its_dataset(qtbot, when):
    """Made for a digit, it stayed on show beside CIFAR-10's targets, its verdict read as if of the
    photo model of the same name; one still being made when the dataset changed arrived after it."""
    panel = AttackPanel()
    qtbot.addWidget(panel)
    panel.set_dataset(MNIST)
    invitation = panel.said.text()
    model = HeldAttack(MNIST, fails=when == "failing while")
    picture = np.zeros((28, 28, 1), np.uint8)
    panel.follow(model.name, picture)
    panel.make(model, [], picture)
    if when == "after":
        model.release.set()
        qtbot.waitSignal(panel.made, timeout=10000).wait()
        assert panel.picture.pixmap is not None and "Stand-in: 1 (100%) → 1 (100%)" in panel.said.text()
    panel.set_dataset(CIFAR10)
    model.release.set()
    qtbot.waitUntil(panel.button.isEnabled, timeout=10000)
    qtbot.wait(50)
    assert panel.picture.pixmap is None and panel.change.pixmap is None
    assert panel.said.text() == invitation


@pytest.mark.parametrize("change", ["input", "model", "input while made"])
def test_an_adversarial_picture_leaves_when_the_input_or_the_model_changes(qtbot, change):
    """Left on show, it read as made for the new drawing, or as if the newly picked model had been fooled."""
    panel = AttackPanel()
    qtbot.addWidget(panel)
    panel.set_dataset(MNIST)
    model, picture = HeldAttack(MNIST), np.zeros((28, 28, 1), np.uint8)
    panel.follow(model.name, picture)
    panel.make(model, [], picture)
    if change != "input while made":
        model.release.set()
        qtbot.waitSignal(panel.made, timeout=10000).wait()
        panel.follow(model.name, picture.copy())  # the same input answered again: the picture stays
        assert panel.picture.pixmap is not None
    if change == "model":
        panel.follow("another_model", picture)
    else:
        panel.follow(model.name, np.ones((28, 28, 1), np.uint8))
    model.release.set()
    qtbot.waitUntil(panel.button.isEnabled, timeout=10000)
    assert panel.picture.pixmap is None and panel.change.pixmap is None
    assert "Stand-in" not in panel.said.text()
    if change == "input while made":
        assert "changed" in panel.said.text()


def test_the_sweep_says_shares_in_percent_and_offers_stroke_width_for_drawings_only(qtbot):
    from types import SimpleNamespace

    from app.lab.sweep_plot import SweepPlot

    class Flat:
        classes, spec = MNIST.classes, SimpleNamespace(title="Stand-in")

        def sweep(self, picture, knob, base):
            return np.linspace(knob.low, knob.high, 5), np.full((5, 10), 0.1)

    sweep = SweepPlot()
    qtbot.addWidget(sweep)
    sweep.show()
    sweep.knob_box.setCurrentIndex(list(Knob).index(Knob.NOISE))
    with qtbot.waitSignal(sweep.swept, timeout=5000):
        sweep.follow(Flat(), np.zeros((28, 28), np.uint8), Settings(noise=0.3))
    xs, _ = sweep.curves[0].getData()
    assert xs[0] == 0 and xs[-1] == 50  # as the slider says it: 0-50%, not 0-500 over "(x0.001)"
    label = sweep.plot.getAxis("bottom").labelString()
    assert "% of the pixel range" in label and "x0.0" not in label
    assert sweep.here.value() == 30
    assert sweep.legend.text().startswith("Stand-in: ")  # whose sweep it is
    stroke = list(Knob).index(Knob.STROKE_WIDTH)
    sweep.knob_box.setCurrentIndex(stroke)
    sweep.offer_drawing_knobs(False)  # a photo
    assert sweep.knob is not Knob.STROKE_WIDTH and sweep.knob_box.view().isRowHidden(stroke)
    sweep.offer_drawing_knobs(True)
    assert not sweep.knob_box.view().isRowHidden(stroke)


def test_ticking_occlusion_turns_the_heat_map_on(install_untrained, qtbot, open_window):
    """With Explain off, the box did nothing to be seen."""
    install_untrained("mnist_cnn")
    window = open_window()
    drawn(window, qtbot)
    window.show_lab(True)
    assert not window.commands["explain"].isChecked()
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.occlusion.setChecked(True)
    assert window.commands["explain"].isChecked()
    qtbot.waitUntil(lambda: window.session.answer.occlusion, timeout=10000)


def test_with_occlusion_the_bars_come_first_and_the_heat_map_follows(install_untrained, qtbot, open_window):
    """Occlusion asks some 170 answers: for a photo model the bars waited seconds behind it."""
    install_untrained("mnist_cnn")
    window = open_window()
    window.commands["explain"].setChecked(True)
    window.show_lab(True)
    window.lab.occlusion.setChecked(True)
    drawn(window, qtbot)
    qtbot.waitUntil(lambda: window.session.answer.occlusion, timeout=10000)
    shown: list = []
    window.session.answered.connect(shown.append)
    pen_strokes(window.canvas, SEVEN)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].occlusion, timeout=10000)
    qtbot.wait(300)  # and nothing more is asked
    lifted = [answer for answer in shown if np.array_equal(answer.model_input, shown[-1].model_input)]
    assert len(lifted) == 2  # the finished drawing's bars, then its heat map
    assert lifted[0].heat is None and lifted[0].probabilities and lifted[1].heat is not None
    assert window.canvas.overlay is not None

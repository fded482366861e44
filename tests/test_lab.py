"""The confidence lab: sliders change what the models see while the lab is open, and a sweep
shows every class along a knob's range."""

import numpy as np

from models.knobs import Knob, Settings
from models.perturb import perturbed
from tests.conftest import ONE, pen_strokes


def drawn(window, qtbot):
    """A one drawn, once the answer to the whole drawing is on show."""
    pen_strokes(window.canvas, ONE)
    qtbot.waitUntil(lambda: window.session.questions.settled and window.session.answer is not None, timeout=10000)
    return window.session.answer


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
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        lab.knobs.reset()
    rest = window.session.answer
    assert np.array_equal(rest.model_input, plain.model_input)
    assert np.array_equal(rest.probabilities["mnist_cnn"], plain.probabilities["mnist_cnn"])


def test_closing_the_lab_leaves_the_input_as_it_is(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    plain = drawn(window, qtbot)
    window.show_lab(True)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.knobs.turn(Knob.SCALE, 1.5)
    assert window.session.knobs == Settings(scale=1.5)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.actions["lab"].setChecked(False)
    assert window.session.knobs.neutral
    assert np.array_equal(window.session.answer.model_input, plain.model_input)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.actions["lab"].setChecked(True)  # the sliders kept their places
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
    with qtbot.waitSignal(sweep.swept, timeout=20000):
        sweep.knob_box.setCurrentIndex(list(Knob).index(Knob.BLUR))
    xs, _ = sweep.curves[0].getData()
    assert xs[0] == 0 and xs[-1] == 3


def test_explaining_by_occlusion_while_the_lab_is_open(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    window.actions["explain"].setChecked(True)
    plain = drawn(window, qtbot)
    assert "where" in window.session.note(plain)
    window.show_lab(True)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.lab.occlusion.setChecked(True)
    answer = window.session.answer
    classifier = window.classifiers["mnist_cnn"]
    assert answer.occlusion and np.allclose(answer.heat, classifier.occlusion(answer.model_input, answer.target))
    assert "what covering each part costs" in window.session.note(answer)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.actions["lab"].setChecked(False)
    assert not window.session.answer.occlusion


def test_an_adversarial_picture_fools_the_picked_model_and_says_what_the_others_think(qtbot, open_window):
    window = open_window()  # the shipped models
    plain = drawn(window, qtbot)
    window.show_lab(True)
    panel = window.lab.attack
    window.answers.classClicked.emit(3)  # a click on the bar of 3
    assert panel.target_box.currentData() == 3
    panel.epsilon.setValue(30)
    with qtbot.waitSignal(panel.made, timeout=30000):
        panel.button.click()
    lines = panel.said.text().splitlines()
    assert lines[0].startswith("MNIST CNN says 3") and lines[0].endswith(": fooled")
    assert len(lines) == 3  # and what the other two MNIST models say of the same picture
    shown = panel.picture.pixmap.toImage()
    assert (shown.width(), shown.height()) == plain.model_input.shape[:2]

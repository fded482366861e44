"""The compute device in the real window: detected, chosen on the command line or in the Device menu,
missing or too small."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import ONE, pen_strokes


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


def test_choosing_the_device_the_models_are_on_reloads_nothing(install_untrained, qtbot, open_window):
    install_untrained("mnist_cnn")
    window = open_window()
    before = window.classifiers["mnist_cnn"]
    [cpu] = [action for action in window.devices.group.actions() if action.data() == "cpu"]
    cpu.trigger()
    qtbot.wait(200)
    assert window.classifiers["mnist_cnn"] is before and "Moving" not in window.statusBar().currentMessage()

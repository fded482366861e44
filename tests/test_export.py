"""Ctrl+S in the real window: the input and its chart as one PNG for slides, its name, and a place
it cannot be written."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SEVEN, pen_strokes


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

"""The Model Report opened from the real window: what it shows of the drawing, a report that cannot
be made, closed reports."""

from __future__ import annotations

import pytest

from tests.conftest import SEVEN, pen_strokes


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


def test_a_report_grows_with_presentation_modes_letters_within_the_screen(open_window):
    from PySide6.QtCore import QSize

    from app.presentation import SCALE, letters
    from app.report import HEIGHT, WIDTH, report_size

    window = open_window(start=False)
    assert letters() == 1.0
    window.commands["presentation"].setChecked(True)
    assert letters() == pytest.approx(SCALE, abs=0.1)  # the normal size times SCALE, rounded to a point
    window.commands["presentation"].setChecked(False)
    screen = QSize(1920, 1040)
    assert report_size(300, 1.0, screen) == QSize(WIDTH, HEIGHT)
    assert report_size(300, 1.6, screen) == QSize(round(WIDTH * 1.6), round(HEIGHT * 1.6))
    assert report_size(300, 1.6, QSize(1024, 740)) == QSize(1024, 740)  # no larger than the screen
    assert report_size(1000, 1.0, screen).width() == 1040  # every tab's name shows

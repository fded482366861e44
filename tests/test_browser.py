"""The image browser in the real window over the test sets: browsing, filters, mistakes, stored answers, icons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt, QThreadPool

from app.actions import Tab
from app.core.selection import Show
from app.thumbnails import SIZE
from models import datasets, test_answers
from models.registry import CIFAR10, MNIST, spec
from tests.conftest import ONE, browse, pen_strokes

DRAW, BROWSE = Tab.DRAW.value, Tab.BROWSE.value


def store_answers(name: str, data_dir: Path, taken_for: dict[int, int], test_set: str | None = None) -> np.ndarray:
    """Answers for the tiny test set as an evaluation would store them: right, but for the images
    in `taken_for`, each taken for the given class with a confidence that falls with its index."""
    image_set = datasets.load(MNIST.name, "test", data_dir)
    probabilities = np.full((len(image_set), 10), 0.02, np.float32)
    probabilities[np.arange(len(image_set)), image_set.labels] = 0.82
    for index, wrong in taken_for.items():
        probabilities[index] = 0.02
        probabilities[index, wrong] = 0.82 - index / 100
        probabilities[index, image_set.labels[index]] += index / 100
    test_answers.save(spec(name).answers_path, probabilities, test_set or image_set.fingerprint)
    return probabilities


def test_stored_answers_offer_the_mistakes_at_once(install_untrained, tiny_mnist, open_window, qtbot):
    install_untrained("mnist_cnn")
    probabilities = store_answers("mnist_cnn", tiny_mnist, {3: 5, 12: 0, 7: 1})
    window = open_window(tiny_mnist)
    browse(qtbot, window)
    window.browser.filters.set_show(Show.MISTAKES)
    assert not window.scorer.busy  # nothing scored: the evaluation's answers are used
    assert window.browser.selection.indices.tolist() == [3, 7, 12]  # the surest mistake first
    assert np.allclose(window.session.scores[("mnist_cnn", MNIST.name)], probabilities, atol=1e-3)
    assert window.browser.filters.answers_note.text() == "MNIST CNN gets 3 of 20 test images wrong."
    icon = window.browser.thumbs.data(window.browser.thumbs.index(0), Qt.ItemDataRole.DecorationRole)
    strip = icon.pixmap(SIZE, SIZE).toImage().pixelColor(2, SIZE - 2)
    assert strip.red() > 150 and strip.green() < 60  # the mistake is marked on its icon
    window.browser.filters.set_show(Show.LEAST_CONFIDENT)
    assert window.browser.selection.indices[:3].tolist() == [12, 7, 3]
    window.browser.filters.set_show(Show.DISAGREE)
    assert window.browser.selection.indices.tolist() == []
    assert "the only model of this set" in window.browser.filters.answers_note.text()
    window.browser.filters.set_show(Show.MISTAKES)
    window.browser.selection.go_to(0)  # not a mistake: the filter that hid it is dropped, and says so
    assert window.browser.filters.show_box.currentData() is Show.ALL


def test_answers_stored_for_another_test_set_are_not_laid_over_this_one(
    install_untrained, tiny_mnist, open_window, qtbot
):
    install_untrained("mnist_cnn")
    store_answers("mnist_cnn", tiny_mnist, {3: 5}, test_set="0" * 32)
    window = open_window(tiny_mnist)
    browse(qtbot, window)
    with qtbot.waitSignal(window.scoresReady, timeout=30000):
        window.browser.filters.set_show(Show.MISTAKES)
        assert "is not the one MNIST CNN was evaluated on" in window.browser.filters.answers_note.text()
    assert "test images wrong" in window.browser.filters.answers_note.text()
    scored = window.session.answers_for("mnist_cnn", MNIST.name)
    window.close()

    again = open_window(tiny_mnist)  # after a restart the answers scored are kept, not scored again
    browse(qtbot, again)

    def unwanted(images, calibrated=False):
        raise AssertionError("the test set was scored again")

    again.classifiers["mnist_cnn"].predict = unwanted
    with qtbot.waitSignal(again.scoresReady, timeout=10000):
        again.browser.filters.set_show(Show.MISTAKES)
    assert np.allclose(again.session.answers_for("mnist_cnn", MNIST.name), scored, atol=1e-3)


def test_the_disagreement_filter_compares_every_model_of_the_set(install_untrained, tiny_mnist, open_window, qtbot):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    store_answers("mnist_cnn", tiny_mnist, {3: 5, 7: 1})
    store_answers("vit_mnist", tiny_mnist, {3: 5, 9: 2})
    window = open_window(tiny_mnist)
    browse(qtbot, window)
    window.browser.filters.set_show(Show.DISAGREE)
    assert not window.scorer.busy
    assert window.browser.selection.indices.tolist() == [7, 9]  # both take 3 for 5: no disagreement


def test_browsing_shows_the_true_label_and_a_prediction(window, qtbot):
    browse(qtbot, window)
    window.browser.selection.go_to(13)
    assert window.browser.selection.current() == 13
    assert "true class: 3" in window.browser.caption.text()
    qtbot.waitUntil(lambda: window.answers.chart.true_label == 3, timeout=10000)
    assert set(window.answers.chart.shown) == {"mnist_cnn"}
    window.browser.selection.step(1)
    assert window.browser.selection.current() == 14
    qtbot.waitUntil(lambda: window.answers.chart.true_label == 4, timeout=10000)


def test_class_filter_keeps_only_that_class(window, qtbot):
    browse(qtbot, window)
    window.browser.filters.class_box.setCurrentIndex(window.browser.filters.class_box.findData(7))
    labels = window.browser.panel.sets[MNIST.name].labels
    assert len(window.browser.selection.indices) == 2
    assert (labels[window.browser.selection.indices] == 7).all()
    assert window.browser.thumbs.rowCount() == 2


def test_the_grid_follows_the_keyboard(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    browse(qtbot, window)
    browser = window.browser
    QTest.keyClick(browser.grid, Qt.Key.Key_End)
    assert browser.selection.position == len(browser.selection.indices) - 1
    assert f"({len(browser.selection.indices)} of {len(browser.selection.indices)})" in browser.caption.text()
    QTest.keyClick(browser.grid, Qt.Key.Key_Home)
    assert browser.selection.position == 0


def test_misclassified_only(window, qtbot):
    browse(qtbot, window)
    with qtbot.waitSignal(window.scoresReady, timeout=30000):
        window.browser.filters.set_show(Show.MISTAKES)
    probabilities = window.session.scores[("mnist_cnn", MNIST.name)]
    labels = window.browser.panel.sets[MNIST.name].labels
    wrong = np.flatnonzero(probabilities.argmax(axis=1) != labels)
    assert len(wrong) > 0
    shown = window.browser.selection.indices
    assert sorted(shown.tolist()) == wrong.tolist()
    confidence = probabilities[shown].max(axis=1)
    assert (np.diff(confidence) <= 0).all()  # the hardest images: the surest mistakes come first


def test_unticking_misclassified_only_stops_scoring_the_test_set(window, qtbot):
    browse(qtbot, window)
    window.browser.filters.set_show(Show.MISTAKES)
    job = window.scorer.task
    assert job is not None and "classifying" in window.browser.filters.answers_note.text()
    window.browser.filters.set_show(Show.ALL)
    assert job.cancelled and not window.scorer.busy  # it would hold a core the live answers need
    QThreadPool.globalInstance().waitForDone(10000)
    qtbot.wait(50)  # the job's last reports, queued to this thread
    assert "classifying" not in window.browser.filters.answers_note.text()
    assert len(window.browser.selection.indices) == window.browser.selection.count


def test_scoring_the_test_set_goes_on_across_a_tab_switch(window, qtbot):
    browse(qtbot, window)
    window.browser.filters.set_show(Show.MISTAKES)
    job = window.scorer.task
    window.tabs.setCurrentIndex(DRAW)
    window.tabs.setCurrentIndex(BROWSE)
    assert job is not None and window.scorer.task is job and not job.cancelled
    with qtbot.waitSignal(window.scoresReady, timeout=30000):
        pass
    assert ("mnist_cnn", MNIST.name) in window.session.scores


def test_clicking_a_confusion_cell_browses_exactly_its_images(install_untrained, tiny_mnist, open_window, qtbot):
    import json

    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest

    import models.registry

    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    card_path = models.registry.MODELS["mnist_cnn"].card_path
    card = json.loads(card_path.read_text())
    confusion = np.zeros((10, 10), int)
    np.fill_diagonal(confusion, 5)
    card["test"] = {
        "accuracy": 0.5,
        "macro_f1": 0.5,
        "per_class_accuracy": [0.5] * 10,
        "confusion_matrix": confusion.tolist(),
    }
    card_path.write_text(json.dumps(card))
    window = open_window(tiny_mnist)
    window.picker.pick("mnist_cnn")
    with qtbot.waitSignal(window.reportShown, timeout=10000):
        window.show_report()
    report = window.report
    window.picker.pick("vit_mnist")  # the report stays mnist_cnn's
    assert [report.tabs.tabText(i) for i in range(report.tabs.count())] == [
        "Calibration",
        "Confusion",
        "Per class",
        "First layer",
        "Layers",
    ]

    view = report.show_page("Confusion")

    def click_cell(true: int, predicted: int) -> None:
        """A real mouse click in the middle of the cell."""
        where = view.mapFromScene(view.getViewBox().mapViewToScene(QPointF(predicted + 0.5, true + 0.5)))
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)

    with qtbot.waitSignal(window.scoresReady, timeout=30000):
        click_cell(2, 4)
    labels = window.browser.panel.sets[MNIST.name].labels
    scored = window.session.scores[("mnist_cnn", MNIST.name)].argmax(axis=1)
    assert window.tabs.currentIndex() == BROWSE
    assert window.picker.current() == "mnist_cnn"
    assert window.browser.selection.indices.tolist() == np.flatnonzero((labels == 2) & (scored == 4)).tolist()

    assert window.browser.filters.cell_note.text() == "Only “2” taken for “4”"
    assert window.browser.filters.show_all.isVisibleTo(window)
    # The report is a window of its own, not one kept above the browser; the browser comes to the front.
    assert report.parent() is None and report.isVisible()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)

    true, predicted = int(labels[0]), int(scored[0])  # a cell that is certainly not empty
    click_cell(true, predicted)
    expected = np.flatnonzero((labels == true) & (scored == predicted))
    assert len(expected) >= 1
    assert window.browser.selection.indices.tolist() == expected.tolist()
    window.browser.filters.show_all.click()  # out of the cell: every image again
    assert len(window.browser.selection.indices) == len(labels)
    assert not window.browser.filters.show_all.isVisibleTo(window)


def test_switching_to_a_set_still_loading_shows_nothing_meanwhile(window, qtbot, tmp_path):
    browse(qtbot, window)
    window.browser.set_source(CIFAR10.name)  # not in the tiny data folder: it is looked for, then reported
    assert window.browser.current() is None
    window.asking.predict()  # must not fail while the set is missing
    qtbot.waitUntil(lambda: window.browser.panel.download_button.isVisibleTo(window.browser), timeout=10000)


def test_a_set_without_models_shows_no_stale_answer(window, qtbot):
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, ONE)
    browse(qtbot, window)
    window.browser.set_source(CIFAR10.name)  # missing, and no CIFAR-10 model is trained
    assert len(window.session.offered()) == 0 and "No trained CIFAR-10 model" in window.answers.info.text()
    qtbot.waitUntil(lambda: not window.answers.chart.shown and window.answers.preview.pixmap is None, timeout=10000)

    window.tabs.setCurrentIndex(DRAW)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, ONE)
    assert window.answers.preview.pixmap is not None and window.canvas.overlay is None
    window.tabs.setCurrentIndex(BROWSE)  # still on CIFAR-10: the drawing's answer must go
    qtbot.waitUntil(lambda: not window.answers.chart.shown and window.answers.preview.pixmap is None, timeout=10000)


def test_the_index_box_gives_the_keys_back_after_enter_or_esc(window, qtbot):
    from PySide6.QtTest import QTest

    browse(qtbot, window)
    window.activateWindow()
    browser = window.browser
    for leave in (Qt.Key.Key_Enter, Qt.Key.Key_Escape):
        browser.goto.setFocus()
        browser.goto.selectAll()
        QTest.keyClicks(browser.goto, "5")
        QTest.keyClick(browser.goto, leave)
        assert not browser.goto.hasFocus()
        at = browser.selection.current()
        QTest.keyClick(window, Qt.Key.Key_Right)  # the Next Image shortcut reaches the window again
        assert browser.selection.current() == (at + 1) % 20
    assert at == 6  # Esc forgot the typed 5: the picture on show stayed


def test_the_draw_tab_shows_the_digits_axis_after_photos_were_browsed(
    install_untrained, open_window, qtbot, tiny_cifar
):
    install_untrained("mnist_cnn")
    install_untrained("vit_cifar10")
    window = open_window(tiny_cifar)
    window.tabs.setCurrentIndex(BROWSE)
    window.browser.set_source(CIFAR10.name)
    qtbot.waitUntil(lambda: window.answers.chart.classes == CIFAR10.classes, timeout=20000)
    window.tabs.setCurrentIndex(DRAW)  # a blank canvas: no answer, and the axis of what one would be
    qtbot.waitUntil(lambda: window.answers.chart.classes == MNIST.classes, timeout=5000)
    assert not window.answers.chart.shown and window.answers.readout.answer.text() == ""


def test_a_line_about_one_set_leaves_with_it(window, qtbot):
    browse(qtbot, window)
    with qtbot.waitSignal(window.scoresReady, timeout=30000):
        window.browser.filters.set_show(Show.MISTAKES)
    assert "test images wrong" in window.browser.filters.answers_note.text()
    window.browser.set_source(CIFAR10.name)
    assert window.browser.filters.answers_note.text() == ""


def test_the_arrow_buttons_are_as_wide_as_their_arrows_not_the_styles_least_button(qtbot):
    from PySide6.QtWidgets import QPushButton

    from app.browser import ArrowButton

    arrow, plain = ArrowButton("◀"), QPushButton("◀")
    qtbot.addWidget(arrow)
    qtbot.addWidget(plain)
    assert arrow.minimumSizeHint().width() < plain.minimumSizeHint().width()
    assert arrow.minimumSizeHint().width() > arrow.fontMetrics().horizontalAdvance("◀")  # with room around it


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_an_icon_is_drawn_at_the_screens_own_resolution_so_its_pixels_and_badge_stay_sharp(qapp, ratio):
    from app.thumbnails import array_icon

    digit = np.zeros((28, 28), np.uint8)
    digit[:, 14:] = 255  # an edge down the middle
    icon = array_icon(digit, "7", "1", ratio)
    assert icon.devicePixelRatio() == ratio
    assert icon.width() == icon.height() == round(SIZE * ratio)  # device pixels: 64 logical pixels either way
    image = icon.toImage()
    row = [image.pixelColor(x, 10).value() for x in range(image.width())]
    assert set(row) == {0, 255}  # enlarged without smoothing: no grey along the edge


def test_the_grid_scrolls_to_the_icon_on_show_even_far_beyond_its_first_batch(qtbot):
    """Laid out 300 icons a turn, the grid stayed at its top when the picture on show was icon 1,500."""
    import numpy as np

    from app.image_grid import ImageGrid
    from app.thumbnails import ThumbnailModel

    thumbs = ThumbnailModel()
    thumbs.show(np.arange(2000), lambda index: None, str)
    grid = ImageGrid(thumbs)
    qtbot.addWidget(grid)
    grid.resize(300, 200)
    grid.show()
    qtbot.waitExposed(grid)
    grid.follow(1500)
    far = thumbs.index(1500)
    qtbot.waitUntil(lambda: grid.viewport().rect().contains(grid.visualRect(far).center()), timeout=5000)
    assert grid.currentIndex() == far


def test_the_icons_grow_with_presentation_modes_letters(window, qtbot):
    """At 64 pixels their badges' letters were 7 pixels tall on a projector."""
    browse(qtbot, window)
    grid, thumbs = window.browser.grid, window.browser.thumbs
    assert grid.iconSize().width() == SIZE
    window.commands["presentation"].setChecked(True)
    qtbot.waitUntil(lambda: grid.iconSize().width() >= 1.5 * SIZE, timeout=5000)
    first = thumbs.index(0)
    qtbot.waitUntil(lambda: not thumbs.data(first, Qt.ItemDataRole.DecorationRole).isNull(), timeout=5000)
    icon = thumbs.data(first, Qt.ItemDataRole.DecorationRole)
    assert icon.availableSizes()[0].width() >= 1.5 * SIZE * grid.devicePixelRatioF()  # drawn large, not stretched
    assert grid.currentIndex().row() == window.browser.selection.position
    window.commands["presentation"].setChecked(False)
    qtbot.waitUntil(lambda: grid.iconSize().width() == SIZE, timeout=5000)

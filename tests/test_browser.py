"""The image browser in the real window: test sets, filters, the user's own files, missing data."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QImage

from app.actions import Tab
from app.browser import OWN
from app.core.selection import Show
from app.settings import Settings
from app.thumbnails import SIZE
from app.window import MainWindow
from models import datasets, test_answers
from models.registry import CIFAR10, MNIST, spec
from tests.conftest import ONE, pen_strokes

DRAW, BROWSE = Tab.DRAW.value, Tab.BROWSE.value


def browse(qtbot, window: MainWindow) -> None:
    window.tabs.setCurrentIndex(BROWSE)
    qtbot.waitUntil(lambda: MNIST.name in window.browser.panel.sets, timeout=10000)


@pytest.fixture
def window(install_untrained, tiny_mnist, open_window):
    install_untrained("mnist_cnn")
    return open_window(tiny_mnist)


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


def write_odd_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "corrupt": folder / "corrupt.png",
        "text": folder / "notes.png",
        "tiny": folder / "tiny.png",
        "huge": folder / "huge.png",
        "digit": folder / "digit.jpg",
    }
    Image.new("RGB", (40, 40), "white").save(files["corrupt"])
    files["corrupt"].write_bytes(files["corrupt"].read_bytes()[:60])
    files["text"].write_text("this is not a picture")
    Image.new("L", (1, 1), 200).save(files["tiny"])
    Image.new("L", (10_000, 10_000), 255).save(files["huge"])
    paper = np.full((300, 240), 235, np.uint8)
    paper[50:250, 110:130] = 20  # a dark "1" on light paper
    Image.fromarray(paper).save(files["digit"])
    return files


@pytest.mark.parametrize("kind", ["corrupt", "text", "tiny", "huge", "digit"])
def test_odd_files_give_a_message_or_a_result(window, qtbot, tmp_path, kind):
    files = write_odd_files(tmp_path / "pictures")
    window.open_paths([files[kind]])
    assert window.tabs.currentIndex() == BROWSE
    if kind in ("corrupt", "text"):
        caption = window.browser.caption
        said = "is damaged or incomplete" if kind == "corrupt" else "is not an image that can be read"
        qtbot.waitUntil(lambda: said in caption.text(), timeout=10000)
        assert not window.answers.chart.shown
    else:
        qtbot.waitUntil(lambda: bool(window.answers.chart.shown), timeout=10000)
        assert np.isclose(window.answers.chart.shown["mnist_cnn"].sum(), 1, atol=1e-5)
    window.tabs.setCurrentIndex(DRAW)
    with qtbot.waitSignal(window.answerShown, timeout=10000):  # the window still answers
        pen_strokes(window.canvas, ONE)
    assert set(window.answers.chart.shown) == {"mnist_cnn"}


def test_a_bad_file_s_message_leaves_with_it(window, qtbot, tmp_path):
    files = write_odd_files(tmp_path / "pictures")
    window.open_paths([files["corrupt"], files["digit"]])
    qtbot.waitUntil(lambda: "is damaged or incomplete" in window.browser.caption.text(), timeout=10000)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.browser.selection.step(1)
    assert "damaged" not in window.browser.caption.text() and "damaged" not in window.statusBar().currentMessage()


def test_photo_of_a_digit_is_inverted_and_centred(window, qtbot, tmp_path):
    files = write_odd_files(tmp_path / "pictures")
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.open_paths([files["digit"]])
    image = window.answers.preview.pixmap.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    seen = np.array([[image.pixelColor(x, y).red() for x in range(28)] for y in range(28)])
    assert seen[8:20, 13:15].min() > 200  # light ink in the middle of a dark field
    assert seen[:, :6].max() == 0 and seen[:3].max() == 0


def test_a_16_bit_picture_is_shown_as_it_looks_not_white(window, qtbot, tmp_path):
    path = tmp_path / "grey16.png"
    Image.fromarray(np.full((40, 40), 30000, np.uint16)).save(path)  # mid grey in 16 bits
    window.open_paths([path])
    view = window.browser.view
    qtbot.waitUntil(lambda: view.pixmap is not None, timeout=10000)
    assert 90 < view.pixmap.toImage().pixelColor(20, 20).red() < 150


def open_folder(qtbot, window: MainWindow, folder: Path) -> None:
    """Open a folder as the user does, and wait until its walk, off the GUI thread, has listed it."""
    before = window.browser.own.files
    assert window.open_paths([folder])
    qtbot.waitUntil(lambda: window.browser.own.files is not before, timeout=10000)


def test_the_picture_on_show_stays_decoded_whatever_finishes_later(window, qtbot, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for k in range(12):
        Image.new("L", (30, 30), 20 * k).save(folder / f"{k:02d}.png")
    open_folder(qtbot, window, folder)
    own = window.browser.own
    qtbot.waitUntil(lambda: own.files[0] in own.pictures, timeout=10000)
    for index in range(1, len(own.files)):  # decodes that end after the picture on show was decoded
        own.picture(index)
        own.picture(index)
    assert len(own.decoding) == 11  # each picture is decoded once, however often it is asked for
    qtbot.waitUntil(lambda: not own.decoding, timeout=10000)
    assert len(own.pictures) == 8 and own.files[0] in own.pictures
    assert window.browser.current() is not None


def test_a_folder_opens_its_images_with_icons_made_off_the_gui_thread(window, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    files = write_odd_files(tmp_path / "pictures")
    nested = tmp_path / "pictures" / "more" / "deeper"
    nested.mkdir(parents=True)
    Image.new("L", (20, 20), 90).save(nested / "deep.png")
    (tmp_path / "pictures" / "loop").symlink_to(tmp_path / "pictures")  # a link back up is not followed
    browser = window.browser
    assert "Looking for pictures" not in browser.caption.text()
    window.open_paths([files["digit"].parent])
    assert "Looking for pictures in pictures" in browser.caption.text()  # walked off the GUI thread
    qtbot.waitUntil(lambda: browser.source == OWN, timeout=10000)
    # Subfolders count; a text file named .png does not: its header was looked at on the way.
    names = [p.name for p in browser.own.files]
    assert browser.own.files == sorted([*(p for p in files.values() if p.name != "notes.png"), nested / "deep.png"])
    assert browser.selection.count == len(names) == 5
    assert browser.filters.answers_note.text() == "Left out 1 file that holds no picture."
    thumbs = window.browser.thumbs

    def icon(name: str):
        return thumbs.data(thumbs.index(names.index(name)), Qt.ItemDataRole.DecorationRole)

    for name in names:
        icon(name)  # as the view asks: answered at once, the picture decoded elsewhere
    qtbot.waitUntil(lambda: not window.browser.file_icons.pending, timeout=10000)
    assert not icon("digit.jpg").isNull() and not icon("tiny.png").isNull()
    assert all(icon(name).isNull() for name in ("corrupt.png", "huge.png"))


def test_the_users_own_pictures_fill_their_icons_in_the_grid_as_soon_as_they_are_made(window, qtbot, tmp_path):
    """The view asks for the icons itself: the first picture's icon was still being made when the
    grid measured its cells, so every cell was 0 pixels wide and no icon ever showed; and a small
    picture (the first one here is 1x1) fills its icon as a test-set digit does."""
    colours = [(250, 0, 0), (0, 250, 0), (0, 0, 250), (250, 250, 0)]
    paths = []
    for number, (colour, side) in enumerate(zip(colours, (1, 28, 300, 64), strict=True)):
        paths.append(tmp_path / f"{number}.png")
        Image.new("RGB", (side, side), colour).save(paths[-1])
    window.open_paths(paths)
    browser = window.browser
    qtbot.waitUntil(lambda: browser.source == OWN and browser.selection.count == 4, timeout=10000)
    grid, thumbs = browser.grid, browser.thumbs

    def shows(row: int) -> bool:
        cell = grid.visualRect(thumbs.index(row))
        if cell.width() < SIZE or cell.height() < SIZE:
            return False
        seen = grid.viewport().grab().toImage().pixelColor(cell.center())
        distances = [np.abs(np.subtract((seen.red(), seen.green(), seen.blue()), colour)).sum() for colour in colours]
        return int(np.argmin(distances)) == row  # the picture on show is tinted by the highlight

    qtbot.waitUntil(lambda: all(shows(row) for row in range(4)), timeout=10000)


def test_a_folder_with_no_pictures_is_named_and_the_picture_on_show_keeps_its_caption(
    window, qtbot, tmp_path, message_boxes
):
    Image.new("L", (20, 20), 90).save(tmp_path / "one.png")
    window.open_paths([tmp_path / "one.png"])
    browser = window.browser
    qtbot.waitUntil(lambda: browser.caption.text().startswith("one.png"), timeout=10000)
    shown = browser.caption.text()
    empty = tmp_path / "holiday"
    empty.mkdir()
    (empty / "notes.png").write_text("not a picture")
    window.open_paths([empty])
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    assert "holiday" in message_boxes[0] and "1 file" in message_boxes[0]  # where, and what was left out
    qtbot.waitUntil(lambda: browser.caption.text() == shown, timeout=2000)  # not "Looking for pictures…"


def missing_data_page(qtbot, open_window, tmp_path: Path) -> MainWindow:
    """A window whose data folder holds nothing, on the Browse tab's page that says so."""
    window = open_window(tmp_path / "nowhere")
    window.tabs.setCurrentIndex(BROWSE)
    qtbot.waitUntil(lambda: window.browser.panel.download_button.isVisibleTo(window.browser), timeout=10000)
    return window


def test_missing_data_offers_a_download_and_a_failed_one_says_why(
    install_untrained, open_window, qtbot, tmp_path, monkeypatch
):
    install_untrained("mnist_cnn")
    window = missing_data_page(qtbot, open_window, tmp_path)
    browser = window.browser
    message = browser.panel.message.text()
    assert str(tmp_path / "nowhere") in message and "(1.7 MB)" in message
    assert "--" not in message and "training" not in message  # the page speaks to a user of the app
    assert browser.panel.folder_button.isVisibleTo(browser)

    def no_network(url, timeout):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    browser.panel.download_button.click()
    qtbot.waitUntil(lambda: "download failed" in browser.panel.message.text(), timeout=30000)
    assert "Temporary failure in name resolution" in browser.panel.message.text()
    assert browser.panel.download_button.isVisibleTo(browser)  # the user may try again

    window.tabs.setCurrentIndex(DRAW)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        pen_strokes(window.canvas, ONE)
    assert set(window.answers.chart.shown) == {"mnist_cnn"}


@pytest.mark.parametrize("picked", ["", "MNIST", "MNIST/raw"], ids=["data folder", "the set's", "within the set's"])
def test_choosing_the_data_folder_on_the_missing_data_page_reads_it(
    install_untrained, open_window, qtbot, tmp_path, tiny_mnist, picked
):
    """People pick the folder of the set they see, or one inside it, as often as the one above it."""
    install_untrained("mnist_cnn")
    window = missing_data_page(qtbot, open_window, tmp_path)
    browser = window.browser
    assert "a folder named MNIST" in browser.panel.message.text()  # what to choose
    browser.panel.set_data_dir(tiny_mnist / picked)  # what Choose Folder… does with the folder picked
    qtbot.waitUntil(lambda: MNIST.name in browser.panel.sets, timeout=10000)
    assert browser.selection.count == 20
    window.close()
    assert Settings().data_dir == tiny_mnist  # and the next launch looks there


def test_a_download_keeps_going_while_another_set_is_looked_at(
    install_untrained, open_window, qtbot, tmp_path, monkeypatch
):
    import time

    import models.download

    stopped = []

    def slow_download(dataset, root, progress, cancelled, splits):
        assert splits == ("test",)  # the browser needs no training images
        while not cancelled():
            progress(3_000_000, 10_000_000)
            time.sleep(0.01)
        stopped.append(dataset)
        raise models.download.DownloadCancelled("The download was cancelled.")

    monkeypatch.setattr(models.download, "download", slow_download)
    install_untrained("mnist_cnn")
    window = missing_data_page(qtbot, open_window, tmp_path)
    browser = window.browser
    browser.panel.download_button.click()
    qtbot.waitUntil(lambda: browser.panel.progress.value() == 300, timeout=10000)
    browser.set_source(CIFAR10.name)
    panel = browser.panel
    qtbot.waitUntil(lambda: "cifar" in panel.message.text().lower() and panel.download_button.isVisibleTo(browser))
    browser.set_source(MNIST.name)  # back to the running download: its progress, no second Download button
    assert "Downloading" in browser.panel.message.text()
    assert browser.panel.cancel_button.isVisibleTo(browser) and not browser.panel.download_button.isVisibleTo(browser)
    browser.panel.cancel_button.click()
    qtbot.waitUntil(lambda: browser.panel.download_button.isVisibleTo(browser), timeout=10000)
    assert "cancelled" in browser.panel.message.text() and stopped == [MNIST.name]
    browser.panel.download_button.click()
    qtbot.waitUntil(lambda: browser.panel.progress.value() == 300, timeout=10000)
    window.close()
    qtbot.waitUntil(lambda: stopped == [MNIST.name, MNIST.name], timeout=3000)  # closing the window stops it


def test_a_download_left_for_another_folder_says_nothing_of_it(
    install_untrained, open_window, qtbot, tmp_path, monkeypatch, tiny_mnist
):
    import threading
    import time

    import models.download

    def slow_download(dataset, root, progress, cancelled, splits):
        while not cancelled():
            progress(3_000_000, 10_000_000)
            time.sleep(0.01)
        raise models.download.DownloadCancelled("The download was cancelled.")

    monkeypatch.setattr(models.download, "download", slow_download)
    install_untrained("mnist_cnn")
    window = missing_data_page(qtbot, open_window, tmp_path)
    panel = window.browser.panel
    panel.download_button.click()
    qtbot.waitUntil(lambda: panel.progress.value() == 300, timeout=10000)
    release, load = threading.Event(), datasets.load
    monkeypatch.setattr(datasets, "load", lambda *args: release.wait(10) and load(*args))
    panel.set_data_dir(tiny_mnist)  # Choose Folder…: the download stops, the new folder is read
    pool = QThreadPool.globalInstance()
    qtbot.waitUntil(lambda: pool.activeThreadCount() == 1, timeout=10000)  # only the read is left
    qtbot.wait(100)  # the download's last report arrives
    assert panel.message.text().startswith("Reading") and not panel.download_button.isVisibleTo(window.browser)
    release.set()
    qtbot.waitUntil(lambda: MNIST.name in panel.sets, timeout=10000)


def test_a_new_source_is_announced_before_its_first_picture(window, qtbot, tmp_path):
    """Else the window asks the last source's models about the new source's first picture."""
    browse(qtbot, window)
    window.open_paths([write_odd_files(tmp_path / "pictures")["digit"]])
    heard: list[str] = []
    window.browser.currentChanged.connect(lambda: heard.append("a picture"))
    window.browser.datasetChanged.connect(heard.append)
    window.browser.set_source(MNIST.name)
    assert heard[0] == MNIST.name


def test_dropping_files_on_the_window_opens_them(window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    files = write_odd_files(tmp_path / "pictures")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files["digit"])), QUrl.fromLocalFile(str(files["tiny"]))])
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(drop)
    assert window.tabs.currentIndex() == BROWSE
    assert [p.name for p in window.browser.own.files] == ["digit.jpg", "tiny.png"]
    qtbot.waitUntil(lambda: bool(window.answers.chart.shown), timeout=10000)


def test_the_last_folder_is_remembered(install_untrained, open_window, tmp_path):
    files = write_odd_files(tmp_path / "pictures")
    window = open_window(start=False)
    window.open_paths([files["digit"].parent])
    window.close()
    again = open_window(start=False)
    assert again.browser.last_folder == files["digit"].parent


def test_an_empty_folder_says_so(window, qtbot, tmp_path, message_boxes):
    (tmp_path / "empty").mkdir()
    window.open_paths([tmp_path / "empty"])
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    assert "No PNG, JPEG" in message_boxes[0]
    assert window.browser.source == MNIST.name


def test_an_unreadable_folder_says_so(window, qtbot, tmp_path, monkeypatch, message_boxes):
    locked = tmp_path / "locked"
    locked.mkdir()

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", denied)
    window.open_paths([locked])
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    assert str(locked) in message_boxes[0] and "Permission denied" in message_boxes[0]


def test_a_new_folder_opens_at_its_first_image(install_untrained, open_window, qtbot, tmp_path):
    def folder(name: str, count: int) -> Path:
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.new("L", (8, 8), i * 20).save(tmp_path / name / f"{i:02d}.png")
        return tmp_path / name

    window = open_window(start=False)  # no models: the window asks the browser for the image at once
    open_folder(qtbot, window, folder("ten", 10))
    window.browser.selection.go_to(8)
    open_folder(qtbot, window, folder("three", 3))
    assert window.browser.selection.current() == 0
    assert "00.png" in window.browser.caption.text()


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


def test_a_heat_map_leaves_with_the_picture_it_explained(window, qtbot, tmp_path):
    browse(qtbot, window)
    window.commands["explain"].trigger()
    qtbot.waitUntil(lambda: window.browser.view.overlay is not None, timeout=10000)
    window.browser.kind_box.setCurrentIndex(window.browser.kind_box.findData(CIFAR10.name))  # no CIFAR-10 model
    files = write_odd_files(tmp_path / "pictures")
    window.open_paths([files["digit"]])
    qtbot.waitUntil(lambda: window.browser.view.pixmap is not None, timeout=10000)
    assert window.browser.view.overlay is None


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


def test_a_pasted_picture_joins_my_images(window, qtbot, tmp_path, monkeypatch, message_boxes):
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    import app.paste

    monkeypatch.setattr(app.paste, "PASTED", tmp_path / "pasted")
    files = write_odd_files(tmp_path / "pictures")
    window.open_paths([files["digit"]])
    copied = QImage(60, 40, QImage.Format.Format_RGB32)
    copied.fill(QColor("white"))
    QApplication.clipboard().setImage(copied)
    window.commands["paste"].trigger()
    browser = window.browser
    qtbot.waitUntil(lambda: len(browser.own.files) == 2, timeout=10000)
    pasted = browser.own.files[1]
    assert pasted.parent == tmp_path / "pasted" and Image.open(pasted).size == (60, 40)
    assert browser.selection.current() == 1 and window.tabs.currentIndex() == BROWSE  # added, and shown
    QApplication.clipboard().clear()
    window.commands["paste"].trigger()
    assert message_boxes and "The clipboard holds no picture" in message_boxes[0]


def drop(window, mime) -> bool:
    """Drag `mime` over the window and drop it there, as a file manager or a web browser does; whether it was taken."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    place, action = QPointF(100, 100), Qt.DropAction.CopyAction
    entered = QDragEnterEvent(place.toPoint(), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(entered)
    if not entered.isAccepted():
        return False
    window.dropEvent(QDropEvent(place, action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    return True


def test_a_picture_dragged_from_a_web_page_joins_my_images_and_a_bare_link_says_what_to_do(
    window, qtbot, tmp_path, monkeypatch, message_boxes
):
    """A web browser's drag holds the picture's address, and often the picture: it was taken in
    (a copy cursor) and then nothing happened."""
    from PySide6.QtCore import QMimeData, QUrl

    import app.paste

    monkeypatch.setattr(app.paste, "PASTED", tmp_path / "pasted")
    picture = QImage(30, 20, QImage.Format.Format_RGB32)
    picture.fill(Qt.GlobalColor.white)
    with_picture = QMimeData()
    with_picture.setUrls([QUrl("https://example.org/digit.png")])
    with_picture.setImageData(picture)
    assert drop(window, with_picture)
    browser = window.browser
    qtbot.waitUntil(lambda: len(browser.own.files) == 1, timeout=10000)
    assert Image.open(browser.own.files[0]).size == (30, 20) and window.tabs.currentIndex() == BROWSE
    link = QMimeData()
    link.setUrls([QUrl("https://example.org/digit.png")])
    assert drop(window, link)
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=5000)  # shown once the drop is over
    assert "https://example.org/digit.png" in message_boxes[0] and "Ctrl+V" in message_boxes[0]


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


def test_a_picture_handed_over_as_a_pixmap_is_saved_as_one_handed_over_as_an_image(qtbot, tmp_path, monkeypatch):
    """Within the process (a picture copied from the app's own views) the data is a QPixmap."""
    from PySide6.QtCore import QMimeData, QObject
    from PySide6.QtGui import QPixmap

    import app.paste

    monkeypatch.setattr(app.paste, "PASTED", tmp_path / "pasted")
    picture = QPixmap(12, 8)
    picture.fill(Qt.GlobalColor.white)
    mime = QMimeData()
    mime.setImageData(picture)
    saved, failed = [], []
    app.paste.take(QObject(), mime, lambda files: None, saved.append, failed.append)
    qtbot.waitUntil(lambda: bool(saved or failed), timeout=5000)
    assert not failed and Image.open(saved[0]).size == (12, 8)

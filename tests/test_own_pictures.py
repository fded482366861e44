"""The user's own pictures in the real window: files and folders opened, dropped or pasted, odd files, icons."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from app.actions import Tab
from app.browser import OWN
from app.thumbnails import SIZE
from app.window import MainWindow
from models.registry import CIFAR10, MNIST
from tests.conftest import ONE, browse, pen_strokes

DRAW, BROWSE = Tab.DRAW.value, Tab.BROWSE.value


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
    # Said whole under the empty chart too: the caption cuts a long message off.
    summary = window.answers.chart.summary
    qtbot.waitUntil(lambda: summary.text().startswith("No answer:") and "damaged" in summary.text(), timeout=10000)
    with qtbot.waitSignal(window.answerShown, timeout=10000):
        window.browser.selection.step(1)
    assert "damaged" not in window.browser.caption.text() and "damaged" not in window.statusBar().currentMessage()
    assert "damaged" not in summary.text()


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
    asked: list[None] = []
    browser.currentChanged.connect(lambda: asked.append(None))
    window.open_paths([empty])
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    assert "holiday" in message_boxes[0] and "1 file" in message_boxes[0]  # where, and what was left out
    qtbot.waitUntil(lambda: browser.caption.text() == shown, timeout=2000)  # not "Looking for pictures…"
    assert not asked  # the picture on show did not change, so the models are not asked about it again


def test_a_heat_map_leaves_with_the_picture_it_explained(window, qtbot, tmp_path):
    browse(qtbot, window)
    window.commands["explain"].trigger()
    qtbot.waitUntil(lambda: window.browser.view.overlay is not None, timeout=10000)
    window.browser.kind_box.setCurrentIndex(window.browser.kind_box.findData(CIFAR10.name))  # no CIFAR-10 model
    files = write_odd_files(tmp_path / "pictures")
    window.open_paths([files["digit"]])
    qtbot.waitUntil(lambda: window.browser.view.pixmap is not None, timeout=10000)
    assert window.browser.view.overlay is None


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


def test_reading_the_pictures_as_the_other_kind_keeps_the_one_on_show(window, qtbot, tmp_path):
    """Same picture, other models: the switch went back to the first picture."""
    for name in ("first.png", "second.png"):
        Image.new("L", (20, 20), 90).save(tmp_path / name)
    window.open_paths([tmp_path / "first.png", tmp_path / "second.png"])
    browser = window.browser
    browser.selection.step(1)
    qtbot.waitUntil(lambda: browser.caption.text().startswith("second.png"), timeout=10000)
    browser.kind_box.setCurrentIndex(browser.kind_box.findData(CIFAR10.name))
    assert browser.dataset == CIFAR10.name
    qtbot.waitUntil(lambda: browser.caption.text().startswith("second.png"), timeout=10000)
    assert browser.selection.position == 1


def test_a_long_file_name_is_cut_in_its_middle_and_keeps_its_place_in_the_list(window, qtbot, tmp_path):
    """Cut at its end, the caption lost the "(1 of 2)" that says where in the list the picture is."""
    from PySide6.QtWidgets import QLabel

    long_name = "holiday_" + "x" * 110 + "_end.png"
    for name in (long_name, "other.png"):
        Image.new("L", (20, 20), 90).save(tmp_path / name)
    window.open_paths([tmp_path / long_name, tmp_path / "other.png"])
    caption = window.browser.caption
    qtbot.waitUntil(lambda: caption.text().startswith(long_name), timeout=10000)
    shown = QLabel.text(caption)  # what the label draws, not its whole text
    assert "…" in shown and shown.startswith("holiday_") and shown.endswith("_end.png (1 of 2)")

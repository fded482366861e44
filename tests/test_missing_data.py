"""Data that is not there yet, in the real window: the page that says so, its download and the folder chooser."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from app.actions import Tab
from app.settings import Settings
from app.window import MainWindow
from models import datasets
from models.registry import CIFAR10, MNIST
from tests.conftest import ONE, pen_strokes

DRAW, BROWSE = Tab.DRAW.value, Tab.BROWSE.value


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

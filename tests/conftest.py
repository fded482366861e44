"""Shared fixtures: a private weights folder and small generated data; no test touches the network."""

from __future__ import annotations

import gc
import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each test gets empty QSettings, away from the user's own, and windows an empty data folder
    unless the test gives one: no test reads the datasets of the machine it runs on by chance.
    Answers the app scores for a test set are kept in the test's own folder. Presentation mode,
    which changes the whole application's fonts and palette, ends with the test, and so does the
    freezing of the objects a window made at startup (app/worker.py), which would keep them for good."""
    from PySide6.QtCore import QSettings

    import app.settings
    import models.test_answers

    monkeypatch.setattr(models.test_answers, "SCORED", tmp_path / "scored")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setattr(app.settings, "DEFAULT_ROOT", tmp_path / "no-data")
    yield
    from PySide6.QtWidgets import QApplication

    from app import concurrency, presentation

    if QApplication.instance() is not None:
        # A closed window waits for no job and no thread: the next test must not share the CPU
        # with them, nor the interpreter end while a thread runs.
        for widget in QApplication.topLevelWidgets():
            if widget.metaObject().className() == "MainWindow" and widget.isVisible():
                widget.close()
        concurrency.finish_within(30)
        presentation.set_fonts(False)  # presentation mode's fonts and palette are the application's
    gc.unfreeze()


ONE = [[(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)]]
SEVEN = [[(0.25, 0.2), (0.5, 0.2), (0.75, 0.2), (0.62, 0.45), (0.5, 0.7), (0.42, 0.88)]]


def seven_on_paper(pen: int) -> Image.Image:
    """SEVEN written in dark ink `pen` pixels wide on a 400-pixel photo of light paper."""
    photo = Image.new("L", (400, 400), 230)
    ImageDraw.Draw(photo).line([(x * 400, y * 400) for x, y in SEVEN[0]], fill=40, width=pen, joint="curve")
    return photo


def pen_strokes(canvas, strokes) -> None:
    """Press, move and release the mouse over the canvas, as a hand would; strokes in canvas units."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    side, (ox, oy) = canvas.side(), canvas.origin()

    def point(x: float, y: float) -> QPoint:
        return QPoint(int(ox + x * side), int(oy + y * side))

    for stroke in strokes:
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(*stroke[0]))
        for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
            for t in np.linspace(0, 1, 6)[1:]:
                QTest.mouseMove(canvas, point(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(*stroke[-1]))


@pytest.fixture
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the warnings and notices the app shows, caught instead of waiting for a click."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    for kind in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, kind, lambda *args: shown.append(args[2]))
    return shown


@pytest.fixture
def open_window(qtbot):
    """Show a main window on the CPU; with `start`, wait until its models have loaded."""
    from app.window import MainWindow

    def open_(data_dir: Path | None = None, start: bool = True) -> MainWindow:
        window = MainWindow(device="cpu", data_dir=data_dir)
        qtbot.addWidget(window)
        window.show()
        if start:
            with qtbot.waitSignal(window.modelsReady, timeout=60000):
                window.start()
        return window

    return open_


@pytest.fixture
def window(install_untrained, tiny_mnist, open_window):
    """A window over tiny MNIST with an untrained mnist_cnn, its models loaded."""
    install_untrained("mnist_cnn")
    return open_window(tiny_mnist)


@pytest.fixture
def digit_models_window(install_untrained, tiny_mnist, open_window):
    """A window over tiny MNIST with the three digit models untrained, two of them calibrated, loaded."""
    for name in ("mnist_cnn", "resnet18_mnist", "vit_mnist"):
        install_untrained(name, temperature=None if name == "mnist_cnn" else 1.5)
    return open_window(tiny_mnist)


def browse(qtbot, window) -> None:
    """On the Browse tab, once the MNIST test set has been read."""
    from app.actions import Tab
    from models.registry import MNIST

    window.tabs.setCurrentIndex(Tab.BROWSE.value)
    qtbot.waitUntil(lambda: MNIST.name in window.browser.panel.sets, timeout=10000)


@pytest.fixture
def weights_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty weights folder that the registry reads instead of weights/."""
    import models.registry

    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setattr(models.registry, "WEIGHTS_DIR", folder)
    return folder


@pytest.fixture
def install_untrained(weights_dir: Path):
    """Write a freshly initialised network and its minimal card (with a fitted temperature where one is given)."""
    import torch

    from models import card, weights
    from models.archs import build_network
    from models.registry import spec

    def install(name: str, temperature: float | None = None) -> Path:
        model_spec = spec(name)
        torch.manual_seed(0)
        weights.save(build_network(model_spec), model_spec.weight_path)
        card.write(model_spec.card_path, card.minimal(model_spec, temperature))
        return model_spec.weight_path

    return install


def write_idx(path: Path, array: np.ndarray) -> None:
    """An uncompressed unsigned-byte idx file, the format of the MNIST files."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def tiny_flags(data: Path, out: Path, epochs: int = 3) -> list[str]:
    """Training flags for a quick run on a tiny data folder, writing under `out`."""
    return [
        "--data-dir", str(data), "--no-download", "--out-dir", str(out), "--checkpoint-dir", str(out / "ckpt"),
        "--val-size", "10", "--epochs", str(epochs), "--batch-size", "10", "--warmup-epochs", "0.5",
        "--no-progress", "--device", "cpu", "--pen-digits", "0",
    ]  # fmt: skip


@pytest.fixture
def tiny_mnist(tmp_path: Path) -> Path:
    """A data root holding a 40-image MNIST look-alike: class k is a bar at a k-dependent place."""
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 40), ("t10k", 20)):
        labels = np.arange(count) % 10
        images = rng.integers(0, 30, size=(count, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels, strict=True):
            image[4 + 2 * label : 6 + 2 * label, 4:24] = 255
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)
    return tmp_path / "data"


@pytest.fixture
def tiny_cifar(tmp_path: Path) -> Path:
    """A 40-image CIFAR-10 look-alike in ImageFolder layout; class k is a colour."""
    from PIL import Image

    from models.registry import CIFAR10

    rng = np.random.default_rng(0)
    for split, per_class in (("train", 4), ("test", 2)):
        for index, name in enumerate(CIFAR10.classes):
            folder = tmp_path / "cifar" / "cifar10-jpeg" / split / name
            folder.mkdir(parents=True)
            for n in range(per_class):
                pixels = rng.integers(0, 40, (32, 32, 3)) + np.array([index * 25, 250 - index * 25, (index % 3) * 100])
                Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(folder / f"{n}.png")
    return tmp_path / "cifar"


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "MNIST" / "raw").is_dir():
        pytest.skip(f"the real datasets are not at {SHARED_DATA}")
    return SHARED_DATA

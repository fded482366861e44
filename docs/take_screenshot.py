"""Screenshots of the real window for the README: a drawn digit with every MNIST model compared
(docs/screenshot.png), a drawn letter A called unfamiliar (docs/unfamiliar.png), the confidence
lab turning the digit (docs/lab.png), the digit inside the network, a star on the map of the test set
among its nearest test images (docs/inside.png), ResNet18's surest CIFAR-10
mistake with its Grad-CAM (docs/cifar10.png), and presentation mode on a 1920x1080 screen
(docs/presentation.png).

xvfb-run -s "-screen 0 1920x1080x24" uv run python docs/take_screenshot.py --data-dir ../shared/data

The window's settings go to a temporary folder: the user's own are neither read nor changed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QPointF, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from app.actions import Tab
from app.core.selection import Show
from app.window import MainWindow
from models.knobs import Knob
from models.registry import MODELS

DOCS = Path(__file__).resolve().parent
PHOTO_MODEL = "resnet18_cifar10"

# A "3" in canvas units (0-1), as two strokes.
THREE = [
    [(0.30, 0.22), (0.45, 0.15), (0.62, 0.17), (0.68, 0.28), (0.60, 0.42), (0.45, 0.47)],
    [(0.45, 0.47), (0.63, 0.52), (0.70, 0.66), (0.62, 0.80), (0.45, 0.85), (0.30, 0.80)],
]


# An "A": no digit, yet MNIST CNN reads it as 4 at 99% (99.4% on 2026-12-07).
LETTER_A = [[(0.25, 0.85), (0.5, 0.15), (0.75, 0.85)], [(0.35, 0.6), (0.65, 0.6)]]


def draw(window: MainWindow, strokes: list[list[tuple[float, float]]]) -> None:
    canvas = window.canvas
    side, (ox, oy) = canvas.side(), canvas.origin()
    for stroke in strokes:
        points = [QPointF(ox + x * side, oy + y * side) for x, y in stroke]
        canvas.begin_stroke(points[0])
        for point in points[1:]:
            canvas.extend_stroke(point)
        canvas.end_stroke()


def wait_for(signal, action: Callable[[], None], seconds: int = 120) -> bool:
    """Do `action`, then run the GUI's event loop until `signal` fires; say whether it did. (A lambda
    connected to a signal of the worker would run on the worker's thread; the loop's quit slot runs
    on this one.)"""
    loop = QEventLoop()
    fired = []

    def note(*_) -> None:
        fired.append(True)

    signal.connect(loop.quit)
    signal.connect(note)
    QTimer.singleShot(seconds * 1000, loop.quit)
    action()
    loop.exec()
    signal.disconnect(loop.quit)
    signal.disconnect(note)
    return bool(fired)


def pause(ms: int = 1500) -> None:
    """Time for the answer, the heat map and a repaint."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], bool], seconds: int = 120) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        pause(100)
    return condition()


def save(window: MainWindow, name: str) -> None:
    window.grab().save(str(DOCS / name))
    print(f"saved {DOCS / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None, help="folder holding the CIFAR-10 test set")
    args = parser.parse_args()

    settings = tempfile.mkdtemp()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    application = QApplication(sys.argv[:1])
    window = MainWindow(model="mnist_cnn", data_dir=args.data_dir)
    window.resize(1200, 720)
    window.show()
    wait_for(window.worker.traced, window.start)

    window.picker.compare.setChecked(True)
    draw(window, THREE)
    pause()
    save(window, "screenshot.png")

    window.picker.compare.setChecked(False)
    window.canvas.clear()
    draw(window, LETTER_A)
    pause()
    save(window, "unfamiliar.png")
    window.canvas.clear()
    draw(window, THREE)

    window.resize(1500, 800)
    window.show_lab(True)
    window.lab.knobs.turn(Knob.ROTATE, 45)
    pause()
    wait_until(lambda: bool(window.lab.sweep.curves))
    pause()
    save(window, "lab.png")
    window.lab.knobs.reset()
    window.show_lab(False)

    window.show_inside(True)
    window.inside.pages.setCurrentWidget(window.inside.map)
    window.canvas.clear()
    draw(window, THREE)
    pause()
    save(window, "inside.png")
    window.show_inside(False)
    window.picker.compare.setChecked(True)
    window.resize(1200, 720)

    window.commands["presentation"].setChecked(True)
    window.commands["explain"].setChecked(True)
    window.setGeometry(window.screen().geometry())
    pause()
    window.canvas.clear()
    draw(window, THREE)
    pause()
    save(window, "presentation.png")
    window.commands["explain"].setChecked(False)
    window.commands["presentation"].setChecked(False)
    window.resize(1200, 720)

    if PHOTO_MODEL not in window.classifiers:
        window.close()
        sys.exit(f"no {PHOTO_MODEL} weights, so no docs/cifar10.png: {MODELS[PHOTO_MODEL].train_command()}")
    window.picker.compare.setChecked(False)
    window.show_tab(Tab.BROWSE)
    browser = window.browser
    photos = MODELS[PHOTO_MODEL].dataset.name
    browser.set_source(photos)
    panel = browser.panel
    wait_until(lambda: photos in panel.sets or panel.download_button.isVisibleTo(panel))
    if photos not in panel.sets:
        window.close()
        sys.exit(panel.message.text())
    window.picker.pick(PHOTO_MODEL)
    browser.filters.set_show(Show.MISTAKES)
    wait_until(lambda: browser.selection.probabilities is not None)
    window.commands["explain"].trigger()
    pause()
    save(window, "cifar10.png")
    window.close()
    application.quit()


if __name__ == "__main__":
    main()

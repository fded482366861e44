"""Responsiveness of the real window: pen-to-bars latency and memory (launch: benchmarks/launch_time.py).

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/app_responsiveness.py [--fill-missing]

Drives the real widgets: mouse moves over the canvas at 60 Hz, and for every move the time
until the chart shows an answer at least that new (a repaint of the chart and the readout
included). Prints the median and 95th percentile with the selected model, alone and with
Explain's heat map, then in compare mode with every MNIST model, each in the normal view and
in the lecture view (presentation mode), and the resident memory with all five models loaded.
Then the confidence lab's rotation slider moved a notch at 60 Hz over a drawn seven, the bars
following (its sweep recomputed once they settle).
Goals on a 2-core CPU: p95 <= 30 ms (mnist_cnn, pen or slider), <= 60 ms (compare, three MNIST
models), in either view; memory <= 1.5 GB.

--fill-missing stands in untrained networks for models whose weights are not trained yet
(their speed does not depend on the values of their weights), and says so.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def fill_missing(folder: Path) -> list[str]:
    """Copy the shipped weights and add untrained stand-ins for the models still missing."""
    import shutil

    import torch

    from models import card, weights
    from models.archs import build_network
    from models.registry import MODELS

    filled = []
    for name, spec in MODELS.items():
        if spec.weight_path.is_file():
            shutil.copy(spec.weight_path, folder / spec.weight_path.name)
            shutil.copy(spec.card_path, folder / spec.card_path.name)
            continue
        torch.manual_seed(0)
        weights.save(build_network(spec), folder / spec.weight_path.name)
        card.write(folder / spec.card_path.name, card.minimal(spec))
        filled.append(name)
    return filled


def latency(window, moves: list, views: tuple = ()) -> np.ndarray:
    """Latency of each of `moves` (calls that change the input), made at 60 Hz by a timer inside
    the running event loop, to the bars and readout repainted with its answer, and `views` too:
    then the clock stops once every observer of the session has drawn the answer.

    (QTest.qWait would hold the GIL while it sleeps and starve the inference thread.)
    """
    from PySide6.QtCore import QEventLoop, QTimer

    sent: dict[int, float] = {}
    waiting: list[int] = []
    latencies: list[float] = []
    loop = QEventLoop()

    def shown(*_) -> None:
        for view in (window.answers.chart.plot, window.answers.readout, *views):
            view.repaint()
        now = time.perf_counter()
        while waiting and waiting[0] <= window.session.questions.last_shown:
            latencies.append(now - sent[waiting.pop(0)])
        if not moves and not waiting:
            loop.quit()

    def move() -> None:
        if not moves:
            timer.stop()
            QTimer.singleShot(3000, loop.quit)  # answers still owed after this are lost
            return
        tick = time.perf_counter()
        moves.pop(0)()
        version = window.session.questions.version
        sent[version] = tick
        waiting.append(version)

    # Connected last, so it runs after the views that observe the session have drawn.
    answered = window.session.answered if views else window.answerShown
    answered.connect(shown)
    timer = QTimer()
    timer.setInterval(16)  # a pen reports at about 60 Hz
    timer.timeout.connect(move)
    timer.start()
    loop.exec()
    answered.disconnect(shown)
    if waiting:
        print(f"  {len(waiting)} changes got no answer within 3 s")
    return np.array(latencies) * 1000


def pen_latency(window, moves: int, compare: bool, views: tuple = ()) -> np.ndarray:
    """Each movement of a pen drawing circles, until the bars (and `views`) show its answer."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    window.picker.compare.setChecked(compare)
    canvas = window.canvas
    side, (ox, oy) = canvas.side(), canvas.origin()
    angle = np.linspace(0, 6 * np.pi, moves)
    points = [QPoint(int(ox + side * (0.5 + 0.3 * np.cos(a))), int(oy + side * (0.5 + 0.3 * np.sin(a)))) for a in angle]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points.pop(0))
    latencies = latency(window, [lambda point=point: QTest.mouseMove(canvas, point) for point in points], views)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton)
    canvas.clear()
    return latencies


def slider_latency(window, moves: int) -> np.ndarray:
    """Each notch of the lab's rotation slider, over a drawn seven, the lab's sweep running meanwhile."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from models.knobs import Knob

    canvas = window.canvas
    side, (ox, oy) = canvas.side(), canvas.origin()
    seven = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(ox + side * 0.25), int(oy + side * 0.2)))
    for x, y in seven[1:]:
        QTest.mouseMove(canvas, QPoint(int(ox + side * x), int(oy + side * y)))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(ox + side * 0.45), int(oy + side * 0.85)))
    window.show_lab(True)
    notches = [i % (Knob.ROTATE.steps + 1) for i in range(1, moves + 1)]
    turn = window.lab.knobs.turn
    latencies = latency(window, [lambda n=n: turn(Knob.ROTATE, Knob.ROTATE.at(n)) for n in notches])
    window.lab.knobs.reset()
    window.show_lab(False)
    canvas.clear()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=300)
    parser.add_argument("--fill-missing", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    with tempfile.TemporaryDirectory() as folder:
        if args.fill_missing:
            import models.registry

            filled = fill_missing(Path(folder))
            models.registry.WEIGHTS_DIR = Path(folder)
            if filled:
                print(f"untrained stand-ins for: {', '.join(filled)}")

        from PySide6.QtWidgets import QApplication

        from app import concurrency
        from app.window import MainWindow
        from tests.random_actions import resident_mb

        application = QApplication([])
        window = MainWindow(device="cpu", model="mnist_cnn")
        window.resize(1200, 720)
        window.show()
        from PySide6.QtCore import QEventLoop

        waiting = QEventLoop()
        window.worker.traced.connect(waiting.quit)  # after loading, the graphs for live drawing
        window.start()
        waiting.exec()
        print(f"models loaded and traced: {', '.join(window.classifiers)}; resident memory {resident_mb():.0f} MB")
        window.picker.pick("mnist_cnn")
        for lecture in (False, True):
            window.commands["presentation"].setChecked(lecture)
            for compare, explain in ((False, False), (False, True), (True, False)):
                window.commands["explain"].setChecked(explain)
                latency = pen_latency(window, args.moves, compare)
                label = "compare: " + ", ".join(window.session.selected()) if compare else "mnist_cnn"
                label += " with Explain on (its heat map follows when the pen lifts)" if explain else ""
                label += ", lecture view" if lecture else ""
                print(
                    f"pen to bars, {label}: median {np.median(latency):.1f} ms, "
                    f"p95 {np.percentile(latency, 95):.1f} ms over {len(latency)} moves"
                )
        window.commands["presentation"].setChecked(False)  # else the next launch starts in it
        window.commands["explain"].setChecked(False)
        window.picker.compare.setChecked(False)
        for label, model in (("mnist_cnn", "mnist_cnn"), ("resnet18_mnist", "resnet18_mnist")):
            window.picker.pick(model)
            moved = slider_latency(window, args.moves)
            print(
                f"lab slider to bars, {label}: median {np.median(moved):.1f} ms, "
                f"p95 {np.percentile(moved, 95):.1f} ms over {len(moved)} notches"
            )
        window.close()
        concurrency.finish_within(3)  # as the app ends: the inference thread must not outlive the interpreter
        application.quit()


if __name__ == "__main__":
    main()

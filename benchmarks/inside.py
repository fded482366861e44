"""Inside the Network in the real window: how soon the layers follow, whether the pen still keeps
its budget, how long the map takes to open, and what the stored maps cost.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/inside.py [--data-dir ../shared/data]

For each model with weights: the time from the pen lifting (digit models; a short stroke drawn
and lifted) or from the next test image (photo models, with --data-dir) until the layer view has
drawn that input's layers, median and worst over --repeats; then pen to bars for mnist_cnn with
the dock open on its map page (as benchmarks/app_responsiveness.py measures it, until the star on
the map has moved too); then the
time to draw each model's map of its test set and repaint it; then the stored maps' sizes and how
well their kept axes keep each test image's neighbours (from the cards).
Goals on a 2-core CPU: layers within 100 ms of the pen lifting, pen to bars p95 <= 30 ms with the
dock open, a map open within 0.5 s, stored map data <= 5 MB per model.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
from app_responsiveness import pen_latency
from event_loop import run_until


def wait_for(condition, seconds: float = 30.0) -> float:
    """Run the event loop until `condition()` holds; the seconds it took."""
    took = run_until(condition, seconds)
    if not condition():
        raise TimeoutError("no answer within the time allowed")
    return took


def layers_after(window, act) -> float:
    """ms from `act` (a pen lift, the next picture) until the layer view has drawn its answer, or
    with the dock closed, until the bars have."""
    drawn = []
    looking = window.inside.isVisible()

    def shown() -> None:
        drawn.append(window.session.answer)

    window.answerShown.connect(shown)
    act()
    version = window.session.questions.version
    seconds = wait_for(
        lambda: any(a is not None and a.ident >= version and (a.layers is not None or not looking) for a in drawn)
    )
    (window.inside.layers if looking else window.answers).repaint()
    window.answerShown.disconnect(shown)
    return seconds * 1000


def stroke(window, offset: float):
    """A short stroke, pressed and moved, its answers shown; returns what lifts the pen."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    canvas = window.canvas
    side, (ox, oy) = canvas.side(), canvas.origin()
    points = [QPoint(int(ox + side * (0.3 + offset + 0.05 * k)), int(oy + side * (0.2 + 0.12 * k))) for k in range(6)]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    wait_for(lambda: window.session.questions.settled)
    return lambda: QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=None, help="the test sets, for the photo models")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--moves", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from app import concurrency
    from app.actions import Tab
    from app.window import MainWindow
    from models.registry import MODELS

    application = QApplication([])
    window = MainWindow(device="cpu", model="mnist_cnn", data_dir=args.data_dir)
    window.resize(1200, 720)
    window.show()
    waiting = QEventLoop()
    window.worker.traced.connect(waiting.quit)
    window.start()
    waiting.exec()
    opened = time.perf_counter()
    window.show_inside(True)
    window.inside.pages.setCurrentWidget(window.inside.map)
    window.inside.map.repaint()
    print(f"the dock's first opening (pyqtgraph imported): {(time.perf_counter() - opened) * 1000:.0f} ms")
    window.inside.pages.setCurrentWidget(window.inside.layers)

    for name in window.classifiers:
        spec = MODELS[name]
        times = []
        if spec.dataset.kind == "digits":
            window.show_tab(Tab.DRAW)
            window.picker.pick(name)
            for repeat in range(args.repeats):
                window.canvas.clear()
                lift = stroke(window, 0.02 * (repeat % 10))
                times.append(layers_after(window, lift))
        elif args.data_dir is not None:
            window.show_tab(Tab.BROWSE)
            photos = spec.dataset.name
            window.browser.set_source(photos)
            wait_for(lambda photos=photos: photos in window.browser.panel.sets, 120)
            window.picker.pick(name)
            window.show_inside(False)
            bars = [layers_after(window, lambda: window.browser.selection.step(1)) for _ in range(args.repeats)]
            print(f"bars shown, dock closed, {name}: median {np.median(bars):.1f} ms, worst {max(bars):.1f} ms")
            window.show_inside(True)
            for _ in range(args.repeats):
                times.append(layers_after(window, lambda: window.browser.selection.step(1)))
        else:
            print(f"{name}: no --data-dir, so no pictures to browse")
            continue
        first, rest = times[0], times[1:]
        print(
            f"layers shown, {name}: median {np.median(rest):.1f} ms, worst {max(rest):.1f} ms over {len(rest)}; "
            f"the first after the dock opened {first:.1f} ms"
        )

    window.show_tab(Tab.DRAW)
    window.picker.pick("mnist_cnn")
    window.canvas.clear()
    window.inside.pages.setCurrentWidget(window.inside.map)
    latency = pen_latency(window, args.moves, compare=False, views=(window.inside.map,))
    print(
        f"pen to bars and the star on the map, mnist_cnn: median {np.median(latency):.1f} ms, "
        f"p95 {np.percentile(latency, 95):.1f} ms over {len(latency)} moves"
    )

    view = window.inside.map
    # The map on show last, so that every map is drawn afresh.
    for name, classifier in sorted(window.classifiers.items(), key=lambda item: item[0] == view.shown):
        spec = MODELS[name]
        start = time.perf_counter()
        view.show_map(name, spec.title, classifier.data_map, spec.classes, classifier.card.feature_map)
        view.repaint()
        elapsed = (time.perf_counter() - start) * 1000
        entry = classifier.card.feature_map
        stored = spec.map_path.stat().st_size / 1e6 if spec.map_path.is_file() else float("nan")
        recall = f"{entry.neighbour_recall:.1%}" if entry is not None else "n/a"
        print(f"map of {name}: drawn in {elapsed:.0f} ms; stored {stored:.2f} MB; neighbour recall {recall}")

    window.close()
    concurrency.finish_within(3)
    application.quit()


if __name__ == "__main__":
    main()

"""A seeded random walk through the real window, as a restless student would use it, watching for
what must never happen: an uncaught exception, a Qt warning, an event loop blocked too long, and
memory that keeps growing. tests/test_random_actions.py runs a short walk; benchmarks/soak.py
runs the long one and prints what it saw.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from app.actions import Tab
from app.core.selection import Show
from app.window import MainWindow
from models.knobs import Knob
from models.registry import DATASETS, for_dataset

# Qt says these of the offscreen platform itself, whatever the app does.
PLATFORM_NOTES = ("This plugin does not support",)
TICK_MS = 5  # how often the watch on the event loop looks at the clock


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Walk:
    """What a walk saw."""

    seed: int
    actions: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # the message boxes the window showed, caught
    gaps: list[tuple[float, str]] = field(default_factory=list)  # (ms the event loop was blocked, the action before)
    memory: list[tuple[int, float]] = field(default_factory=list)  # (actions done, resident MB)

    def worst_gaps(self, count: int = 5) -> list[tuple[float, str]]:
        return sorted(self.gaps, reverse=True)[:count]

    def gap_percentile(self, q: float) -> float:
        return float(np.percentile([gap for gap, _ in self.gaps], q)) if self.gaps else 0.0


class RandomActions:
    """Drives `window` with `count` actions drawn by `seed`, one every `pace_ms`."""

    def __init__(self, window: MainWindow, seed: int, folder: Path) -> None:
        self.window = window
        self.rng = np.random.default_rng(seed)
        self.folder = folder
        self.walk = Walk(seed)
        self.actions: list[tuple[str, float, Callable[[], object]]] = [
            ("stroke", 8, self.stroke),
            ("undo", 2, window.canvas.undo),
            ("redo", 1, window.canvas.redo),
            ("clear", 1, window.canvas.clear),
            ("draw tab", 2, lambda: window.show_tab(Tab.DRAW)),
            ("browse tab", 2, lambda: window.show_tab(Tab.BROWSE)),
            ("next image", 4, lambda: window.browser.selection.step(1)),
            ("random image", 3, lambda: window.browser.selection.pick_random(self.rng)),
            ("test set", 1, self.test_set),
            ("show", 2, self.show),
            ("class filter", 1, self.class_filter),
            ("pick model", 2, self.pick_model),
            ("compare", 2, lambda: window.picker.compare.toggle()),
            ("explain", 2, lambda: window.commands["explain"].toggle()),
            ("calibrated", 1, lambda: window.commands["calibrated"].toggle()),
            ("click a bar", 1, lambda: window.session.explain_class(int(self.rng.integers(10)))),
            ("report", 0.3, window.show_report),
            ("close a report", 0.3, self.close_report),
            ("export", 0.3, lambda: window.export_to(self.folder / f"export-{len(self.walk.actions)}.png")),
            ("presentation", 0.5, lambda: window.commands["presentation"].toggle()),
            ("resize", 0.5, self.resize),
            ("device menu", 0.2, self.device_menu),
            ("lab", 0.3, lambda: window.commands["lab"].toggle()),
            ("knob", 1, self.knob),
            ("fool", 0.3, self.fool),
            ("cover", 0.5, self.cover),
            ("inside", 0.3, lambda: window.commands["inside"].toggle()),
            ("inside page", 0.5, self.inside_page),
            ("a map large", 0.5, self.map_large),
            ("a neighbour", 0.3, self.neighbour),
        ]
        weights = np.array([weight for _, weight, _ in self.actions])
        self.chances = weights / weights.sum()

    # the actions that need more than one call
    def stroke(self) -> None:
        canvas = self.window.canvas
        if not canvas.isVisible():
            return
        side, (ox, oy) = canvas.side(), canvas.origin()
        count = int(self.rng.integers(2, 12))
        points = [QPoint(int(ox + side * x), int(oy + side * y)) for x, y in self.rng.uniform(0.1, 0.9, (count, 2))]
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
        for point in points[1:]:
            QTest.mouseMove(canvas, point)
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])

    def test_set(self) -> None:
        self.window.browser.set_source(str(self.rng.choice(list(DATASETS))))

    def show(self) -> None:
        self.window.browser.filters.set_show(list(Show)[int(self.rng.integers(len(Show)))])

    def class_filter(self) -> None:
        box = self.window.browser.filters.class_box
        if box.isEnabled() and box.count():
            box.setCurrentIndex(int(self.rng.integers(box.count())))

    def pick_model(self) -> None:
        names = for_dataset(self.window.session.dataset)
        self.window.picker.pick(str(self.rng.choice(names)))

    def close_report(self) -> None:
        reports = self.window.reports
        if reports is not None and reports.open:
            reports.open[int(self.rng.integers(len(reports.open)))].close()

    def device_menu(self) -> None:
        usable = [action for action in self.window.devices.group.actions() if action.isEnabled()]
        if usable:
            usable[int(self.rng.integers(len(usable)))].trigger()

    def inside_page(self) -> None:
        inside = self.window.inside
        if inside is not None and inside.isVisible():
            inside.pages.setCurrentIndex(int(self.rng.integers(inside.pages.count())))

    def map_large(self) -> None:
        """Click one of the layer view's maps."""
        inside = self.window.inside
        if inside is not None and inside.isVisible():
            tiles = [tile for row in inside.layers.tiles for tile in row]
            if tiles:
                QTest.mouseClick(tiles[int(self.rng.integers(len(tiles)))], Qt.MouseButton.LeftButton)

    def neighbour(self) -> None:
        """Click one of the nearest test images: it opens in the browser."""
        inside = self.window.inside
        if inside is not None and inside.isVisible():
            views = inside.map.neighbour_views
            QTest.mouseClick(views[int(self.rng.integers(len(views)))], Qt.MouseButton.LeftButton)

    def knob(self) -> None:
        lab = self.window.lab
        if lab is not None and lab.isVisible():
            knob = list(Knob)[int(self.rng.integers(len(Knob)))]
            lab.knobs.turn(knob, knob.at(int(self.rng.integers(knob.steps + 1))))

    def cover(self) -> None:
        """Lay the lab's square somewhere on the input, or take it away."""
        lab = self.window.lab
        if lab is not None and lab.isVisible():
            view = lab.patch.view
            if self.rng.random() < 0.25:
                lab.patch.remove.click()
            else:
                shown = view.shown_rect()
                x, y = self.rng.integers(0, max(1, shown.width())), self.rng.integers(0, max(1, shown.height()))
                where = QPoint(shown.x() + int(x), shown.y() + int(y))
                QTest.mouseClick(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, where)

    def fool(self) -> None:
        lab = self.window.lab
        if lab is not None and lab.isVisible():
            lab.attack.set_target(int(self.rng.integers(10)))
            lab.attack.button.click()

    def resize(self) -> None:
        self.window.resize(int(self.rng.integers(800, 1600)), int(self.rng.integers(560, 1000)))

    # the walk
    def run(self, count: int, pace_ms: int = 15) -> Walk:
        """Take `count` actions, one every `pace_ms` while the event loop turns between them."""
        walk = self.walk
        last_tick = [time.perf_counter()]
        loop = QEventLoop()

        def tick() -> None:
            now = time.perf_counter()
            walk.gaps.append(((now - last_tick[0]) * 1000 - TICK_MS, walk.actions[-1] if walk.actions else "start"))
            last_tick[0] = now

        def act() -> None:
            if len(walk.actions) >= count:
                loop.quit()
                return
            name, _, action = self.actions[int(self.rng.choice(len(self.actions), p=self.chances))]
            walk.actions.append(name)
            action()
            if len(walk.actions) % 100 == 0:
                walk.memory.append((len(walk.actions), resident_mb()))

        def message(kind: QtMsgType, context: object, text: str) -> None:
            if kind != QtMsgType.QtDebugMsg and not text.startswith(PLATFORM_NOTES):
                walk.warnings.append(f"{text} (after {walk.actions[-1] if walk.actions else 'start'})")

        def uncaught(kind: type, value: BaseException, trace: object) -> None:
            walk.exceptions.append(f"{kind.__name__}: {value} (after {walk.actions[-1] if walk.actions else 'start'})")

        def uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
            uncaught(args.exc_type, args.exc_value or Exception(), args.exc_traceback)

        def shown(parent: object, title: str, text: str, *rest: object) -> QMessageBox.StandardButton:
            walk.messages.append(text)  # a modal box would wait for a click that never comes
            return QMessageBox.StandardButton.Ok

        boxes = {kind: getattr(QMessageBox, kind) for kind in ("information", "warning", "critical", "question")}
        for kind in boxes:
            setattr(QMessageBox, kind, shown)
        watch, driver = QTimer(), QTimer()
        watch.timeout.connect(tick)
        driver.timeout.connect(act)
        previous_hooks = sys.excepthook, threading.excepthook
        previous_handler = qInstallMessageHandler(message)
        sys.excepthook, threading.excepthook = uncaught, uncaught_in_thread
        try:
            watch.start(TICK_MS)
            driver.start(pace_ms)
            loop.exec()
        finally:
            watch.stop()
            driver.stop()
            sys.excepthook, threading.excepthook = previous_hooks
            qInstallMessageHandler(previous_handler)
            for kind, box in boxes.items():
                setattr(QMessageBox, kind, box)
        walk.memory.append((len(walk.actions), resident_mb()))
        return walk

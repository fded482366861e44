"""Driving the real window from a benchmark: run Qt's event loop until something has happened."""

from __future__ import annotations

import time
from collections.abc import Callable


def run_until(done: Callable[[], bool], seconds: float = 120) -> float:
    """Run the event loop until `done` (looked at every millisecond) or `seconds` pass; the seconds it took."""
    from PySide6.QtCore import QEventLoop, QTimer

    start = time.perf_counter()
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if done() or time.perf_counter() - start > seconds else None)
    timer.start(1)
    loop.exec()
    timer.stop()
    return time.perf_counter() - start

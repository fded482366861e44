"""Slow jobs (reading a dataset, downloading, scoring a test set, sweeping a knob, making an
adversarial picture) on a thread pool, reporting back by signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

from models.errors import ModelError

log = logging.getLogger(__name__)

Result = TypeVar("Result")


def log_failure(logger: logging.Logger, what: str, error: Exception) -> None:
    """Log a failure the user is told of: a ModelError is an expected condition (a missing set, an
    odd file, a device this machine lacks) written for users, its traceback only with --verbose;
    anything else is a fault, logged with its traceback in any case."""
    logger.log(logging.INFO if isinstance(error, ModelError) else logging.WARNING, what, exc_info=error)


Job = Callable[[Callable[[int, int], None], Callable[[], bool]], Result]  # job(progress, cancelled) -> result


class TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(str)
    progress = Signal(int, int)


class Task(QRunnable):
    """Runs `job(progress, cancelled)` off the GUI thread; its result or error comes back as a signal."""

    def __init__(self, job: Job[Any]) -> None:
        super().__init__()
        self.job = job
        self.signals = TaskSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.job(self._report(self.signals.progress), self._cancel.is_set)
        except Exception as error:  # noqa: BLE001 - every failure becomes a message, never a traceback
            log_failure(log, "job failed", error)
            self._report(self.signals.failed)(str(error) or type(error).__name__)
        else:
            self._report(self.signals.done)(result)

    def _report(self, signal) -> Callable[..., None]:
        """Emit only while the signals live: Qt deletes them when the application quits under a running job."""
        return lambda *args: signal.emit(*args) if isValid(self.signals) else None


_running: set[Task] = set()  # Python must keep each task, and its signals, alive until it reports


def start(
    job: Job[Result],
    done: Callable[[Result], object],
    failed: Callable[[str], object],
    owner: QObject,
    progress: Callable[[int, int], None] | None = None,
) -> Task:
    """Run `job` on the thread pool; its reports reach `owner`'s callbacks only while `owner` lives
    (a window closed meanwhile is left alone)."""

    def while_alive(callback):
        return lambda *args: callback(*args) if isValid(owner) else None

    task = Task(job)
    task.setAutoDelete(False)
    task.signals.done.connect(while_alive(done))
    task.signals.failed.connect(while_alive(failed))
    if progress is not None:
        # Progress queued before a cancel arrives after it: it is no longer news.
        task.signals.progress.connect(while_alive(lambda *args: None if task.cancelled else progress(*args)))
    for finished in (task.signals.done, task.signals.failed):
        finished.connect(lambda *_: _running.discard(task))
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task

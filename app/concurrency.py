"""The threads of the app, and the process-wide settings they rely on; set up once at launch.

- The GUI thread paints and handles input. It never waits on a model, a file or the network.
- The inference thread (app/worker.py, a QThread) loads the models, then answers one request
  at a time; app/asking.py keeps at most one request in flight (app/core/session.py, NewestWins).
- The model pool (models/answering.py): in a comparison, each model answers on a thread of
  its own, one torch thread apiece, on all cores but one; that one stays for the GUI thread.
- Qt's global thread pool (app/tasks.py): slow jobs reported back by signal: reading and
  downloading datasets, decoding the user's pictures and their icons, scoring a test set,
  sweeping a knob and making an adversarial picture in the lab, looking inside a model for its
  report. They share the inference thread's models (see models/answering.py).
- Closing the window waits for none of them: jobs are cancelled and stop at their next check,
  the inference thread ends after the step it is in (see retire()), and the process ends after
  at most EXIT_GRACE_S whatever is still running (a download on a stalled network, a model
  halfway through loading): nothing left then is worth keeping the user waiting for.
- Once the models are traced, the objects startup made are frozen out of the garbage collector's
  sight (app/worker.py): a full collection walked all ~350,000 of them, up to 0.25 s with the GIL.
- glibc gives each thread that allocates a heap of its own (up to eight per core) and raises its
  threshold for mapping large blocks as they are freed, so that tensors of a few MB come to live
  in heaps that never shrink: the resident memory grew 96 MB in 2,500 random actions. Two heaps and
  a fixed 1 MB threshold: 63 MB, from a start 76 MB lower.
- Torch releases the GIL inside every operator and must win it back after each one; with the
  default 5 ms switch interval a busy GUI thread makes each of those waits long, so the
  interval is 0.5 ms. torch itself runs one thread per caller (set on the inference thread
  when torch first loads): parallelism comes from the threads above, not from within an operator.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QThread, QThreadPool

SWITCH_INTERVAL_S = 0.0005
TORCH_THREADS = 1
EXIT_GRACE_S = 1.5
MALLOC_HEAPS = 2
MALLOC_MAP_BYTES = 1 << 20  # blocks from this size up are mapped, and given back when freed
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters (malloc.h)

_retiring: set[QThread] = set()  # threads told to end, kept alive until they have: Qt aborts otherwise


def model_threads() -> int:
    """Threads for the models of a comparison: every core but the GUI thread's."""
    return max(1, (os.cpu_count() or 2) - 1)


def configure() -> None:
    """The process-wide settings above; call once, before the inference thread starts."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return  # not glibc (macOS, Windows, musl): their allocators are left as they are
    libc.mallopt(M_ARENA_MAX, MALLOC_HEAPS)
    libc.mallopt(M_MMAP_THRESHOLD, MALLOC_MAP_BYTES)


def retire(thread: QThread, ended: Callable[[], None]) -> None:
    """Tell a thread's event loop to end without waiting for it; `ended` runs (on that thread)
    once it has. The thread object lives on until then, whoever held it."""
    _retiring.add(thread)

    def finished() -> None:
        ended()
        _retiring.discard(thread)

    thread.finished.connect(finished, Qt.ConnectionType.DirectConnection)
    thread.quit()


def finish_within(seconds: float) -> None:
    """At exit: give cancelled jobs and ending threads up to `seconds` to finish, then go on."""
    deadline = time.monotonic() + seconds
    QThreadPool.globalInstance().waitForDone(int(seconds * 1000))
    for thread in list(_retiring):
        thread.wait(max(0, int((deadline - time.monotonic()) * 1000)))

"""An hour in front of a class, compressed: long seeded random walks through the real window, then
closes in every state a lecture can leave the app in.

    QT_QPA_PLATFORM=offscreen uv run python benchmarks/soak.py --data-dir ../shared/data [--actions 5000] [--seeds 0 1]

For each seed, in a fresh process, with the shipped models and the real test sets (tests/random_actions.py),
once startup has ended (the models loaded and traced): how long that took, the actions taken,
every uncaught exception and Qt warning, the longest event-loop gaps with the
action before each, the 99th percentile gap, and resident memory every 500 actions. Then each close
scenario runs in a fresh process, and the time from close() to the process gone is printed.
Goals: 0 exceptions, 0 warnings, longest gap <= 250 ms, 99th percentile <= 50 ms, memory after
the walk within 10% of where it was after 500 actions and <= 1.5 GB, every close within 3 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from event_loop import run_until

CLOSES = (
    "loading the models",
    "tracing the models",
    "scoring a test set",
    "reading a test set",
    "a download on a stalled network",
    "decoding a huge picture",
    "a named pipe opened as a picture",
    "as many reports open as it keeps",
    "a prediction in flight",
    "presentation mode with everything on",
)
SLOW_MS = 100  # no action should hold the event loop longer
STALLED_DOWNLOAD = "visionlab-soak: a download that never gets a byte"


def window(data_dir: Path):
    from app.window import MainWindow

    shown = MainWindow(device="cpu", data_dir=data_dir)
    shown.resize(1280, 800)
    shown.show()
    return shown


def walk(seed: int, actions: int, data_dir: Path) -> None:
    from tests.random_actions import RandomActions

    shown = window(data_dir)
    traced: list[bool] = []
    shown.worker.traced.connect(lambda: traced.append(True))
    run_until(lambda: False, 0)
    start = time.perf_counter()
    shown.start()
    # Startup ends once the models are loaded and traced: torch.jit's optimizing passes hold the
    # GIL, so the window may stall while they run.
    run_until(lambda: len(shown.classifiers) == 5 and not shown.session.starting and bool(traced))
    startup = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        seen = RandomActions(shown, seed, Path(folder)).run(actions)
    shown.close()
    counts = Counter(seen.actions)
    print(f"seed {seed}: {len(seen.actions)} actions ({', '.join(f'{n} {name}' for name, n in counts.most_common())})")
    print(f"  startup: five models loaded and traced {startup:.1f} s after start()")
    print(f"  uncaught exceptions: {len(seen.exceptions)}", *(f"\n    {e}" for e in seen.exceptions[:10]))
    print(f"  Qt warnings: {len(seen.warnings)}", *(f"\n    {w}" for w in seen.warnings[:10]))
    print(f"  messages shown: {len(seen.messages)}", *(f"\n    {m}" for m in sorted(set(seen.messages))[:10]))
    worst = ", ".join(f"{gap:.0f} ms after {after}" for gap, after in seen.worst_gaps(5))
    over = sum(1 for gap, _ in seen.gaps if gap > SLOW_MS)
    print(f"  event loop: longest gaps {worst}; 99th percentile {seen.gap_percentile(99):.1f} ms; "
          f"{over} gaps over {SLOW_MS} ms in {len(seen.gaps)} looks")  # fmt: skip
    memory = [f"{done}: {mb:.0f} MB" for done, mb in seen.memory if done % 500 == 0 or done == len(seen.actions)]
    print("  resident memory after " + ", ".join(memory))


def close_in(state: str, data_dir: Path) -> None:
    """In this process: bring the app into `state`, close the window, and end as `visionlab` does."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app import concurrency
    from app.actions import Tab
    from app.core.selection import Show

    application = QApplication.instance()
    empty = Path(tempfile.mkdtemp())
    shown = window(empty if state == "a download on a stalled network" else data_dir)

    def loaded() -> None:
        run_until(lambda: len(shown.classifiers) == 5 and not shown.session.starting)

    shown.start()
    if state == "tracing the models":
        run_until(lambda: bool(shown.classifiers))
        loaded()
    elif state == "scoring a test set":
        loaded()
        shown.show_tab(Tab.BROWSE)
        run_until(lambda: "mnist" in shown.browser.panel.sets)
        for classifier in shown.classifiers.values():
            classifier.test_answers = None  # as for a test set no evaluation saw
        shown.browser.filters.set_show(Show.MISTAKES)
        run_until(lambda: shown.scorer.busy)
    elif state == "reading a test set":
        loaded()
        shown.show_tab(Tab.BROWSE)
        shown.browser.set_source("cifar10")
    elif state == "a download on a stalled network":
        import urllib.request

        def stalled(url: str, timeout: float) -> object:
            time.sleep(3600)
            raise OSError(STALLED_DOWNLOAD)

        urllib.request.urlopen = stalled  # type: ignore[assignment]
        shown.show_tab(Tab.BROWSE)
        run_until(lambda: shown.browser.panel.download_button.isVisibleTo(shown.browser))
        shown.browser.panel.download_button.click()
        run_until(lambda: False, 0.5)
    elif state == "decoding a huge picture":
        from PIL import Image

        huge = empty / "huge.png"
        Image.effect_noise((12000, 12000), 64).save(huge)
        shown.open_paths([huge])
    elif state == "a named pipe opened as a picture":
        pipe = empty / "pipe.png"
        os.mkfifo(pipe)
        shown.open_paths([pipe, pipe.with_name("also.png")])
    elif state == "as many reports open as it keeps":
        from app.report import Reports

        loaded()
        for _ in range(Reports.KEPT_OPEN + 2):
            shown.show_report()
        run_until(lambda: shown.reports is not None and len(shown.reports.open) == Reports.KEPT_OPEN, 30)
    elif state == "a prediction in flight":
        loaded()
        shown.picker.compare.setChecked(True)
        shown.commands["explain"].setChecked(True)
        shown.canvas.begin_stroke(shown.canvas.rect().center())
        shown.canvas.extend_stroke(shown.canvas.rect().topLeft())
    elif state == "presentation mode with everything on":
        loaded()
        for name in ("presentation", "explain", "calibrated"):
            shown.commands[name].setChecked(True)
        shown.picker.compare.setChecked(True)
        shown.show_report()
        run_until(lambda: False, 1)

    def close() -> None:
        print(f"closing at {time.time():.3f}", flush=True)
        shown.close()

    QTimer.singleShot(0, close)
    application.exec()
    concurrency.finish_within(concurrency.EXIT_GRACE_S)
    os._exit(0)


def time_close(state: str, data_dir: Path) -> str:
    command = [sys.executable, __file__, "--data-dir", str(data_dir), "--close-in", state]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    )
    closing = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("closing at "):
            closing = float(line.split()[-1])
            break
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return f"{state}: still running 60 s after close"
    if closing is None:
        return f"{state}: never reached close (exit status {process.returncode})"
    return f"{state}: gone {time.time() - closing:.2f} s after close (exit status {process.returncode})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--close-in", choices=CLOSES, help=argparse.SUPPRESS)  # one close scenario, in this process
    parser.add_argument("--walk", type=int, help=argparse.SUPPRESS)  # one walk, in this process
    parser.add_argument("--no-closes", action="store_true", help="only the walks")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    application = QApplication([])
    if args.close_in:
        close_in(args.close_in, args.data_dir)
    if args.walk is not None:
        walk(args.walk, args.actions, args.data_dir)
        os._exit(0)
    for seed in args.seeds:  # each in a process of its own: memory is measured from a fresh start
        command = [sys.executable, __file__, "--data-dir", str(args.data_dir), "--actions", str(args.actions)]
        subprocess.run([*command, "--walk", str(seed)], check=False)
    if not args.no_closes:
        for state in CLOSES:
            print(time_close(state, args.data_dir), flush=True)
    application.quit()


if __name__ == "__main__":
    main()

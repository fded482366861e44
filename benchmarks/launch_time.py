r"""Launch time of the real app, measured from outside its process on an X display.

    uv run python benchmarks/launch_time.py [--repeats 5] [--launcher uv|python|both] [--data-dir DIR]

Needs Xvfb, xdotool and Qt's xcb libraries (Debian):
`apt-get install xvfb xdotool libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1`. Without $DISPLAY or
--display it starts its own `Xvfb -screen 0 1280x800x24` on a free display and stops it at the end.
Per launch it prints, in seconds from starting the process: the window titled exactly "visionlab"
mapped and viewable (xdotool polls the X server every 10 ms; each query takes ~20 ms, so this is
good to a few tens of ms), the first model ready, all models loaded; then the seconds from Ctrl+Q
to the exit (after --exit-timeout SIGTERM, then SIGKILL: row marked "!"); then each column's median.
`--launcher uv` starts `uv run visionlab`, `python` starts `<this interpreter> -m app` (the venv's
under `uv run python`), leaving out uv's own start-up; `both` reports both.
Goals: window <= 1.0 s, first model <= 4 s, all five models <= 8 s, exit within 3 s.

Contract with the app: always started with --verbose, it writes to stderr one line per model as it
becomes ready to answer a drawing, matching r"ready: (\w+) on (\S+)" (e.g. "... ready: mnist_cnn on
cpu"), and then a line matching r"all models loaded". Each line is timestamped as it arrives here;
lines not seen within --timeout read "not seen".
Each launch gets a fresh, empty XDG_CONFIG_HOME (HOME unchanged), so the user's settings neither
change the figures nor get overwritten: QSettings' IniFormat/UserScope file lives there on Linux.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = re.compile(r"ready: (\w+) on (\S+)")
ALL_LOADED = re.compile(r"all models loaded")
TITLE = "^visionlab$"
COLUMNS = ("window", "first model", "all models", "exit")


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """Xvfb picks a free display itself and writes its number to -displayfd: no race over lock files."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise SystemExit("Xvfb did not start")
    return server, f":{number}"


def find_window(display: str) -> str | None:
    """Id of a viewable window titled exactly "visionlab" (Qt's hidden helper windows are not viewable)."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", TITLE],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        check=False,  # exit status 1 just means no such window yet
    )
    return found.stdout.split()[0] if found.stdout.strip() else None


def read_stderr(process: subprocess.Popen, start: float, events: dict[str, float], lines: list[str]) -> None:
    """Timestamp the log lines here, as they arrive, so the app's own clock plays no part."""
    for line in process.stderr:
        lines.append(line)
        now = time.perf_counter() - start
        if READY.search(line):
            events.setdefault("first model", now)
        if ALL_LOADED.search(line):
            events.setdefault("all models", now)


def close(process: subprocess.Popen, window: str, display: str, grace: float) -> tuple[float, bool]:
    """Seconds from pressing Ctrl+Q to the exit, and whether it took SIGTERM or SIGKILL (after `grace` each)."""
    env = {**os.environ, "DISPLAY": display}
    start = time.perf_counter()
    # No window manager under Xvfb: focus the window directly, then type the shortcut through XTEST.
    subprocess.run(["xdotool", "windowfocus", window], env=env, capture_output=True, check=False)
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+q"], env=env, capture_output=True, check=False)
    killed = False
    for sig in (signal.SIGTERM, signal.SIGKILL, None):
        try:
            process.wait(grace if sig is not None else None)  # nothing outlives SIGKILL: wait for it to land
            break
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, sig)  # uv runs the app as its child: signal the whole group
            killed = True
    return time.perf_counter() - start, killed


def launch(command: list[str], display: str, args: argparse.Namespace) -> dict[str, float | bool]:
    """One launch: times of window, first model, all models (from start) and exit (from the close request)."""
    with tempfile.TemporaryDirectory(prefix="visionlab-config-") as config:
        env = {**os.environ, "DISPLAY": display, "XDG_CONFIG_HOME": config}
        env.pop("QT_QPA_PLATFORM", None)  # an inherited "offscreen" would never map a window
        events: dict[str, float | bool] = {}
        lines: list[str] = []
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        reader = threading.Thread(target=read_stderr, args=(process, start, events, lines), daemon=True)
        reader.start()
        window, deadline = None, start + args.timeout
        while window is None and process.poll() is None and time.perf_counter() < deadline:
            polled = time.perf_counter()  # the window was not there before this query began
            window = find_window(display)
            if window is None:
                time.sleep(0.01)
        if window is not None:
            events["window"] = polled - start
            while "all models" not in events and process.poll() is None:
                if time.perf_counter() > deadline:
                    break
                time.sleep(0.05)
        if window is not None and process.poll() is None:
            events["exit"], events["killed"] = close(process, window, display, args.exit_timeout)
        elif process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # no window within --timeout: nothing to close
        process.wait()
        reader.join(2)
        if "exit" not in events:
            killed = window is None and process.returncode == -signal.SIGKILL
            why = "no window within --timeout" if killed else f"ended by itself with status {process.returncode}"
            print(f"  {why}; its last lines:\n    " + "    ".join(lines[-5:]))
        return events


def row(label: str, values: list[float | None], killed: bool) -> str:
    cells = ["not seen" if v is None else f"{v:.3f}" for v in values]
    return f"{label:>8}" + "".join(f"{c:>15}" for c in cells) + ("!" if killed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--launcher", choices=["uv", "python", "both"], default="uv")
    parser.add_argument("--display", default=os.environ.get("DISPLAY"), help="default: $DISPLAY, else a new Xvfb")
    parser.add_argument("--data-dir", default=None, help="passed on to the app")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the window and the models")
    parser.add_argument("--exit-timeout", type=float, default=10.0, help="seconds before SIGTERM, then SIGKILL")
    args = parser.parse_args()

    names = ["uv", "python"] if args.launcher == "both" else [args.launcher]
    for tool in ["xdotool"] + ["uv"] * ("uv" in names) + ["Xvfb"] * (not args.display):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found (apt-get install xvfb xdotool; pip install uv)")
    app_args = ["--verbose"] + (["--data-dir", args.data_dir] if args.data_dir else [])
    launchers = {"uv": ["uv", "run", "visionlab"], "python": [sys.executable, "-m", "app"]}
    server, display = start_xvfb() if not args.display else (None, args.display)
    try:
        print(f"display {display}, {os.cpu_count()} CPUs, {args.repeats} launches each")
        for name in names:
            command = launchers[name] + app_args
            print(f"\n{' '.join(command)}")
            print(f"{'launch':>8}" + "".join(f"{c + ' s':>15}" for c in COLUMNS))
            runs = []
            for index in range(args.repeats):
                runs.append(run := launch(command, display, args))
                print(row(str(index + 1), [run.get(c) for c in COLUMNS], run.get("killed", False)), flush=True)
            medians = []
            for column in COLUMNS:
                values = [r[column] for r in runs if column in r]
                medians.append(statistics.median(values) if values else None)
            print(row("median", medians, any(r.get("killed") for r in runs)))
        print("\ngoals: window <= 1.0 s, first model <= 4 s, all models <= 8 s, exit <= 3 s; ! = Ctrl+Q did not end it")
    finally:
        if server is not None:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()

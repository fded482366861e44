"""Start the visionlab window: `uv run visionlab [--device cpu] [--model mnist_cnn] [--verbose]`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from models.registry import MODELS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="visionlab", description="Watch neural networks classify what you draw.")
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: the best available)")
    parser.add_argument("--model", default=None, choices=sorted(MODELS), help="the model to start with")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=os.environ.get("VISIONLAB_DATA"),
        help="folder with the MNIST and CIFAR-10 test sets (default: $VISIONLAB_DATA, then the last one used)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log what happens (models loading, every error and its traceback)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(relativeCreated)7.0f ms %(threadName)s %(name)s: %(message)s",
    )

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.window import MainWindow

    application = QApplication.instance() or QApplication(sys.argv[:1])
    application.setApplicationName("visionlab")
    window = MainWindow(device=args.device, model=args.model, data_dir=args.data_dir)
    window.show()
    application.processEvents()  # paint the window now; the chart, torch and the models load after
    logging.getLogger(__name__).info("window shown")
    QTimer.singleShot(0, window.start)
    return application.exec()


def run() -> None:
    """The `visionlab` command: the window, then an exit that no job still running can hold up."""
    from app import concurrency

    code = main()
    concurrency.finish_within(concurrency.EXIT_GRACE_S)
    logging.shutdown()
    os._exit(code)  # a thread blocked on a stalled network would otherwise keep the process alive


if __name__ == "__main__":
    run()

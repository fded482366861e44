"""Draw a digit in the real window, with every MNIST model compared, and save a screenshot for the README.

xvfb-run -s "-screen 0 1280x800x24" uv run python docs/take_screenshot.py [docs/screenshot.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPointF, QTimer
from PySide6.QtWidgets import QApplication

from app.window import MainWindow

# A "3" in canvas units (0-1), as two strokes.
THREE = [
    [(0.30, 0.22), (0.45, 0.15), (0.62, 0.17), (0.68, 0.28), (0.60, 0.42), (0.45, 0.47)],
    [(0.45, 0.47), (0.63, 0.52), (0.70, 0.66), (0.62, 0.80), (0.45, 0.85), (0.30, 0.80)],
]


def draw(window: MainWindow, strokes: list[list[tuple[float, float]]]) -> None:
    canvas = window.canvas
    side, (ox, oy) = canvas.side(), canvas.origin()
    for stroke in strokes:
        points = [QPointF(ox + x * side, oy + y * side) for x, y in stroke]
        canvas.begin_stroke(points[0])
        for point in points[1:]:
            canvas.extend_stroke(point)
        canvas.end_stroke()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("screenshot.png"))
    application = QApplication(sys.argv[:1])
    window = MainWindow()
    window.resize(1200, 720)
    window.show()
    window.start()

    def when_loaded(*_) -> None:
        window.compare.setChecked(True)
        draw(window, THREE)
        QTimer.singleShot(1500, save)

    def save() -> None:
        window.grab().save(str(target))
        print(f"saved {target}")
        window.close()
        application.quit()

    window.worker.traced.connect(lambda: QTimer.singleShot(300, when_loaded))
    application.exec()


if __name__ == "__main__":
    main()

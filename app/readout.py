"""The answer in letters the back row can read: the top class and its confidence, large; beside it,
smaller, which model answered and its runner-up."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from app.labels import fitted_font
from app.theme import soft_ink

ANSWER_SHARE = 0.62  # of the strip's width
LETTERS = 0.8  # of the strip's height: the answer's letters
SIDE_LETTERS = 0.3  # each of the two lines beside it
# The runner-up gives way where its letters would shrink below this share of their height, and the
# answer takes the whole width: beside a dock on a 1024-pixel projector, "then bird: 1%" shrank to
# 10 pixels and "airplane  96%" to the size of the text around it.
LEAST_SIDE = 0.6


class Readout(QWidget):
    """A strip of fixed height: "3  98%" large, and "MNIST CNN" over "then 5: 1%" beside it; the
    letters shrink where the text would not fit the width."""

    def __init__(self, height: int = 56, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.answer = QLabel("")
        self.answer.setObjectName("readoutAnswer")
        self.side = QLabel("")
        self.side.setObjectName("readoutSide")
        self._soften()
        for label in (self.answer, self.side):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.answer, round(ANSWER_SHARE * 100))
        row.addWidget(self.side, round((1 - ANSWER_SHARE) * 100))
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.widest_side = ""  # the widest the runner-up could say, for the answers on show
        self.set_height(height)

    def _soften(self) -> None:
        palette = self.side.palette()
        palette.setColor(QPalette.ColorRole.WindowText, soft_ink(self.palette()))
        self.side.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._soften()

    def set_height(self, pixels: int) -> None:
        self.setFixedHeight(pixels)
        self._fit()

    def show_answer(self, classes: tuple[str, ...], probabilities: np.ndarray, title: str = "") -> None:
        """The top class of `probabilities` and the runner-up; `title` names the model where several answer."""
        first, second = np.argsort(probabilities)[::-1][:2]
        self.answer.setText(f"{classes[first]}  {probabilities[first]:.0%}")
        runner_up = f"then {classes[second]}: {probabilities[second]:.0%}"
        self.side.setText(f"{title}\n{runner_up}" if title else runner_up)
        # Whether the runner-up has room is judged on the widest it could say, so that it neither
        # comes nor goes, nor moves the answer, as the pen changes it.
        widest = f"then {max(classes, key=len)}: 100%"
        self.widest_side = f"{title}\n{widest}" if title else widest
        self._fit()

    def clear(self) -> None:
        self.answer.setText("")
        self.side.setText("")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Letters as tall as the strip allows, smaller where a line would not fit its width; where
        the runner-up's would be too small to read, it gives its width to the answer."""
        side_height, side_width = max(8, int(self.height() * SIDE_LETTERS)), self.width() * (1 - ANSWER_SHARE)
        least = self._fitted(self.widest_side, side_height, side_width, bold=False).pixelSize()
        crowded = least < LEAST_SIDE * side_height
        self.side.setVisible(not crowded)
        self.side.setFont(self._fitted(self.side.text(), side_height, side_width, bold=False))
        width = self.width() * (1.0 if crowded else ANSWER_SHARE)
        self.answer.setFont(self._fitted(self.answer.text(), max(8, int(self.height() * LETTERS)), width, bold=True))

    def _fitted(self, text: str, height: int, width: float, bold: bool) -> QFont:
        """A font `height` pixels tall, or less where the text's widest line would overflow `width`."""
        font = QFont(self.font())
        font.setBold(bold)
        return fitted_font(font, text, height, width - 8)

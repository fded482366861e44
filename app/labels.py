"""Labels that never move the layout: their text is elided to the width they are given, and they
keep the height of the lines reserved for them whatever they say."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


def shortened(name: str, letters: int) -> str:
    """A name cut to `letters` characters, a dot marking the cut, where it is longer:
    "automobile" -> "auto."; one letter has no room for the dot."""
    if len(name) <= letters:
        return name
    return name[: letters - 1] + "." if letters > 1 else name[0]


def fitted_font(font: QFont, text: str, height: int, room: float, least: int = 8) -> QFont:
    """`font` with letters `height` pixels tall, or smaller (down to `least`) where the text's widest
    line would be wider than `room`: smaller letters rather than a line cut off."""
    font = QFont(font)
    font.setPixelSize(height)
    widest = max((QFontMetrics(font).horizontalAdvance(line) for line in text.split("\n")), default=0)
    if widest > room > 0:
        font.setPixelSize(max(least, int(height * room / widest)))
    return font


def fewest_distinct_letters(names: tuple[str, ...]) -> int:
    """The fewest letters `shortened` may cut these names to and still tell every one apart: 3 for
    CIFAR-10's ("ai.", "au."), where at 2 airplane and automobile were both "a."."""
    letters = 1
    while len({shortened(name, letters) for name in names}) < len(set(names)):
        letters += 1
    return letters


def breakable(text: str) -> str:
    """The text with a zero-width space after every path separator and underscore, so that a
    wrapping label can break a long folder path there: unbroken, one path widened the window past
    a 1024-pixel screen."""
    for mark in ("/", "\\", "_"):
        text = text.replace(mark, mark + "\u200b")
    return text


class WrappingLabel(QLabel):
    """Plain text wrapped to the label's width, long folder paths included (breakable()); text()
    is the text as given."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.whole = ""
        self.setText(text)

    def setText(self, text: str) -> None:
        self.whole = text
        super().setText(breakable(text))

    def text(self) -> str:
        return self.whole


class ElidedLabel(QLabel):
    """Plain text of up to `lines` lines, each cut with an ellipsis where it is wider than the label
    (at its end, or where `cut` says); the whole text shows as the tooltip when cut. text() is the
    whole text."""

    def __init__(
        self,
        text: str = "",
        lines: int = 1,
        parent: QWidget | None = None,
        cut: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(parent)
        self.lines, self.cut = lines, cut
        self.whole = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._reserve()
        self.setText(text)

    def setText(self, text: str) -> None:
        self.whole = text
        self._elide()

    def text(self) -> str:
        return self.whole

    def set_lines(self, lines: int) -> None:
        """Reserve room for `lines` lines from now on."""
        if lines != self.lines:
            self.lines = lines
            self._reserve()
            self._elide()

    def _reserve(self) -> None:
        # The height Qt lays that many lines out in: from 14 points up, lines x lineSpacing() fell some
        # pixels short over six lines, and the last one lost its descenders.
        lines = QFontMetrics(self.font()).boundingRect(QRect(0, 0, 1 << 16, 1 << 16), 0, "\n".join(["Xg"] * self.lines))
        margins = self.contentsMargins()
        self.setFixedHeight(lines.height() + margins.top() + margins.bottom())

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        width = max(self.contentsRect().width(), 1)
        whole = self.whole.split("\n")[: self.lines]
        shown = [metrics.elidedText(line, self.cut, width) for line in whole]
        super().setText("\n".join(shown))
        self.setToolTip(self.whole if shown != self.whole.split("\n") else "")

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.height())

    def sizeHint(self) -> QSize:
        return QSize(0, self.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._reserve()
            self._elide()

"""The round trip to the inference thread: the input on show goes out as a question, newest first,
and what comes back is painted on the chart and as heat maps over the input."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStatusBar

from app.answer_panel import AnswerPanel
from app.browser import Browser
from app.canvas import DrawingCanvas
from app.core.session import Session
from app.worker import InferenceWorker
from models.answering import Answer
from models.errors import ModelError
from models.preprocess import ImageLike
from models.registry import DATASETS, Preparation
from models.strokes import Drawing

ERROR_SHOWN_MS = 8000


class Asking(QObject):
    """`shown` fires after the chart shows a new answer, `blanked` after it shows none."""

    shown = Signal()
    blanked = Signal()

    def __init__(
        self,
        session: Session,
        worker: InferenceWorker,
        canvas: DrawingCanvas,
        browser: Browser,
        answers: AnswerPanel,
        status: QStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.worker, self.canvas, self.browser = session, worker, canvas, browser
        self.answers, self.status = answers, status
        self.heat_due = -1  # the version of the input whose question is to bring its heat map
        worker.answered.connect(self._answered)
        session.answered.connect(self._show_answer)

    def predict(self) -> None:
        """The input changed: ask about it now, or as soon as the answer in flight is back."""
        if self.session.questions.changed():
            self._send()

    def _send(self) -> None:
        request = None
        current, why = self._current_input()
        if current is not None:
            image, label, preparation = current
            pen_down = self.session.drawing and self.canvas.drawing
            heat_pass = self.session.questions.version == self.heat_due
            request = self.session.request(image, preparation, label, pen_down, heat_pass)
        if request is None:
            self.session.nothing_to_show()
            self._blank(why)
            return
        self.worker.submit(request)

    def _current_input(self) -> tuple[tuple[ImageLike | Drawing, int | None, Preparation] | None, str]:
        """The input on show (None for none), and why there is none where something is wrong with it."""
        if self.session.drawing:
            return None if self.canvas.is_blank() else (self.canvas.as_drawing(), None, Preparation.DRAWING), ""
        try:
            return self.browser.current(), ""
        except ModelError as error:  # a file that is no picture: said under the empty chart, a sentence a line
            return None, f"No answer: {error}".replace(". ", ".\n")

    def _blank(self, why: str = "") -> None:
        self.answers.blank(DATASETS[self.session.dataset].classes, why)
        self._show_heat(None)
        self.blanked.emit()

    def _answered(self, answer: Answer) -> None:
        if self.session.receive(answer):
            self._send()  # the input moved on meanwhile: ask about the newest before painting
        self.session.show_answer(answer)

    def _show_answer(self, answer: Answer) -> None:
        self.answers.show_answer(answer, self.session.note(answer), self.session.picked())
        self._show_heat(answer)
        if answer.errors:
            self.status.showMessage(" ".join(answer.errors.values()), ERROR_SHOWN_MS)
        self.shown.emit()
        if self.session.heat_to_follow(answer):  # the bars are on show: now the slow heat map
            self.heat_due = self.session.questions.version + 1
            self.predict()

    def _show_heat(self, answer: Answer | None) -> None:
        """The heat map over the drawing or the test image the model input came from, where the lab
        has not moved the model input's pixels (then it shows over the model input alone)."""
        heat = answer.heat if answer is not None and answer.in_place else None
        self.canvas.set_heat(heat, answer.placement if answer is not None else None)
        native = not self.session.drawing and self.browser.test_set_on_show
        self.browser.view.set_heat(heat if native else None)

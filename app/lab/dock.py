"""The lab as a dock beside the chart: the knobs above, the sweep below.

The knobs change the input, and the heat map may be made by occlusion, only while the lab is
open: closed, it leaves the answers as they are.
The sweep waits until the answers have settled (SETTLE_MS without a new one), so that drawing or
dragging a slider is not slowed by a batch of 73 pictures at every step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QDockWidget, QTabWidget, QVBoxLayout, QWidget

from app.core.session import Session
from app.dock_title import DockTitle
from app.lab.attack_panel import AttackPanel
from app.lab.knob_sliders import KnobSliders
from app.lab.patch_view import PatchControls
from app.lab.sweep_plot import SweepPlot
from app.scrolling import VerticalScroll
from models.answering import Answer
from models.knobs import Settings

if TYPE_CHECKING:
    from models.classifier import Classifier

SETTLE_MS = 150


class LabDock(QDockWidget):
    """`explainWanted` asks for the heat map: the occlusion box means nothing without it."""

    explainWanted = Signal()

    def __init__(
        self, session: Session, classifiers: Callable[[], dict[str, Classifier]], parent: QWidget | None = None
    ) -> None:
        super().__init__("Confidence Lab", parent)
        self.setObjectName("lab")
        self.session = session
        self.classifiers = classifiers
        self.knobs = KnobSliders()
        self.patch = PatchControls()
        self.sweep = SweepPlot()
        # Short, so that the lab beside the window still fits a 1024-pixel screen; the tooltip says the rest.
        self.occlusion = QCheckBox("Explain by occlusion")
        self.occlusion.setToolTip(
            "What covering each part of the input costs: the heat map (Explain) shows how far the "
            "class's probability falls as a grey square covers each place; it asks the model only for "
            "answers, so it works alike for every model"
        )
        self.occlusion.toggled.connect(self._occlusion_toggled)
        changing = QWidget()
        column = QVBoxLayout(changing)
        column.addWidget(self.knobs)
        # The sweep under the sliders: on a 1024x700 screen both show at once, a slider's marker
        # moving along the curves, where the square's controls between them pushed the sweep out of view.
        column.addWidget(self.sweep, 1)
        column.addWidget(self.patch)
        column.addWidget(self.occlusion)
        self.attack = AttackPanel()
        self.attack.button.clicked.connect(self._attack)
        self.pages = QTabWidget()
        self.pages.addTab(VerticalScroll(changing), "Change the Input")
        # A tooltip, not a line above the sliders: in presentation letters on a 1024x768 projector
        # its three lines pushed the sweep below the dock's edge.
        self.pages.setTabToolTip(0, "Change the input and watch the answer: the bars follow the sliders")
        self.pages.addTab(VerticalScroll(self.attack), "Fool the Model")
        self.setWidget(self.pages)
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setTitleBarWidget(DockTitle(self))
        self.settle = QTimer(self)
        self.settle.setSingleShot(True)
        self.settle.setInterval(SETTLE_MS)
        self.settle.timeout.connect(self._sweep)
        self.knobs.changed.connect(lambda _: self._apply())
        self.patch.view.moved.connect(lambda _: self._apply())
        self.knobs.reset_button.clicked.connect(lambda: self.patch.view.place(None))
        self.sweep.knob_box.currentIndexChanged.connect(lambda _: self._sweep())
        self.visibilityChanged.connect(self._shown_or_hidden)
        session.answered.connect(lambda _: self._answered())

    def _occlusion_toggled(self, on: bool) -> None:
        if on and not self.session.explaining:
            self.explainWanted.emit()  # ticked with Explain off, it did nothing to be seen
        self._apply()

    def _shown_or_hidden(self, visible: bool) -> None:
        self._apply()
        if visible:
            self._answered()  # the sweep, and the classes to aim at, of the input on show

    def _apply(self) -> None:
        open_ = self.isVisible()
        self.session.set_occluding(open_ and self.occlusion.isChecked())
        self.session.set_knobs(self.settings() if open_ else Settings())

    def settings(self) -> Settings:
        """Every knob's setting and the square the user laid over the input."""
        return replace(self.knobs.settings(), patch=self.patch.view.patch)

    def _on_show(self) -> tuple[Answer, Classifier] | None:
        """The answer on show and the picked model, where that model gave it (not one of the other
        dataset's models, for an answer left from the other tab)."""
        answer, name = self.session.answer, self.session.picked()
        classifier = self.classifiers().get(name) if name else None
        if answer is None or classifier is None or name not in answer.probabilities:
            return None
        return answer, classifier

    def _answered(self) -> None:
        shown = self._on_show()
        if shown is not None:
            answer, classifier = shown
            self.attack.set_dataset(classifier.spec.dataset)
            self.attack.follow(classifier.name, answer.model_input)
            drawn = classifier.spec.dataset.kind == "digits"
            self.knobs.offer_drawing_knobs(drawn)
            self.sweep.offer_drawing_knobs(drawn)
            # What the model sees, knobs and square and all: the square is laid where it lands.
            self.patch.view.set_array(answer.model_input)
        if self.isVisible():
            self.settle.start()

    def show_nothing(self) -> None:
        """The input is gone (a cleared canvas, no model ready): nothing to change or sweep."""
        self.patch.view.set_array(None)
        self.attack.follow(None, None)
        self.sweep.clear()

    def _attack(self) -> None:
        shown = self._on_show()
        model_input = shown[0].model_input if shown is not None else None
        if shown is None or model_input is None:
            self.attack.said.setText("Draw or pick a picture first, with a model ready to answer it.")
            return
        picked = shown[1]
        others = [c for c in self.classifiers().values() if c is not picked and c.spec.dataset is picked.spec.dataset]
        self.attack.make(picked, others, model_input)

    def _sweep(self) -> None:
        shown = self._on_show()
        if shown is None or not self.isVisible():
            return
        answer, classifier = shown
        if answer.unchanged_input is not None:
            self.sweep.follow(classifier, answer.unchanged_input, self.session.knobs)

"""Adversarial pictures in the lab: the input changed by at most epsilon in every pixel until the
picked model answers the target class (models/attack.py), the change magnified beside it, and
whether the same picture fools the dataset's other models. Made on the thread pool."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QPushButton, QSlider, QWidget

from app import tasks
from app.chart import BAR, TOP
from app.class_axis import ClassAxis
from app.escape import lets_go_on_escape
from app.figure_style import in_letters, still
from app.preview import PixelView
from app.scrolling import LeastPlot

if TYPE_CHECKING:
    from models.classifier import Classifier
    from models.registry import DatasetSpec

MOST_LEVELS = 76  # epsilon from 0 to 0.3 of the pixel range, in whole pixel levels as the attack changes them
# Below this top probability a fooled model is not sure of the target either: its bars are nearly
# flat, as vit_mnist's are for a picture unlike any digit, and "fooled" alone would overstate it.
UNSURE = 0.5


def magnified(change: np.ndarray) -> np.ndarray:
    """A picture's change as grey for none, lighter and darker for up and down, stretched to the full range."""
    scale = 127 / max(1, int(np.abs(change).max()))
    return np.clip(128 + change * scale, 0, 255).astype(np.uint8)


def verdict(before: np.ndarray, after: np.ndarray, target: int | None) -> str:
    """Whether a model's probabilities for the adversarial picture (`after`) answer the target, or,
    without one, anything but its answer to the input (`before`); and whether it is sure of it.
    A model moved off its answer, but not to the target, is wrong all the same: "not fooled" would
    tell a class that the picture left it alone."""
    top, was = int(after.argmax()), int(before.argmax())
    fooled = top == target if target is not None else top != was
    unsure = after[top] < UNSURE
    if fooled:
        return "fooled, though unsure" if unsure else "fooled"
    if top != was:
        return "wrong, but not the target"
    return "not fooled, though unsure now" if unsure else "not fooled"


def told(title: str, classes: tuple[str, ...], before: np.ndarray, after: np.ndarray, target: int | None) -> str:
    """One model's answer to the input and to the adversarial picture, and the verdict."""
    was, top = int(before.argmax()), int(after.argmax())
    answers = f"{classes[was]} ({before[was]:.0%}) → {classes[top]} ({after[top]:.0%})"
    return f"{title}: {answers}, {verdict(before, after, target)}"


class SquareView(PixelView):
    """A picture as tall as the column is wide: the room it needs, and no more, beside its twin."""

    def __init__(self) -> None:
        super().__init__()
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width


INVITATION = "Pick a target (or click its bar) and make a picture the model takes for it."
STALE = "The input changed while the picture was being made: make it again."


class AttackPanel(QWidget):
    """`made` fires once an adversarial picture and what the models say of it are on show."""

    made = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target_box = QComboBox()
        self.epsilon = lets_go_on_escape(QSlider(Qt.Orientation.Horizontal))
        self.epsilon.setRange(0, MOST_LEVELS)
        self.epsilon_label = QLabel()
        self.epsilon_label.setWordWrap(True)  # in presentation letters it widened the lab past a 1024-pixel screen
        self.epsilon.valueChanged.connect(lambda _: self._say_epsilon())
        self.epsilon.setToolTip("How far any pixel of the input may change, in levels of 0-255")
        self.button = QPushButton("Make an Adversarial Picture")
        self.button.setToolTip("Starts from the input as the lab's sliders and square have changed it")
        self.picture, self.change = SquareView(), SquareView()
        self.picture.setToolTip("The adversarial picture: what the model is shown")
        self.change.setToolTip("What was changed, magnified: grey for nothing, lighter and darker for up and down")
        for view in (self.picture, self.change):  # the pictures' own edges show, and nothing before one is made
            view.backdrop = None
        self.bars = still(LeastPlot(background=None))
        self.bars.setYRange(0, 100, padding=0.02)
        self.bars.setLabel("left", "%")
        self.bars.setMinimumHeight(120)
        self.class_axis = ClassAxis(self.bars)  # cut to five letters, "automobile" ran into "bird"
        self.bars.setToolTip(
            "The picked model's confidence in each class: grey for the input, orange for the adversarial picture"
        )
        self.before = pg.BarGraphItem(x=[], height=[], width=0.4, brush=BAR, pen=pg.mkPen(None))
        self.after = pg.BarGraphItem(x=[], height=[], width=0.4, brush=TOP, pen=pg.mkPen(None))
        self.bars.addItem(self.before)
        self.bars.addItem(self.after)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self._say_whose("The picked model")
        self.said = QLabel(INVITATION)
        self.said.setWordWrap(True)
        # The slider on a line of its own, under its name and value: beside both, in presentation
        # mode's letters on a 1024-pixel screen, it shrank to its knob, and its name left the target
        # box too narrow for "Any other class". The controls' columns are their own, apart from the
        # pictures' below.
        controls = QGridLayout()
        controls.addWidget(QLabel("Target"), 0, 0)
        controls.addWidget(self.target_box, 0, 1)
        controls.addWidget(self.epsilon_label, 1, 0, 1, 2)
        controls.addWidget(self.epsilon, 2, 0, 1, 2)
        controls.setColumnStretch(1, 1)
        grid = QGridLayout(self)
        grid.addLayout(controls, 0, 0, 1, 2)
        grid.addWidget(self.button, 1, 0, 1, 2)
        for column, title in enumerate(("Adversarial picture", "The change, magnified")):
            heading = QLabel(title)
            heading.setWordWrap(True)  # side by side in presentation mode's letters, they widened the lab
            grid.addWidget(heading, 2, column)
            grid.setColumnStretch(column, 1)  # the two pictures alike
        grid.addWidget(self.picture, 3, 0)
        grid.addWidget(self.change, 3, 1)
        grid.addWidget(self.said, 4, 0, 1, 2)  # the verdict in view beside the pictures, not under the bars
        grid.addWidget(self.legend, 5, 0, 1, 2)
        grid.addWidget(self.bars, 6, 0, 1, 2)
        grid.setRowStretch(6, 1)  # the bars take what the square pictures leave
        self.running: tasks.Task | None = None
        self.dataset: DatasetSpec | None = None  # whose classes are offered as targets
        # The model and input on show, and those of the picture on show: an adversarial picture
        # made for another model or input goes, or it reads as made for this one.
        self.following: tuple[str, bytes] | None = None
        self.made_for: tuple[str, bytes] | None = None
        self._say_epsilon()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # presentation mode: the bars' axis title grows too
            in_letters(self.bars, self.font())

    @property
    def epsilon_value(self) -> float:
        return self.epsilon.value() / 255

    def _say_whose(self, title: str) -> None:
        self.legend.setText(
            f"{html.escape(title)}: "
            f'<span style="color:{BAR.name()}">■</span>&nbsp;the input&nbsp;&nbsp; '
            f'<span style="color:{TOP.name()}">■</span>&nbsp;the adversarial picture'
        )

    def _say_epsilon(self) -> None:
        self.epsilon_label.setText(f"Change each pixel at most {self.epsilon.value()}/255 ({self.epsilon_value:.2f})")

    def set_dataset(self, dataset: DatasetSpec) -> None:
        """Offer the dataset's classes as targets; a new dataset starts from its own epsilon, one that fools
        its models (a digit needs a larger change than a photo), and keeps the user's change after that."""
        if dataset is self.dataset:
            return
        self.dataset = dataset
        self.target_box.clear()
        self.target_box.addItem("Any other class", None)
        for index, name in enumerate(dataset.classes):
            self.target_box.addItem(name, index)
        self.epsilon.setValue(dataset.attack_levels)
        self._forget()  # beside these targets it read as if made for a model of the same name here

    def follow(self, model: str | None, picture: np.ndarray | None) -> None:
        """The picked model and the input it answers (None for none); a picture made for others goes."""
        self.following = (model or "", b"" if picture is None else picture.tobytes())
        if self.made_for is not None and self.made_for != self.following:
            self._forget()

    def _forget(self) -> None:
        """No adversarial picture on show."""
        self.made_for = None
        self.picture.set_array(None)
        self.change.set_array(None)
        self.said.setText(INVITATION)
        self._say_whose("The picked model")
        if self.dataset is not None:
            classes = self.dataset.classes
            self._show_bars(classes, np.zeros(len(classes)), np.zeros(len(classes)))

    def set_target(self, index: int) -> None:
        """A click on a class's bar."""
        if 0 <= index < self.target_box.count() - 1:
            self.target_box.setCurrentIndex(index + 1)

    def make(self, picked: Classifier, others: list[Classifier], picture: np.ndarray) -> None:
        """Fool `picked` on `picture` (its native form), then ask every model what the result shows."""
        if self.running is not None:
            return
        target, epsilon = self.target_box.currentData(), self.epsilon_value

        def job(progress: object, cancelled: object) -> tuple[np.ndarray, list[tuple[str, np.ndarray, np.ndarray]]]:
            adversarial = picked.attack(picture, target, epsilon)
            said = []
            for model in (picked, *others):  # (title, its answers to the picture, and to the adversarial)
                answers = model.predict([picture, adversarial])
                said.append((model.spec.title, answers[0], answers[1]))
            return adversarial, said

        self.button.setEnabled(False)
        self.said.setText(f"Looking for a picture that {picked.spec.title} takes for something else…")
        self.running = tasks.start(
            job,
            lambda result: self._show(picked, picture, target, *result),
            lambda said: self._failed(picked, said),
            self,
        )

    def _show(
        self,
        picked: Classifier,
        picture: np.ndarray,
        target: int | None,
        adversarial: np.ndarray,
        said: list[tuple[str, np.ndarray, np.ndarray]],
    ) -> None:
        self.running = None
        self.button.setEnabled(True)
        if picked.spec.dataset is not self.dataset:  # made for the dataset left meanwhile
            return
        made_for = (picked.name, picture.tobytes())
        if made_for != self.following:
            self.said.setText(STALE)
            return
        self.made_for = made_for
        self.picture.set_array(adversarial)
        self.change.set_array(magnified(adversarial.astype(int) - picture.astype(int)))
        self._show_bars(picked.classes, said[0][1], said[0][2])
        self._say_whose(picked.spec.title)
        lines = [told(title, picked.classes, before, after, target) for title, before, after in said]
        self.said.setText("\n".join(lines))
        self.made.emit()

    def _show_bars(self, classes: tuple[str, ...], before: np.ndarray, after: np.ndarray) -> None:
        """The picked model's answer to the input (grey) and to the adversarial picture (orange), class by class."""
        x = np.arange(len(classes))
        self.before.setOpts(x=x - 0.2, height=before * 100)
        self.after.setOpts(x=x + 0.2, height=after * 100)
        self.bars.setXRange(-0.6, len(classes) - 0.4, padding=0)
        self.class_axis.set_classes(classes)

    def _failed(self, picked: Classifier, message: str) -> None:
        self.running = None
        self.button.setEnabled(True)
        if picked.spec.dataset is self.dataset:  # else it is news of the dataset left meanwhile
            self.said.setText(f"No adversarial picture: {message}")

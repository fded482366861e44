"""A slider per knob of models.knobs, notched at the knob's step, and a button back to rest."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSlider, QWidget

from app.escape import lets_go_on_escape
from models.knobs import Knob, Settings

# Which way a positive setting goes, where the name does not say it (models/perturb.py).
DIRECTIONS = {
    Knob.ROTATE: "+ turns it anticlockwise",
    Knob.SHIFT_X: "+ moves it right",
    Knob.SHIFT_Y: "+ moves it down",
}


def in_percent(knob: Knob) -> bool:
    """Whether the knob's value is a share (of the width, of the pixel range), said in percent."""
    return knob.unit.startswith("of the")


def said(knob: Knob, value: float) -> str:
    if knob.unit == "degrees":
        return f"{value:+.0f}°"
    if knob.unit == "times":
        return f"×{value:.2f}"
    if knob.unit.startswith("pixels"):
        return f"{value:+.1f} px" if knob.low < 0 else f"{value:.1f} px"
    return f"{value:+.0%}" if knob.low < 0 else f"{value:.0%}"


class KnobSliders(QWidget):
    """`changed` carries the settings of every knob whenever one moves."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        self.sliders: dict[Knob, QSlider] = {}
        self.values: dict[Knob, QLabel] = {}
        self.titles: dict[Knob, QLabel] = {}
        for row, knob in enumerate(Knob):
            slider = lets_go_on_escape(QSlider(Qt.Orientation.Horizontal))
            slider.setRange(0, knob.steps)
            slider.setValue(knob.notch(knob.neutral))
            slider.setObjectName(knob.field)
            direction = f"; {DIRECTIONS[knob]}" if knob in DIRECTIONS else ""
            slider.setToolTip(f"{knob.title}: {knob.low:g} to {knob.high:g} {knob.unit}{direction}")
            value = QLabel(said(knob, knob.neutral))
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance("+100%  "))
            slider.valueChanged.connect(lambda notch, knob=knob: self._moved(knob, notch))
            title = QLabel(knob.title)
            grid.addWidget(title, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(value, row, 2)
            self.sliders[knob], self.values[knob], self.titles[knob] = slider, value, title
        self.reset_button = QPushButton("Back to the Input as It Is")
        self.reset_button.clicked.connect(self.reset)
        grid.addWidget(self.reset_button, len(Knob), 0, 1, 3)

    def offer_drawing_knobs(self, drawn: bool) -> None:
        """Show the knobs for drawings (stroke width) only where the input is drawn ink; a knob
        hidden goes back to rest."""
        for knob in Knob:
            if knob.for_drawings_only:
                for widget in (self.titles[knob], self.sliders[knob], self.values[knob]):
                    widget.setVisible(drawn)
                if not drawn and self.sliders[knob].value() != knob.notch(knob.neutral):
                    self.turn(knob, knob.neutral)

    def settings(self) -> Settings:
        values: dict[str, Any] = {knob.field: knob.at(slider.value()) for knob, slider in self.sliders.items()}
        return Settings(**values)

    def turn(self, knob: Knob, value: float) -> None:
        """Move one slider, as a hand would."""
        self.sliders[knob].setValue(knob.notch(value))

    def reset(self) -> None:
        for knob, slider in self.sliders.items():
            slider.blockSignals(True)
            slider.setValue(knob.notch(knob.neutral))
            slider.blockSignals(False)
            self.values[knob].setText(said(knob, knob.neutral))
        self.changed.emit(self.settings())

    def _moved(self, knob: Knob, notch: int) -> None:
        self.values[knob].setText(said(knob, knob.at(notch)))
        self.changed.emit(self.settings())

"""The knobs that change an input before the models see it: what each does, its range and its
resting place, and the settings of them all. Plain data, without torch, so that the window can
hold them before torch has loaded; models/perturb.py applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import numpy as np


class Knob(Enum):
    """A way to change the picture: (lowest, highest, neutral, unit, step), the step being a
    slider's notch; the neutral value is a whole number of steps from the lowest."""

    ROTATE = (-180.0, 180.0, 0.0, "degrees", 5.0)
    SHIFT_X = (-0.5, 0.5, 0.0, "of the width", 0.02)
    SHIFT_Y = (-0.5, 0.5, 0.0, "of the height", 0.02)
    SCALE = (0.4, 2.0, 1.0, "times", 0.05)
    BLUR = (0.0, 3.0, 0.0, "pixels", 0.1)
    NOISE = (0.0, 0.5, 0.0, "of the pixel range", 0.01)
    BRIGHTNESS = (-1.0, 1.0, 0.0, "of the pixel range", 0.02)
    CONTRAST = (0.0, 3.0, 1.0, "times", 0.05)
    STROKE_WIDTH = (-1.0, 2.0, 0.0, "pixels on each side", 0.1)  # ink grown or worn away; for drawings

    @property
    def low(self) -> float:
        return self.value[0]

    @property
    def high(self) -> float:
        return self.value[1]

    @property
    def neutral(self) -> float:
        return self.value[2]

    @property
    def unit(self) -> str:
        return self.value[3]

    @property
    def step(self) -> float:
        return self.value[4]

    @property
    def steps(self) -> int:
        """Notches from the lowest value to the highest."""
        return round((self.high - self.low) / self.step)

    def at(self, notch: int) -> float:
        """The value at a notch, 0 being the lowest."""
        return round(self.low + notch * self.step, 6)

    def notch(self, value: float) -> int:
        return round((value - self.low) / self.step)

    @property
    def for_drawings_only(self) -> bool:
        """Whether the knob means something only for light ink on a dark field."""
        return self is Knob.STROKE_WIDTH

    @property
    def moves_pixels(self) -> bool:
        """Whether the knob moves what is where in the picture, rather than changing its values."""
        return self in (Knob.ROTATE, Knob.SHIFT_X, Knob.SHIFT_Y, Knob.SCALE)

    @property
    def title(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def field(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Patch:
    """A square that hides part of the picture: its centre and side as shares of the picture's side."""

    x: float
    y: float
    side: float


@dataclass(frozen=True)
class Settings:
    rotate: float = 0.0
    shift_x: float = 0.0
    shift_y: float = 0.0
    scale: float = 1.0
    blur: float = 0.0
    noise: float = 0.0
    brightness: float = 0.0
    contrast: float = 1.0
    stroke_width: float = 0.0
    patch: Patch | None = None

    def turned(self, knob: Knob, value: float) -> Settings:
        """These settings with one knob turned to `value`."""
        changes: dict[str, Any] = {knob.field: value}
        return replace(self, **changes)

    @property
    def neutral(self) -> bool:
        return self == Settings()

    @property
    def in_place(self) -> bool:
        """Whether every part of the picture stays where it was: no knob that moves pixels is turned."""
        return all(getattr(self, knob.field) == knob.neutral for knob in Knob if knob.moves_pixels)

    def __post_init__(self) -> None:
        for knob in Knob:
            value = getattr(self, knob.field)
            if not knob.low <= value <= knob.high:
                raise ValueError(f"{knob.field} goes from {knob.low:g} to {knob.high:g} {knob.unit}; got {value:g}.")


def sweep_settings(knob: Knob, steps: int, base: Settings | None = None) -> tuple[np.ndarray, list[Settings]]:
    """`steps` values of one knob evenly over its whole range, each with the rest of `base`."""
    values = np.linspace(knob.low, knob.high, steps)
    base = base or Settings()
    return values, [base.turned(knob, float(value)) for value in values]

"""Every compared model's heat map for the same input, side by side."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.preview import PixelView
from models.answering import Answer
from models.registry import MODELS

# In the words of the checkbox and the toolbar, with the keys that do the same.
ASK = "Turn on Compare all (Ctrl+M) and Explain (Ctrl+E): each model's heat map then shows here, for the same input."


class HeatView(PixelView):
    """A model's heat map, MAP_HEIGHT pixels tall where the dock has room; in a short one (beside the
    Lab) it shrinks, to 56 pixels, where a fixed height covered the captions that say whose map it is."""

    MAP_HEIGHT = 180

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(minimum=56, parent=parent)
        self.setMaximumHeight(self.MAP_HEIGHT)

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.MAP_HEIGHT)


class SideBySide(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel(ASK)
        self.note.setWordWrap(True)
        self.grid = QGridLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        self.views: dict[str, tuple[PixelView, QLabel]] = {}

    def show_answer(self, answer: Answer | None) -> None:
        heats: dict[str, np.ndarray] = {}
        if answer is not None and answer.model_input is not None:
            # In the order of the chart's legend, not the explained model first.
            heats = {name: answer.heats[name] for name in answer.probabilities if name in answer.heats}
        if set(heats) != set(self.views):
            self._build(list(heats))
        if not heats or answer is None:
            self.note.setText(ASK)
            return
        method = "what covering each part costs" if answer.occlusion else "where each model looked"
        clicked = answer.explained is not None and answer.target != int(
            np.argmax(answer.probabilities[answer.explained])
        )
        chosen = f", {MODELS[answer.explained].title}'s for the class clicked" if clicked and answer.explained else ""
        self.note.setText(f"Heat maps side by side: {method}, each for its own answer{chosen}.")
        for name, heat in heats.items():
            view, caption = self.views[name]
            view.set_array(answer.model_input)
            view.set_heat(heat)
            probabilities = answer.probabilities[name]
            # The explained model's map is for the class whose bar was clicked, the others' for their answer.
            shown = int(np.argmax(probabilities))
            if name == answer.explained and answer.target is not None:
                shown = answer.target
            spec = MODELS[name]
            caption.setText(f"{spec.title}\n{spec.classes[shown]} ({probabilities[shown]:.0%})")

    def _build(self, names: list[str]) -> None:
        for view, caption in self.views.values():
            for widget in (view, caption):
                widget.hide()  # at once; deleted when the event loop comes round
                widget.deleteLater()
        self.views = {}
        for column in range(self.grid.columnCount()):  # an empty column left stretched would keep room
            self.grid.setColumnStretch(column, 0)
        for column, name in enumerate(names):
            view = HeatView()
            # The model's title above its answer, each wrapped: three captions on one line made the
            # dock wider than a 1024-pixel screen in presentation mode. Above the map, so that whose
            # map it is still shows where a short dock cuts the maps off.
            caption = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
            caption.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
            self.grid.setColumnStretch(column, 1)  # every model's map as large as the others
            self.grid.addWidget(caption, 0, column)
            self.grid.addWidget(view, 1, column)
            self.views[name] = (view, caption)

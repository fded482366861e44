"""Inside the network, as a dock beside the chart: the layers, the map of the test set with the
nearest neighbours, and the compared models' heat maps side by side.

While it is open, the session asks for the picked model's insides with every answer (the place
on the map follows the pen; the layers wait for it to lift); closed, nothing more is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from app.core.session import Session
from app.inside.layer_view import LayerView
from app.inside.map_view import MapView
from app.inside.side_by_side import SideBySide
from models.answering import NEIGHBOURS, Answer
from models.datasets import ImageSet
from models.registry import MODELS

if TYPE_CHECKING:
    from models.classifier import Classifier


class InsideDock(QDockWidget):
    """`opened(dataset, index)` asks the window to show a test image in the browser."""

    opened = Signal(str, int)

    def __init__(
        self,
        session: Session,
        classifiers: Callable[[], dict[str, Classifier]],
        test_set: Callable[[str], ImageSet | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Inside the Network", parent)
        self.setObjectName("inside")
        self.session = session
        self.classifiers = classifiers
        self.test_set = test_set
        self.layers = LayerView()
        self.map = MapView(NEIGHBOURS)
        self.map.opened.connect(self._open)
        self.side_by_side = SideBySide()
        self.pages = QTabWidget()
        self.pages.addTab(self.layers, "Layers")
        self.pages.addTab(self.map, "Map and Neighbours")
        self.pages.addTab(self.side_by_side, "Side by Side")
        self.setWidget(self.pages)
        self.answer: Answer | None = None  # the latest, for the page turned to next
        self.pages.currentChanged.connect(lambda _: self.show_answer(self.answer))
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea)
        self.visibilityChanged.connect(self._shown_or_hidden)
        session.answered.connect(self.show_answer)
        session.choice_changed.connect(lambda _: self.show_answer(session.answer))

    def show_answer(self, answer: Answer | None) -> None:
        """Draw what the answer carries of the picked model's insides, on the page on show; the
        other pages draw it when they are turned to."""
        self.answer = answer
        name = self.session.picked()
        classifier = self.classifiers().get(name) if name else None
        if classifier is None or name is None or not self.isVisible():
            return
        spec = MODELS[name]
        ours = answer is not None and answer.inside == name
        page = self.pages.currentWidget()
        if page is self.map:
            self.map.show_map(name, spec.title, classifier.data_map, spec.classes, classifier.card.feature_map)
            self.map.show_place(answer.places.get(name) if answer is not None and ours else None)
            if answer is None or ours and answer.neighbours is not None:  # else they wait for the pen to lift
                nearest = answer.neighbours if answer is not None else None
                self.map.show_neighbours(nearest, self.test_set(spec.dataset.name), spec.classes)
        elif page is self.layers:
            if answer is None:
                self.layers.show_inside(None, None, spec.title)
            elif ours and answer.layers is not None:  # else the pen is down: the layers wait for it to lift
                self.layers.show_inside(answer.layers, answer.model_input, spec.title)
        else:
            self.side_by_side.show_answer(answer)

    def _shown_or_hidden(self, visible: bool) -> None:
        self.session.set_looking_inside(visible)
        if visible:
            self.show_answer(self.session.answer)

    def _open(self, index: int) -> None:
        if self.map.shown is not None:
            self.opened.emit(MODELS[self.map.shown].dataset.name, index)

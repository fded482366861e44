"""Inside the network, as a dock beside the chart: the layers, the map of the test set with the
nearest neighbours, and the compared models' heat maps side by side.

While it is open, the session asks with every answer for what its page on show draws of the
picked model (the place on the map follows the pen; the layers, the neighbours and the heat maps
side by side wait for it to lift); closed, or behind another dock, nothing more is computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from app.core.session import InsidePage, Session
from app.dock_title import DockTitle
from app.inside.layer_view import LayerView
from app.inside.map_view import MapView
from app.inside.side_by_side import SideBySide
from models.answering import NEIGHBOURS, Answer
from models.datasets import ImageSet
from models.registry import MODELS, ModelSpec

PAGES = (InsidePage.LAYERS, InsidePage.MAP, InsidePage.SIDE_BY_SIDE)  # in the order of the tabs

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
        # One word: "Map and Neighbours" pushed the tabs off a 1024-pixel screen in presentation mode.
        self.pages.addTab(self.map, "Map")
        self.pages.setTabToolTip(1, "The test set placed by the model's last layer, and the test images nearest yours")
        self.pages.addTab(self.side_by_side, "Side by Side")
        self.setWidget(self.pages)
        self.answer: Answer | None = None  # the latest, for the page turned to next
        self.pages.currentChanged.connect(lambda _: self._turned())
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setTitleBarWidget(DockTitle(self))
        self.visibilityChanged.connect(lambda _: self._turned())
        session.answered.connect(self.show_answer)
        session.choice_changed.connect(lambda _: self.show_answer(session.answer))

    @property
    def page(self) -> InsidePage | None:
        """The page on show; None while the dock is closed or hidden behind another."""
        return PAGES[self.pages.currentIndex()] if self.isVisible() else None

    def show_answer(self, answer: Answer | None) -> None:
        """Draw what the answer carries for the page on show; the other pages draw theirs when
        they are turned to (and asked for)."""
        self.answer = answer
        name = self.session.picked()
        classifier = self.classifiers().get(name) if name else None
        page = self.page
        if classifier is None or name is None or page is None:
            return
        spec = MODELS[name]
        ours = answer is not None and answer.looked_into == name
        if page is InsidePage.MAP:
            self.map.show_map(name, spec.title, classifier.data_map, spec.classes, classifier.card.feature_map)
            self.map.show_place(answer.place if answer is not None and ours else None)
            if answer is None or ours and answer.neighbours is not None:  # else they wait for the pen to lift
                self.map.show_neighbours(answer.neighbours if answer is not None else None, self._test_set(spec))
        elif page is InsidePage.LAYERS:
            if answer is None:
                self.layers.show_layers(None, None, spec.title)
            elif ours and answer.layers is not None:  # else they wait for the pen to lift
                self.layers.show_layers(answer.layers, answer.model_input, spec.title)
        elif answer is None or answer.heats or not (self.session.compare and self.session.explaining):
            self.side_by_side.show_answer(answer)  # else the heat maps wait for the pen to lift

    def _test_set(self, spec: ModelSpec) -> ImageSet | None:
        """The model's test set, where it has been read and is the very one its map was made of."""
        image_set = self.test_set(spec.dataset.name)
        data_map = self.classifiers()[spec.name].data_map
        if image_set is None or data_map is None or image_set.fingerprint != data_map.test_set:
            return None
        return image_set

    def _turned(self) -> None:
        """The dock opened, closed, or turned to another page: ask for what it now shows."""
        self.session.set_inside_page(self.page)
        if self.page is not None:
            self.show_answer(self.session.answer)

    def _open(self, index: int) -> None:
        """Open a test image, unless the test set read from the data folder is not the one mapped."""
        if self.map.shown is None:
            return
        spec = MODELS[self.map.shown]
        read = self.test_set(spec.dataset.name)
        if read is not None and self._test_set(spec) is None:
            self.map.say_other_test_set(spec.dataset.title)
            return
        self.opened.emit(spec.dataset.name, index)

"""The compute device: a menu to move the models, and a label in the status bar saying where they run."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QMenu

from models.device import KINDS


class DeviceMenu(QObject):
    """`chosen` fires with the kind of device the user picked ("cuda", "mps", "cpu")."""

    chosen = Signal(str)

    def __init__(self, menu: QMenu, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("device: …")
        self.device = "…"  # where the models run
        self.group = QActionGroup(self)
        for kind in KINDS:
            action = QAction("Apple MPS" if kind == "mps" else kind.upper(), self, checkable=True)
            action.setData(kind)
            action.setEnabled(False)  # until the models say which kinds this machine has
            action.triggered.connect(lambda _=False, k=kind: self._choose(k))
            self.group.addAction(action)
            menu.addAction(action)

    def _choose(self, kind: str) -> None:
        """The device the models are on already is no move: reloading every model takes seconds."""
        if not self.device.startswith(kind):
            self.chosen.emit(kind)

    def show(self, device: str, usable: list[str] | None = None) -> None:
        """The models run on `device`; `usable` lists the kinds that can be chosen, where known."""
        self.device = device
        self.label.setText(f"device: {device}")
        for action in self.group.actions():
            if usable is not None:
                action.setEnabled(action.data() in usable)
            action.setChecked(device.startswith(action.data()))

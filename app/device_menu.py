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
        self.group = QActionGroup(self)
        for kind in KINDS:
            action = QAction("Apple MPS" if kind == "mps" else kind.upper(), self, checkable=True)
            action.setData(kind)
            action.setEnabled(False)  # until the models say which kinds this machine has
            action.triggered.connect(lambda _=False, k=kind: self.chosen.emit(k))
            self.group.addAction(action)
            menu.addAction(action)

    def show(self, device: str, usable: list[str] | None = None) -> None:
        """The models run on `device`; `usable` lists the kinds that can be chosen, where known."""
        self.label.setText(f"device: {device}")
        for action in self.group.actions():
            if usable is not None:
                action.setEnabled(action.data() in usable)
            action.setChecked(device.startswith(action.data()))

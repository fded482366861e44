"""Every menu entry, toolbar button and shortcut of the window, declared in one table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QMainWindow, QMenu, QToolBar


class Tab(Enum):
    DRAW = 0
    BROWSE = 1


@dataclass(frozen=True)
class ActionSpec:
    name: str  # the key of its slot, and of the QAction in the window's `actions` dict
    text: str
    keys: tuple[str, ...]
    menu: str
    toolbar: bool = False
    checkable: bool = False
    tip: str = ""
    tab: Tab | None = None  # offered only while this tab is on show
    group_start: bool = False  # a separator before it in the toolbar


ACTIONS = (
    ActionSpec("open_files", "Open Files…", ("Ctrl+O",), "&File", toolbar=True),
    ActionSpec("open_folder", "Open Folder…", ("Ctrl+Shift+O",), "&File"),
    ActionSpec("paste", "Paste Image", ("Ctrl+V",), "&File", tip="Add a copied picture to My images"),
    ActionSpec("export", "Export Input and Chart…", ("Ctrl+S",), "&File", toolbar=True),
    ActionSpec("quit", "Quit", ("Ctrl+Q",), "&File"),
    # Only on the Draw tab: Esc pressed while browsing must not wipe a drawing out of sight.
    ActionSpec("clear", "Clear", ("Esc", "Delete"), "&Edit", toolbar=True, tab=Tab.DRAW, group_start=True),
    ActionSpec("undo", "Undo", ("Ctrl+Z",), "&Edit", toolbar=True, tab=Tab.DRAW),
    ActionSpec("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "&Edit", toolbar=True, tab=Tab.DRAW),
    ActionSpec("previous", "Previous Image", ("Left", "PgUp"), "&Browse", True, tab=Tab.BROWSE, group_start=True),
    ActionSpec("next", "Next Image", ("Right", "PgDown"), "&Browse", toolbar=True, tab=Tab.BROWSE),
    ActionSpec("random", "Random Image", ("R",), "&Browse", toolbar=True, tab=Tab.BROWSE),
    ActionSpec("show_draw", "Draw", ("Ctrl+1",), "&View"),
    ActionSpec("show_browse", "Browse", ("Ctrl+2",), "&View"),
    ActionSpec(
        "compare", "Compare Models", ("Ctrl+M",), "&View", tip="Every model of this dataset predicts the same input"
    ),
    ActionSpec(
        "explain",
        "Explain",
        ("Ctrl+E",),
        "&View",
        toolbar=True,
        checkable=True,
        tip="Show where the model looked; click a bar to explain that class",
        group_start=True,
    ),
    ActionSpec(
        "calibrated",
        "Calibrated",
        ("Ctrl+K",),
        "&View",
        toolbar=True,
        checkable=True,
        tip="Logits divided by the temperature fitted on held-out data, so that confidence matches accuracy",
    ),
    ActionSpec("presentation", "Presentation Mode", ("Ctrl+P",), "&View", True, True, group_start=True),
    ActionSpec("full_screen", "Full Screen", ("F11",), "&View", toolbar=True),
    ActionSpec("report", "Model Report…", ("Ctrl+I",), "&View", toolbar=True),
    ActionSpec(
        "lab",
        "Confidence Lab",
        ("Ctrl+L",),
        "&View",
        toolbar=True,
        checkable=True,
        tip="Change the input with sliders and watch the answer; sweep a slider through its range",
    ),
    ActionSpec(
        "inside",
        "Inside the Network",
        ("Ctrl+J",),
        "&View",
        toolbar=True,
        checkable=True,
        tip="Every layer of the picked model as you draw, its map of the test set, and the nearest test images",
    ),
    ActionSpec("help", "Keyboard Shortcuts", ("F1",), "&Help"),
)
MENUS = ("&File", "&Edit", "&Browse", "&View", "&Device", "&Help")


def plain(text: str) -> str:
    """A menu entry's text without its mnemonic and the ellipsis that promises a dialog."""
    return text.replace("&", "").rstrip("…")


def shortcut_text(action: QAction) -> str:
    return ", ".join(key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts())


class Actions:
    """The window's actions, built from ACTIONS, each connected to the slot of its name."""

    def __init__(self, window: QMainWindow, slots: Mapping[str, Callable[[], object]]) -> None:
        self.toolbar = QToolBar("Tools")
        self.toolbar.setObjectName("tools")
        window.addToolBar(self.toolbar)
        self.menus: dict[str, QMenu] = {title: window.menuBar().addMenu(title) for title in MENUS}
        self.by_name: dict[str, QAction] = {}
        self.specs = {spec.name: spec for spec in ACTIONS}
        for spec in ACTIONS:
            action = QAction(spec.text, window, checkable=spec.checkable)
            action.setShortcuts([QKeySequence(key) for key in spec.keys])
            tip = spec.tip or plain(spec.text)
            action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            # A checkable action acts on every change of its state, by a click, a key or the code.
            (action.toggled if spec.checkable else action.triggered).connect(slots[spec.name])
            self.menus[spec.menu].addAction(action)
            if spec.toolbar:
                if spec.group_start:
                    self.toolbar.addSeparator()
                self.toolbar.addAction(action)
            window.addAction(action)  # shortcuts work even with the toolbar hidden
            self.by_name[spec.name] = action

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]

    def lend_tooltips(self, buttons: Mapping[str, QAbstractButton]) -> None:
        """Buttons that do what an action does say what it does, and its shortcut, too."""
        for name, button in buttons.items():
            button.setToolTip(self[name].toolTip())

    def show_tab(self, tab: Tab) -> None:
        """Offer the actions of the tab on show, and hide the menus left empty."""
        for name, action in self.by_name.items():
            wanted = self.specs[name].tab
            action.setEnabled(wanted in (None, tab))
            action.setVisible(wanted in (None, tab))
        for menu in self.menus.values():
            menu.menuAction().setVisible(any(action.isVisible() for action in menu.actions()))

    def help_html(self) -> str:
        """Every shortcut and what it does, as an HTML table."""
        rows = [
            f"<tr><td><b>{shortcut_text(action)}</b></td><td>{plain(action.text())}</td></tr>"
            for action in self.by_name.values()
        ]
        return "<table cellspacing=6>" + "".join(rows) + "</table>"

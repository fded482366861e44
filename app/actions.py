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
    short: str = ""  # the toolbar's word for it, where the menu's text is longer; the tooltip says the rest


ACTIONS = (
    ActionSpec("open_files", "Open Files…", ("Ctrl+O",), "&File", toolbar=True, short="Open"),
    ActionSpec("open_folder", "Open Folder…", ("Ctrl+Shift+O",), "&File"),
    ActionSpec("paste", "Paste Image", ("Ctrl+V",), "&File", tip="Add a copied picture to My images"),
    ActionSpec("export", "Export Input and Chart…", ("Ctrl+S",), "&File", toolbar=True, short="Export"),
    ActionSpec("quit", "Quit", ("Ctrl+Q",), "&File"),
    # Only on the Draw tab: Esc pressed while browsing must not wipe a drawing out of sight.
    ActionSpec("clear", "Clear", ("Esc", "Delete"), "&Edit", toolbar=True, tab=Tab.DRAW, group_start=True),
    ActionSpec("undo", "Undo", ("Ctrl+Z",), "&Edit", toolbar=True, tab=Tab.DRAW),
    ActionSpec("redo", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "&Edit", toolbar=True, tab=Tab.DRAW),
    # The menu and keys only: the browser's own arrows and Random button sit beside the picture.
    ActionSpec("previous", "Previous Image", ("Left", "PgUp"), "&Browse", tab=Tab.BROWSE),
    ActionSpec("next", "Next Image", ("Right", "PgDown"), "&Browse", tab=Tab.BROWSE),
    ActionSpec("random", "Random Image", ("R",), "&Browse", tab=Tab.BROWSE),
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
    ActionSpec(
        "presentation", "Presentation Mode", ("Ctrl+P",), "&View", True, True, group_start=True, short="Presentation"
    ),
    # F11 and the View menu only: with it the toolbar overflowed a 1024-pixel screen in presentation mode.
    ActionSpec("full_screen", "Full Screen", ("F11",), "&View"),
    ActionSpec("report", "Model Report…", ("Ctrl+I",), "&View", toolbar=True, short="Report"),
    ActionSpec(
        "lab",
        "Confidence Lab",
        ("Ctrl+L",),
        "&View",
        toolbar=True,
        checkable=True,
        tip="Change the input with sliders and watch the answer; sweep a slider through its range",
        short="Lab",
    ),
    ActionSpec(
        "inside",
        "Inside the Network",
        ("Ctrl+J",),
        "&View",
        toolbar=True,
        checkable=True,
        tip="Every layer of the picked model as you draw, its map of the test set, and the nearest test images",
        short="Inside",
    ),
    ActionSpec("help", "Keyboard Shortcuts", ("F1",), "&Help"),
)
# The dialog of shortcuts keeps each entry on one line: "Export Input and Chart" broke in two.
NOWRAP = ' style="white-space: nowrap"'
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
        self.separators: dict[str, QAction] = {}  # by the action whose group each one opens
        for spec in ACTIONS:
            action = QAction(spec.text, window, checkable=spec.checkable)
            if spec.short:
                action.setIconText(spec.short)  # what a toolbar button shows
            action.setShortcuts([QKeySequence(key) for key in spec.keys])
            tip = spec.tip or plain(spec.text)
            action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
            # A checkable action acts on every change of its state, by a click, a key or the code.
            (action.toggled if spec.checkable else action.triggered).connect(slots[spec.name])
            self.menus[spec.menu].addAction(action)
            if spec.toolbar:
                if spec.group_start:
                    self.separators[spec.name] = self.toolbar.addSeparator()
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
            if name in self.separators:  # a hidden group leaves no second line beside the next
                self.separators[name].setVisible(wanted in (None, tab))
        for menu in self.menus.values():
            menu.menuAction().setVisible(any(action.isVisible() for action in menu.actions()))

    def help_html(self) -> str:
        """Every shortcut and what it does, as an HTML table of two halves side by side, split where
        a menu ends: in one column the dialog stood taller than a 700-pixel screen in presentation mode."""
        cells = [
            f"<td{NOWRAP}><b>{shortcut_text(action)}</b></td><td{NOWRAP}>{plain(action.text())}</td>"
            for action in self.by_name.values()
        ]
        ends = [index for index, spec in enumerate(ACTIONS[:-1], 1) if spec.menu != ACTIONS[index].menu]
        half = min(ends, key=lambda end: abs(2 * end - len(cells)))
        left, right = cells[:half], cells[half:]
        rows = [
            f"<tr>{left[row] if row < len(left) else '<td></td><td></td>'}<td width=24></td>"
            f"{right[row] if row < len(right) else ''}</tr>"
            for row in range(max(len(left), len(right)))
        ]
        return "<table cellspacing=6>" + "".join(rows) + "</table>"

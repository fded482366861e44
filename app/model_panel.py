"""The model picker above the chart, and the panel below it that says what the picked model is."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QWidget

from app.core.session import Session
from app.labels import ElidedLabel
from models.card import Card
from models.registry import DATASETS, MODELS, available, for_dataset

LOADING = "Loading the models…"  # the info panel until the first load ends
INFO_LINES = 8  # name, architecture, parameters, test accuracy, pen digits, training, device; one spare


def describe(card: Card, device: str) -> str:
    """What the info panel says about a model: all of it from its card."""
    spec = MODELS[card.model]
    lines = [f"{card.title or spec.title or card.model} ({card.model})"]
    if spec.arch_options:
        lines.append(", ".join(f"{key.replace('_', ' ')} {value}" for key, value in spec.arch_options.items()))
    if card.parameters is not None:
        lines.append(f"{card.parameters:,} parameters")
    if card.test is not None:
        lines.append(f"test accuracy {card.test.accuracy * 100:.2f}% on the {card.test_set or 'test set'}")
    if card.pen_digits is not None:
        pen = card.pen_digits
        lines.append(f"{pen.accuracy * 100:.2f}% on pen-drawn digits of {len(pen.writers)} writers it never saw")
    runs = card.runs()
    if runs:
        epochs, seconds = card.training_length()
        lines.append(f"trained {epochs} epochs, {seconds / 60:.0f} min on {runs[-1].device or '?'}")
    lines.append(f"running on {device}")
    return "\n".join(lines)


def why_none(session: Session) -> str:
    """Why no model is offered for the input on show, and what to do."""
    if session.starting:
        return LOADING
    title = DATASETS[session.dataset].title
    names = for_dataset(session.dataset)
    if any(name in available() for name in names):
        return f"The {title} models could not be loaded;\nthe status bar says why."
    return f"No trained {title} model yet. Train one:\n{MODELS[names[0]].train_command()}"


class ModelPicker(QWidget):
    """The models offered for the input on show; `picked` fires with the user's choice."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QComboBox()
        self.box.setToolTip("The model that classifies the input")
        self.box.setAccessibleName("Model")
        self.box.activated.connect(lambda: self.picked.emit(self.box.currentData()))
        # Short, and no "Model" label before the box: beside a dock, the row must fit a 1024-pixel
        # projector in presentation mode's letters, where the label left the box "MNIS".
        self.compare = QCheckBox("Compare all")
        self.compare.setToolTip("Every model of this dataset answers the same input, side by side (Ctrl+M)")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box, 1)
        row.addWidget(self.compare)

    def show_offer(self, session: Session) -> None:
        """Offer the session's models for the input on show, the picked one current."""
        with QSignalBlocker(self.box):
            self.box.clear()
            for name in session.offered():
                # The title alone: with its file name too, a 1024-pixel window cut it to "MNIST CI".
                self.box.addItem(MODELS[name].title, name)
                self.box.setItemData(
                    self.box.count() - 1, f"{MODELS[name].title} ({name})", Qt.ItemDataRole.ToolTipRole
                )
            self.box.setCurrentIndex(max(self.box.findData(session.picked()), 0))

    def current(self) -> str | None:
        return self.box.currentData()

    def pick(self, name: str) -> bool:
        """Pick `name` as a user would; False where it is not offered."""
        index = self.box.findData(name)
        if index < 0:
            return False
        self.box.setCurrentIndex(index)
        self.picked.emit(name)
        return True


class ModelInfo(ElidedLabel):
    """What the picked model is, how well it does and where it runs; or why there is none. A line
    per fact, each cut short where the panel is narrow (the whole of it in the tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(LOADING, lines=INFO_LINES, parent=parent)
        self.setObjectName("modelInfo")
        self.setAlignment(Qt.AlignmentFlag.AlignTop)

    def show_choice(self, session: Session) -> None:
        name = session.picked()
        self.setText(describe(session.cards[name], session.device) if name else why_none(session))

"""What the app remembers between launches: every key of its QSettings, in one place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from models.datasets import DEFAULT_ROOT
from models.registry import DATASETS


class PathSetting:
    """A folder kept as an absolute path: a launch from another folder must find the same one."""

    def __init__(self, key: str, default: Callable[[], Path]) -> None:
        self.key, self.default = key, default

    def __get__(self, settings: Settings, owner: type | None = None) -> Path:
        return Path(str(settings.store.value(self.key, str(self.default()))))

    def __set__(self, settings: Settings, folder: Path) -> None:
        settings.store.setValue(self.key, str(Path(folder).expanduser().resolve()))


class Settings:
    """Typed access to the user's visionlab settings (an INI file in the user's config folder)."""

    data_dir = PathSetting("data_dir", lambda: DEFAULT_ROOT)  # read when asked: tests point it elsewhere
    folder = PathSetting("folder", Path.home)  # where the user's own pictures last came from
    export_dir = PathSetting("export_dir", Path.home)

    def __init__(self) -> None:
        self.store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "visionlab", "visionlab")

    @property
    def presentation(self) -> bool:
        return bool(self.store.value("presentation", False, type=bool))

    @presentation.setter
    def presentation(self, on: bool) -> None:
        self.store.setValue("presentation", on)

    def chosen_models(self) -> dict[str, str]:
        """dataset -> the model last chosen for it."""
        chosen = {name: self.store.value(f"model/{name}") for name in DATASETS}
        return {name: str(model) for name, model in chosen.items() if model}

    def choose_model(self, dataset: str, model: str) -> None:
        self.store.setValue(f"model/{dataset}", model)

    def layout(self) -> tuple[QByteArray, QByteArray, QByteArray] | None:
        """The window's geometry, toolbars and splitter as last saved; None before the first close."""
        geometry = self.store.value("geometry")
        if geometry is None:
            return None
        return geometry, self.store.value("toolbars"), self.store.value("splitter")

    def save_layout(self, geometry: QByteArray, toolbars: QByteArray, splitter: QByteArray) -> None:
        self.store.setValue("geometry", geometry)
        self.store.setValue("toolbars", toolbars)
        self.store.setValue("splitter", splitter)

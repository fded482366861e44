"""The boundaries the README draws, enforced: who may import what, and what loads before the window shows."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "shiboken6", "pyqtgraph")
TORCH = ("torch", "torchvision", "vit_pytorch")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function, as absolute dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def breaches(folder: str, forbidden: tuple[str, ...], exempt: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path.relative_to(ROOT).as_posix() in exempt:
            continue
        for name in imported(path):
            if name.split(".")[0] in forbidden or any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_the_import_check_sees_lazy_imports(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from torch import nn\n    import PySide6.QtCore\n")
    assert imported(module) >= {"torch", "torch.nn", "PySide6.QtCore"}


@pytest.mark.parametrize("folder", ["models", "training"])
def test_models_and_training_never_import_qt_or_the_app(folder):
    assert breaches(folder, (*QT, "app")) == []


def test_the_app_never_imports_torch_itself():
    """Widgets speak to models/ only; torch is imported there, on the inference thread."""
    assert breaches("app", TORCH) == []


def test_the_session_core_imports_neither_qt_nor_torch():
    assert breaches("app/core", (*QT, *TORCH)) == []


def test_the_card_and_the_registry_need_no_torch():
    """What the window shows about a model, before any model is loaded, comes without torch."""
    code = (
        "import sys, models.card, models.registry; print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


PROBE = """
import os
import sys
from PySide6.QtWidgets import QApplication
import app.__main__
from app.window import MainWindow
application = QApplication([])
window = MainWindow(device="cpu")
window.show()
application.processEvents()
heavy = sorted(m for m in ("torch", "torchvision", "pyqtgraph") if m in sys.modules)
print("loaded before the window showed:", heavy, flush=True)
window.close()
# and leave as the app does (app.__main__.run): a thread still ending would abort the interpreter's own exit
from app import concurrency
concurrency.finish_within(concurrency.EXIT_GRACE_S)
os._exit(0)
"""


def test_the_window_shows_before_torch_or_pyqtgraph_load(tmp_path):
    """A fresh interpreter imports what the window needs and shows it: torch has not loaded."""
    environment = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, env=environment
    )
    assert result.returncode == 0, result.stderr
    assert "loaded before the window showed: []" in result.stdout, result.stdout + result.stderr

"""Training checkpoints as one safetensors file: the tensors, and a JSON skeleton in its metadata.

Model, optimizer and scheduler states nest tensors inside dicts and lists; they are taken
apart into named tensors and a skeleton that says where each tensor goes back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from models.errors import ModelError

TENSOR = "__tensor__"
PAIRS = "__pairs__"


class CheckpointError(ModelError):
    """A checkpoint is damaged, or cannot continue this run."""


def _take_apart(value: Any, name: str, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, torch.Tensor):
        tensors[name] = value.detach().cpu().contiguous()
        return {TENSOR: name}
    if isinstance(value, dict):  # keys may be ints (optimizer state), which JSON objects cannot hold
        return {
            PAIRS: [[key, _take_apart(item, f"{name}.{i}", tensors)] for i, (key, item) in enumerate(value.items())]
        }
    if isinstance(value, (list, tuple)):
        return [_take_apart(item, f"{name}.{i}", tensors) for i, item in enumerate(value)]
    return value


def _put_together(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, dict) and TENSOR in value:
        return tensors[value[TENSOR]]
    if isinstance(value, dict) and PAIRS in value:
        return {key: _put_together(item, tensors) for key, item in value[PAIRS]}
    if isinstance(value, list):
        return [_put_together(item, tensors) for item in value]
    return value


def path(directory: Path, name: str) -> Path:
    return directory / f"{name}.ckpt.safetensors"


def save(directory: Path, name: str, state: dict[str, Any]) -> None:
    """Write to a temporary file and rename it, so a run killed mid-save keeps its last checkpoint."""
    directory.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    skeleton = _take_apart(state, "state", tensors)
    target = path(directory, name)
    partial = target.with_name(target.name + ".tmp")
    save_file(tensors, str(partial), metadata={"skeleton": json.dumps(skeleton)})
    os.replace(partial, target)


def load(directory: Path, name: str) -> dict[str, Any] | None:
    target = path(directory, name)
    if not target.is_file():
        return None
    try:
        with safe_open(str(target), framework="pt") as f:
            skeleton = json.loads((f.metadata() or {})["skeleton"])
            tensors = {key: f.get_tensor(key) for key in f.keys()}  # noqa: SIM118 - safe_open is not iterable
        return _put_together(skeleton, tensors)
    except (OSError, SafetensorError, KeyError, TypeError, ValueError) as error:
        raise CheckpointError(
            f"{target} is damaged or is not a visionlab checkpoint ({error}). Delete it, or drop --resume."
        ) from None

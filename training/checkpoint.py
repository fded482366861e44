"""Training checkpoints as a safetensors file of tensors plus a JSON file of everything else.

Model, optimizer and scheduler states nest tensors inside dicts and lists; they are taken
apart into named tensors and a JSON skeleton that says where each tensor goes back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

TENSOR = "__tensor__"
PAIRS = "__pairs__"


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


def paths(directory: Path, name: str) -> tuple[Path, Path]:
    return directory / f"{name}.ckpt.safetensors", directory / f"{name}.ckpt.json"


def save(directory: Path, name: str, state: dict[str, Any]) -> None:
    """Write atomically, so a run killed mid-save keeps its previous checkpoint."""
    directory.mkdir(parents=True, exist_ok=True)
    tensors: dict[str, torch.Tensor] = {}
    skeleton = _take_apart(state, "state", tensors)
    tensor_path, json_path = paths(directory, name)
    tensor_tmp, json_tmp = (path.with_name(path.name + ".tmp") for path in (tensor_path, json_path))
    save_file(tensors, str(tensor_tmp))
    json_tmp.write_text(json.dumps(skeleton), encoding="utf-8")
    os.replace(tensor_tmp, tensor_path)
    os.replace(json_tmp, json_path)


def load(directory: Path, name: str) -> dict[str, Any] | None:
    tensor_path, json_path = paths(directory, name)
    if not (tensor_path.is_file() and json_path.is_file()):
        return None
    skeleton = json.loads(json_path.read_text(encoding="utf-8"))
    return _put_together(skeleton, load_file(str(tensor_path)))

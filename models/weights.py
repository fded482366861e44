"""Weight files (safetensors) and their JSON cards; nothing here ever unpickles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from safetensors.torch import save as serialize
from torch import nn

from models.errors import WeightsError


def to_bytes(model: nn.Module, dtype: torch.dtype = torch.float32) -> bytes:
    """The weight file of a model: its floating-point tensors in `dtype` (buffers such as counters
    keep theirs)."""
    tensors = {
        key: (value.to(dtype) if value.is_floating_point() else value).detach().cpu().contiguous()
        for key, value in model.state_dict().items()
    }
    return serialize(tensors)


def save(model: nn.Module, path: Path, dtype: torch.dtype = torch.float32) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(model, dtype))


def load_into(model: nn.Module, path: Path, retrain_hint: str) -> None:
    """Fill `model` from a safetensors file, with a clear error for a missing, corrupt or foreign file."""
    if not path.is_file():
        raise WeightsError(f"The weight file {path} is missing. Train it with: {retrain_hint}")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(
            f"The weight file {path} is damaged or is not a safetensors file ({error}). "
            f"Restore it from git (git checkout -- {path}) or train it again with: {retrain_hint}"
        ) from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong_shape = sorted(k for k in set(expected) & set(tensors) if expected[k].shape != tensors[k].shape)
    if missing or unexpected or wrong_shape:
        details = "; ".join(
            f"{label}: {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}"
            for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong_shape))
            if keys
        )
        raise WeightsError(
            f"The weight file {path} does not fit this architecture ({details}). "
            f"It belongs to another model; train the right one with: {retrain_hint}"
        )
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in tensors.items()})


def read_card(path: Path, retrain_hint: str) -> dict[str, Any]:
    if not path.is_file():
        raise WeightsError(
            f"The weight card {path} is missing. Restore it from git (git checkout -- {path}) "
            f"or train the model again with: {retrain_hint}"
        )
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WeightsError(
            f"The weight card {path} cannot be read ({error}). Make it again with: {retrain_hint}"
        ) from None
    if not isinstance(card, dict):
        raise WeightsError(f"The weight card {path} is not a JSON object. Make it again with: {retrain_hint}")
    return card


def training_runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The training runs that made a model, first to last: a warm restart keeps the run it started from."""
    runs, training = [], card.get("training")
    while training:
        runs.insert(0, training)
        training = training.get("init_from", {}).get("training")
    return runs


def training_length(card: dict[str, Any]) -> tuple[str, float]:
    """The epochs of every run that made a model, as "25 + 25", and their wall time in seconds."""
    runs = training_runs(card)
    return " + ".join(str(run.get("epochs")) for run in runs), sum(run.get("wall_time_s", 0) for run in runs)


def write_card(path: Path, card: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

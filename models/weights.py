"""Weight files (safetensors): writing and loading a network's tensors; nothing here ever unpickles."""

from __future__ import annotations

from pathlib import Path

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


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

"""Weight files (safetensors): writing and loading a network's tensors; nothing here ever unpickles."""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_bytes
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


def load_into(model: nn.Module, path: Path, retrain_hint: str) -> str:
    """Fill `model` from a safetensors file, with a clear error for a missing, corrupt or foreign
    file; returns the file's SHA-256, hashed from the bytes read, for check_digest."""
    if not path.is_file():
        raise WeightsError(f"The weight file {path} is missing. Train it with: {retrain_hint}")
    try:
        data = path.read_bytes()
        tensors = load_bytes(data)
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
    broken = sorted(k for k, v in tensors.items() if v.is_floating_point() and not torch.isfinite(v).all())
    if broken:
        raise WeightsError(
            f"The weight file {path} holds values that are not numbers (NaN or infinity) in "
            f"{', '.join(broken[:3])}{' ...' if len(broken) > 3 else ''}: it is damaged, or its training diverged. "
            f"Restore it from git (git checkout -- {path}) or train it again with: {retrain_hint}"
        )
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in tensors.items()})
    return hashlib.sha256(data).hexdigest()


def digest(path: Path) -> str:
    """The SHA-256 of a weight file, as its card records it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_digest(path: Path, found: str, expected: str | None, retrain_hint: str) -> None:
    """Refuse a weight file whose SHA-256 (`found`) is not the one its card describes (where the card says one)."""
    if expected is not None and found != expected:
        raise WeightsError(
            f"The weight file {path} is not the one its card describes (their SHA-256 differ): it was damaged "
            f"since, or belongs to another training run. Restore both from git (git checkout -- {path.parent}) "
            f"or train the model again with: {retrain_hint}"
        )


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())

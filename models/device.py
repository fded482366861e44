"""Which compute device to run on: CUDA, then Apple MPS, then the CPU, unless the user says.

torch is imported on first use, so that a window can list the kinds before it has loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.errors import DeviceError

if TYPE_CHECKING:
    import torch

KINDS = ("cuda", "mps", "cpu")  # in order of preference


def is_available(kind: str) -> bool:
    import torch

    if kind == "cuda":
        return torch.cuda.is_available()
    if kind == "mps":
        return torch.backends.mps.is_available()
    return kind == "cpu"


def detect() -> torch.device:
    import torch

    return torch.device(next(kind for kind in KINDS if is_available(kind)))


def available() -> list[str]:
    return [kind for kind in KINDS if is_available(kind)]


def resolve(device: str | torch.device | None = None) -> torch.device:
    """The device to use: the detected one for None, else the one asked for if it exists."""
    import torch

    if device is None:
        return detect()
    try:
        device = torch.device(device.lower() if isinstance(device, str) else device)  # "CPU", as the menu says
    except (RuntimeError, TypeError):
        raise DeviceError(f"{device!r} is not a device name. Use one of: {', '.join(KINDS)}.") from None
    if not is_available(device.type):
        raise DeviceError(
            f"The {device.type.upper()} device is not available on this machine "
            f"(available: {', '.join(available())}). Choose one of those instead."
        )
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise DeviceError(
            f"There is no CUDA device {device.index}; this machine has {torch.cuda.device_count()}. "
            "Use 'cuda' or 'cuda:0'."
        )
    return device


def set_threads(count: int) -> None:
    """Threads torch may use within one operator, for the whole process."""
    import torch

    torch.set_num_threads(count)

"""Mixed precision: which autocast a device gets."""

import torch


def low_precision(device: torch.device) -> torch.dtype:
    """bf16 on CPUs (AMX makes it about twice as fast) and on GPUs that have it, else fp16."""
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return torch.float16
    return torch.bfloat16


def autocast(device: torch.device, enabled: bool) -> torch.autocast:
    return torch.autocast(device.type, dtype=low_precision(device), enabled=enabled)


def describe(device: torch.device, enabled: bool) -> str:
    """What a card says about the arithmetic of a run: "bf16 autocast", "fp16 autocast" or "float32"."""
    if not enabled:
        return "float32"
    return {torch.bfloat16: "bf16", torch.float16: "fp16"}[low_precision(device)] + " autocast"

"""Mixed precision: which autocast a device gets."""

import torch


def helps(device: torch.device) -> bool:
    """Whether autocast speeds training up here: on GPUs and Apple's MPS, and on CPUs whose oneDNN
    computes bf16 in hardware (AVX-512 or AMX). On an AVX2-only CPU, bf16 trained mnist_cnn at 79
    images/s against float32's 599 (benchmarks/training_throughput.py)."""
    return device.type != "cpu" or bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


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

"""Mixed precision: which autocast a device gets."""

import torch


def autocast(device: torch.device, enabled: bool) -> torch.autocast:
    """bf16 on CPUs (AMX makes it about twice as fast) and on GPUs that have it, else fp16."""
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.float16, enabled=enabled)
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled)

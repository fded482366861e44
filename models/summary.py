"""A layer-by-layer summary in the manner of torchsummary: type, output shape and parameters."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str
    output_shape: tuple[int, ...]
    parameters: int
    depth: int


def summarize(network: nn.Module, input_shape: tuple[int, ...]) -> list[Layer]:
    """Run one zero image of `input_shape` (C, H, W) through the network and record every leaf
    module, and every container that holds parameters of its own, in the order they ran."""
    layers: list[Layer] = []
    names = {module: name for name, module in network.named_modules()}

    def record(module: nn.Module, _inputs: tuple[object, ...], output: object) -> None:
        own = sum(p.numel() for p in module.parameters(recurse=False))
        is_leaf = not any(True for _ in module.children())
        if not (is_leaf or own):
            return
        shape = tuple(output.shape[1:]) if isinstance(output, torch.Tensor) else ()
        name = names[module]
        layers.append(Layer(name, type(module).__name__, shape, own, name.count(".")))

    handles = [module.register_forward_hook(record) for module in network.modules() if module is not network]
    try:
        device = next(network.parameters()).device
        with torch.inference_mode():
            network(torch.zeros(1, *input_shape, device=device))
    finally:
        for handle in handles:
            handle.remove()
    own = sum(p.numel() for p in network.parameters(recurse=False))
    if own:  # such as a ViT's class token and position embeddings
        layers.insert(0, Layer("(model's own)", type(network).__name__, (), own, 0))
    return layers


def as_text(layers: list[Layer], total: int) -> str:
    """The summary as a fixed-width table, with the parameter total."""
    rows = [f"{'layer':<38} {'type':<16} {'output shape':<18} {'parameters':>12}", "-" * 87]
    for layer in layers:
        shape = " x ".join(map(str, layer.output_shape))
        rows.append(f"{layer.name:<38} {layer.kind:<16} {shape:<18} {layer.parameters:>12,}")
    rows += ["-" * 87, f"{'total parameters':<74} {total:>12,}"]
    return "\n".join(rows)

"""The Vision Transformer of vit-pytorch, one token per 4x4 patch, plus a class token where it pools by one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from torch import nn


def vit_module() -> ModuleType:
    """vit_pytorch.vit, imported without the package's __init__: that imports every model of the
    package, among them one that imports torchvision, which imports torch._dynamo and triton:
    200 MB and 3.8 s for one class. The module itself imports only torch and einops."""
    name = "vit_pytorch.vit"
    if name not in sys.modules:
        package = importlib.util.find_spec("vit_pytorch")  # finds the package without running it
        if package is None or not package.submodule_search_locations:
            raise ImportError("vit-pytorch is not installed; run uv sync.")
        location = Path(next(iter(package.submodule_search_locations))) / "vit.py"
        spec = importlib.util.spec_from_file_location(name, location)
        if spec is None or spec.loader is None:
            raise ImportError(f"{location} cannot be imported; reinstall vit-pytorch with uv sync.")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def vit(
    *,
    channels: int,
    num_classes: int,
    image_size: int,
    patch_size: int,
    dim: int,
    depth: int,
    heads: int,
    dim_head: int,
    mlp_dim: int,
    dropout: float = 0.0,
    pool: str = "cls",
) -> nn.Module:
    return vit_module().ViT(
        image_size=image_size,
        patch_size=patch_size,
        num_classes=num_classes,
        dim=dim,
        depth=depth,
        heads=heads,
        dim_head=dim_head,
        mlp_dim=mlp_dim,
        channels=channels,
        dropout=dropout,
        emb_dropout=dropout,
        pool=pool,
    )

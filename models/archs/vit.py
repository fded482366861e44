"""The Vision Transformer of vit-pytorch, one token per 4x4 patch plus a class token."""

from torch import nn
from vit_pytorch import ViT


def vit(
    channels: int = 3,
    num_classes: int = 10,
    image_size: int = 32,
    *,
    patch_size: int = 4,
    dim: int = 128,
    depth: int = 2,
    heads: int = 16,
    dim_head: int = 64,
    mlp_dim: int = 256,
    dropout: float = 0.0,
    pool: str = "cls",
) -> nn.Module:
    return ViT(
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

"""Several processes under torchrun (DistributedDataParallel), or one process without it."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1


def setup(device: torch.device) -> tuple[World, torch.device]:
    """Join the process group that torchrun describes in the environment, if any.

    Returns the world and this process's device (its own GPU under torchrun on CUDA).
    """
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return World(), device
    world = World(int(os.environ["RANK"]), size, int(os.environ.get("LOCAL_RANK", "0")))
    if device.type == "cuda":
        device = torch.device("cuda", world.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return world, device


def barrier(world: World) -> None:
    if world.distributed:
        dist.barrier()


def _all_reduce(values: torch.Tensor, op: dist.ReduceOp.RedOpType) -> torch.Tensor:
    """`values` reduced over every process, on the device its backend needs."""
    if dist.get_backend() == "nccl":
        values = values.cuda()
    dist.all_reduce(values, op=op)
    return values.cpu()


def all_ranks_sum(world: World, *values: float) -> tuple[float, ...]:
    """The sums over every process of a few numbers (themselves in a single process)."""
    if not world.distributed:
        return values
    return tuple(_all_reduce(torch.tensor(values, dtype=torch.float64), dist.ReduceOp.SUM).tolist())


def all_ranks_agree(world: World, value: int) -> bool:
    """Whether every process holds the same number."""
    if not world.distributed:
        return True
    # The max of (value, -value) gives the max and minus the min in one reduction.
    highest, minus_lowest = _all_reduce(torch.tensor([value, -value], dtype=torch.int64), dist.ReduceOp.MAX).tolist()
    return highest == -minus_lowest


def teardown(world: World) -> None:
    if world.distributed and dist.is_initialized():
        dist.destroy_process_group()

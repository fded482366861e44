"""Stochastic weight averaging (Izmailov et al., 2018): the run's answer is the mean of the
weights at the end of each of its last epochs, trained at a constant learning rate.

Those epochs' weights lie around a wide, flat minimum rather than at one edge of it, and
their mean sits nearer its middle, which generalizes better than any one of them.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, update_bn

from models.registry import DatasetSpec
from training.data import Split, input_batches
from training.precision import autocast


class WeightAverage:
    """The running mean of a network's weights, one snapshot per epoch."""

    def __init__(self, model: nn.Module) -> None:
        self.averaged = AveragedModel(model)

    @property
    def count(self) -> int:
        return int(self.averaged.n_averaged)

    def add(self, model: nn.Module) -> None:
        self.averaged.update_parameters(model)

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.averaged.state_dict()

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.averaged.load_state_dict(state)

    def copy_into(
        self,
        model: nn.Module,
        train: Split,
        spec: DatasetSpec,
        device: torch.device,
        batch_size: int,
        amp: bool,
        channels_last: bool,
    ) -> None:
        """Give `model` the mean weights, and batch-norm statistics measured anew for them.

        Batch norm's running statistics belong to the weights they were measured with, and no
        snapshot had the mean weights; one pass over the training images, as they are and in
        order, measures them again (a network without batch norm is left as averaged).
        """
        model.load_state_dict(self.averaged.module.state_dict())
        with torch.no_grad(), autocast(device, amp):
            update_bn(input_batches(train, spec, device, batch_size, channels_last), model)

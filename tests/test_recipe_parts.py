"""The pieces a recipe is made of: the validation split, the learning-rate schedule, the optimizer."""

import numpy as np
import pytest
import torch
from torch import nn

from training.data import hold_out
from training.recipes import Recipe
from training.updater import make_optimizer, warmup_cosine


def test_validation_split_is_disjoint_complete_and_fixed_by_the_seed():
    labels = np.arange(100)
    images = np.zeros((100, 2, 2, 1), np.uint8) + labels[:, None, None, None].astype(np.uint8)
    train, val = hold_out(images, labels, 20, seed=3)
    assert len(val.labels) == 20 and len(train.labels) == 80
    assert sorted(train.labels.tolist() + val.labels.tolist()) == labels.tolist()
    assert (train.images[:, 0, 0, 0] == train.labels).all()  # images stay with their labels
    again, other = hold_out(images, labels, 20, seed=3)[1], hold_out(images, labels, 20, seed=4)[1]
    assert torch.equal(again.labels, val.labels) and not torch.equal(other.labels, val.labels)
    assert hold_out(images, labels, 0, seed=3)[1] is None
    with pytest.raises(ValueError, match="leaves no training images"):
        hold_out(images, labels, 100, seed=3)


def test_warmup_rises_linearly_then_the_cosine_falls_to_zero():
    factor = warmup_cosine(total_steps=110, warmup_steps=10)
    assert factor(0) == pytest.approx(0.1) and factor(4) == pytest.approx(0.5)
    assert factor(9) == pytest.approx(1.0) and factor(10) == pytest.approx(1.0)
    assert factor(60) == pytest.approx(0.5)
    assert factor(110) == pytest.approx(0.0, abs=1e-12)
    steps = [factor(s) for s in range(10, 111)]
    assert (np.diff(steps) <= 0).all()


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_weight_decay_spares_biases_and_norms(optimizer):
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.LazyLinear(2))
    model(torch.zeros(1, 1, 5, 5))
    recipe = Recipe(epochs=1, batch_size=1, lr=0.1, optimizer=optimizer, weight_decay=0.05)
    decayed, spared = make_optimizer(model, recipe).param_groups
    assert decayed["weight_decay"] == 0.05 and all(p.ndim > 1 for p in decayed["params"])
    assert spared["weight_decay"] == 0.0 and len(spared["params"]) == 4  # conv and linear biases, norm scale and shift


def test_an_unknown_optimizer_is_refused():
    recipe = Recipe(epochs=1, batch_size=1, lr=0.1, optimizer="lion")
    with pytest.raises(ValueError, match="unknown optimizer 'lion'"):
        make_optimizer(nn.Linear(2, 2), recipe)


def test_cards_name_the_arithmetic_of_a_run():
    from training.precision import describe

    assert describe(torch.device("cpu"), True) == "bf16 autocast"
    assert describe(torch.device("cpu"), False) == "float32"

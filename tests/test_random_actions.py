"""A short seeded random walk through the real window (tests/random_actions.py): no uncaught
exception, no Qt warning, no event loop blocked for long. benchmarks/soak.py walks for longer."""

from __future__ import annotations

import shutil

import pytest

from tests.random_actions import RandomActions

ACTIONS = 300
LONGEST_GAP_MS = 1000  # the soak's goal is 250 ms; a test on a shared machine allows for its neighbours


@pytest.mark.parametrize("seed", [1, 2])
def test_a_random_walk_through_the_window(install_untrained, tiny_mnist, tiny_cifar, open_window, tmp_path, seed):
    for name in ("mnist_cnn", "vit_mnist", "vit_cifar10"):
        install_untrained(name, temperature=None if name == "mnist_cnn" else 1.5)
    shutil.copytree(tiny_cifar / "cifar10-jpeg", tiny_mnist / "cifar10-jpeg")
    window = open_window(tiny_mnist)
    walk = RandomActions(window, seed, tmp_path).run(ACTIONS)
    replay = f"seed {seed}: replay with RandomActions(window, {seed}, folder).run({ACTIONS})"
    assert len(walk.actions) == ACTIONS
    assert not walk.exceptions, f"{replay}: {walk.exceptions}"
    assert not walk.warnings, f"{replay}: {walk.warnings}"
    (longest, after), *_ = walk.worst_gaps(1)
    assert longest < LONGEST_GAP_MS, f"{replay}: the event loop was blocked {longest:.0f} ms after {after}"

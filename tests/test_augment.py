"""Tensor augmentations: shapes and types kept, and a seed fixes the result."""

import pytest
import torch

from training.augment import POLICIES, augment, mix, random_crop

BATCH = torch.randint(0, 256, (16, 3, 32, 32), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("policy", POLICIES)
def test_policies_keep_shape_and_type_and_repeat_with_the_seed(policy):
    def run(seed: int, cutout_size: int = 8) -> torch.Tensor:
        torch.manual_seed(seed)
        return augment(BATCH, policy, torch.Generator().manual_seed(seed), cutout_size)

    first = run(2)
    assert first.shape == BATCH.shape and first.dtype == torch.uint8
    assert torch.equal(first, run(2))
    assert not torch.equal(first, run(3))
    assert torch.equal(run(2, cutout_size=0), BATCH) == (policy == "none")


def test_random_crop_shifts_by_at_most_the_padding():
    image = torch.zeros(1, 1, 8, 8, dtype=torch.uint8)
    image[0, 0, 4, 4] = 255
    places = set()
    for seed in range(20):
        moved = random_crop(image, 2, torch.Generator().manual_seed(seed))
        (y, x) = torch.nonzero(moved[0, 0])[0].tolist()
        assert abs(y - 4) <= 2 and abs(x - 4) <= 2
        places.add((y, x))
    assert len(places) >= 8  # of the 25 shifts, many occur: the crop does move


def test_mixing_keeps_targets_summing_to_one():
    targets = torch.nn.functional.one_hot(torch.arange(16) % 10, 10).float()
    torch.manual_seed(0)
    mixed, soft = mix(BATCH.float(), targets, 0.2, 1.0, torch.Generator().manual_seed(0))
    assert mixed.shape == BATCH.shape and not torch.equal(mixed, BATCH.float())
    assert (soft.max(dim=1).values < 1).any()  # images mixed with one of another class
    assert torch.allclose(soft.sum(dim=1), torch.ones(16))


@pytest.mark.parametrize("size", [4, 5, 12])
def test_cutout_blanks_a_square_of_the_given_side(size):
    from training.augment import cutout

    image = torch.full((1, 1, 32, 32), 255, dtype=torch.uint8)
    whole = 0
    for seed in range(10):
        blanked = cutout(image, size, torch.Generator().manual_seed(seed))[0, 0] == 0
        rows, cols = torch.nonzero(blanked.any(1)).flatten(), torch.nonzero(blanked.any(0)).flatten()
        assert blanked.sum() == len(rows) * len(cols)  # one rectangle
        inside = 0 < rows.min() and rows.max() < 31 and 0 < cols.min() and cols.max() < 31
        assert len(rows) <= size and len(cols) <= size and (not inside or len(rows) == len(cols) == size)
        whole += inside
    assert whole >= 3  # squares away from the border, uncut

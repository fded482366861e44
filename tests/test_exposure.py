"""Outlier exposure: drawings that are no digit, and a run that learns to answer them with every class alike."""

import math

import numpy as np
import pytest
import torch

import models
from models import card, pendigits
from tests.conftest import tiny_flags
from tests.test_training import write_pen_digits
from training import exposure, exposure_drawings, exposure_pictures
from training.__main__ import main as train_main


def test_drawings_come_from_every_family_as_the_canvas_draws_them(tmp_path):
    count = 4 * len(exposure_drawings.FAMILIES)
    drawn = exposure_drawings.render(count, seed=0)
    assert drawn.shape == (count, 28, 28, 1) and drawn.dtype == np.uint8
    assert (drawn.reshape(count, -1).max(axis=1) > 200).all()  # every one has ink
    assert len({drawing.tobytes() for drawing in drawn}) == count
    assert np.array_equal(drawn, exposure_drawings.render(count, seed=0))
    assert not np.array_equal(drawn, exposure_drawings.render(count, seed=1))


def test_pen_digits_join_as_numbers_of_two_digits(tmp_path):
    write_pen_digits(tmp_path)
    families = len(exposure_drawings.FAMILIES)
    drawn = exposure_drawings.render(families + 1, seed=0, digits=pendigits.load(tmp_path))
    pair = drawn[families, ..., 0]
    # the tiny file's digits are bars: two of them side by side leave a gap of no ink between
    columns = np.nonzero(pair.max(axis=0))[0]
    assert len(columns) < columns[-1] - columns[0] + 1


def test_the_loss_is_least_for_an_answer_spread_over_every_class():
    even = exposure.uniform_loss(torch.zeros(3, 10))
    assert even.item() == pytest.approx(math.log(10))
    sure = exposure.uniform_loss(torch.tensor([[9.0] + [0.0] * 9]))
    assert sure.item() > even.item() + 1


def test_a_batch_is_joined_by_a_quarter_as_many_outliers():
    pool = torch.arange(40, dtype=torch.uint8).reshape(10, 1, 2, 2)
    drawn = exposure.sample(pool, 32, torch.Generator().manual_seed(0))
    assert drawn.shape == (32 // exposure.SHARE, 1, 2, 2)
    assert set(drawn[:, 0, 0, 0].tolist()) <= set(pool[:, 0, 0, 0].tolist())


def top_probability_on_outliers(out, monkeypatch) -> float:
    monkeypatch.setattr(models.registry, "WEIGHTS_DIR", out)
    classifier = models.load("mnist_cnn", device="cpu")
    drawings = exposure_drawings.render(60, seed=99)  # a seed the run did not draw its pool with
    return float(classifier.predict(list(drawings[..., 0])).max(axis=1).mean())


def test_a_run_with_outliers_answers_them_less_surely_than_one_without(tiny_mnist, tmp_path, monkeypatch):
    monkeypatch.setattr(exposure, "POOL", 200)
    write_pen_digits(tiny_mnist)
    flags = [*tiny_flags(tiny_mnist, tmp_path, epochs=10), "--lr", "0.05"]
    train_main(["mnist_cnn", *flags, "--out-dir", str(tmp_path / "without")])
    train_main(["mnist_cnn", *flags, "--out-dir", str(tmp_path / "with"), "--outliers", "1.0"])
    written = card.read(tmp_path / "with" / "mnist_cnn.json", "")
    assert "--outliers 1.0" in written.training.command
    without = top_probability_on_outliers(tmp_path / "without", monkeypatch)
    exposed = top_probability_on_outliers(tmp_path / "with", monkeypatch)
    assert exposed < without - 0.1, (exposed, without)


def test_pictures_of_no_object_are_dead_leaves_and_shuffled_photos():
    rng = np.random.default_rng(0)
    photos = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    pictures = exposure_pictures.render(6, seed=0, photos=photos)
    assert pictures.shape == (6, 32, 32, 3) and pictures.dtype == np.uint8
    leaves, tiles = pictures[0::2], pictures[1::2]
    assert all(len(np.unique(leaf.reshape(-1, 3), axis=0)) >= 5 for leaf in leaves)  # many surfaces of flat colour
    for shuffled in tiles:  # the tiles of one of the photos, moved
        assert any(sorted(shuffled.tobytes()) == sorted(photo.tobytes()) for photo in photos)
        assert not any(np.array_equal(shuffled, photo) for photo in photos)


def test_a_photo_model_trains_with_outliers(tiny_cifar, tmp_path, monkeypatch):
    monkeypatch.setattr(exposure, "POOL", 40)
    train_main(["vit_cifar10", *tiny_flags(tiny_cifar, tmp_path, epochs=1), "--lr", "0.003", "--outliers", "0.5"])
    assert "--outliers 0.5" in card.read(tmp_path / "vit_cifar10.json", "").training.command


@pytest.mark.parametrize(
    "flags, said",
    [(["--outliers", "-0.5"], "--outliers is a loss weight"), (["--pen-bend", "0.8"], "--pen-bend is a share")],
)
def test_settings_that_cannot_work_are_refused_before_any_data_is_read(tmp_path, flags, said):
    missing = tmp_path / "no data here"  # were the data read first, its absence would be the message
    with pytest.raises(SystemExit, match=said):
        train_main(["mnist_cnn", *tiny_flags(missing, tmp_path, epochs=1), *flags])

"""Changing the input: each knob does what it says, the neutral settings nothing, a sweep is one
batch over a knob's range, and occlusion finds what a model depends on."""

from collections.abc import Callable

import numpy as np
import pytest

import models
from models.errors import Abandoned
from models.explain import occlusion
from models.knobs import Knob, Patch, Settings, sweep_settings
from models.perturb import perturbed
from models.preprocess import strokes_to_mnist
from tests.conftest import SEVEN


def bar(horizontal: bool = True) -> np.ndarray:
    """A white bar across the middle of a black 28x28 digit picture."""
    picture = np.zeros((28, 28, 1), np.uint8)
    if horizontal:
        picture[13:15, 8:20] = 255
    else:
        picture[8:20, 13:15] = 255
    return picture


def centre(picture: np.ndarray) -> tuple[float, float]:
    """(x, y) of the ink's centre of mass."""
    weights = picture[..., 0].astype(float)
    ys, xs = np.indices(weights.shape)
    return float((xs * weights).sum() / weights.sum()), float((ys * weights).sum() / weights.sum())


def one(picture: np.ndarray, **settings: object) -> np.ndarray:
    return perturbed(picture, [Settings(**settings)])[0]


def test_neutral_settings_give_the_picture_back_exactly():
    picture = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert np.array_equal(one(picture), picture)
    neutral = {knob.field: knob.neutral for knob in Knob}
    assert np.array_equal(one(picture, **neutral), picture)


def test_shifts_move_the_ink_by_their_share_of_the_side():
    x, y = centre(one(bar(), shift_x=0.25))
    assert x == pytest.approx(13.5 + 7, abs=0.6) and y == pytest.approx(13.5, abs=0.6)
    x, y = centre(one(bar(), shift_y=-0.25))
    assert x == pytest.approx(13.5, abs=0.6) and y == pytest.approx(13.5 - 7, abs=0.6)


def test_a_quarter_turn_stands_a_bar_up_and_a_half_turn_turns_it_around():
    turned = one(bar(), rotate=90)
    assert np.abs(turned.astype(int) - bar(horizontal=False).astype(int)).mean() < 10
    picture = np.zeros((28, 28, 1), np.uint8)
    picture[4:8, 4:8] = 255  # top left
    x, y = centre(one(picture, rotate=180))
    assert x == pytest.approx(21.5, abs=0.6) and y == pytest.approx(21.5, abs=0.6)


def test_positive_angles_turn_anticlockwise_as_seen():
    picture = np.zeros((28, 28, 1), np.uint8)
    picture[2:6, 12:16] = 255  # top middle
    x, y = centre(one(picture, rotate=90))
    assert x == pytest.approx(3.5, abs=0.6) and y == pytest.approx(13.5, abs=0.6)  # now left middle


def test_scale_stretches_the_ink_about_the_centre():
    rows = one(bar(), scale=2.0)[..., 0].max(axis=0) > 127
    assert rows.sum() == pytest.approx(24, abs=1)  # twelve pixels long, twice


def test_blur_noise_brightness_and_contrast():
    picture = np.full((32, 32, 3), 100, np.uint8)
    picture[10:20, 10:20] = 200
    blurred = one(picture, blur=2.0)
    assert blurred.max() < 200 and abs(blurred.mean() - picture.mean()) < 1
    noisy = one(picture, noise=0.1)
    assert 20 < np.std(noisy.astype(int) - picture.astype(int)) < 30  # 0.1 of 255
    assert np.array_equal(noisy, one(picture, noise=0.1))  # the same noise each time: sliders do not flicker
    assert one(picture, brightness=0.2).mean() == pytest.approx(picture.mean() + 51, abs=1)
    assert one(picture, contrast=0.0).std() < 1


def test_a_patch_covers_its_square_with_the_fill():
    picture = np.full((32, 32, 3), 200, np.uint8)
    covered = perturbed(picture, [Settings(patch=Patch(0.25, 0.75, 0.25))], fill=50)[0]
    assert (covered[20:28, 4:12] == 50).all() and (covered == 50).sum() == 8 * 8 * 3


def test_a_knob_beyond_its_range_says_where_it_goes():
    with pytest.raises(ValueError, match="rotate goes from -180 to 180 degrees"):
        Settings(rotate=270)


def test_a_sweep_spans_the_knobs_range_with_the_rest_unchanged():
    values, settings = sweep_settings(Knob.ROTATE, 73, Settings(blur=1.0))
    assert values[0] == -180 and values[-1] == 180 and values[1] - values[0] == pytest.approx(5)
    assert all(s.blur == 1.0 for s in settings) and [s.rotate for s in settings] == list(values)


def test_the_shipped_cnn_sweeps_a_drawing_as_one_batch_and_reads_it_unchanged_at_rest():
    classifier = models.load("mnist_cnn", device="cpu")
    seven = strokes_to_mnist(SEVEN)[..., None]
    values, answers = classifier.sweep(seven, Knob.ROTATE)
    assert answers.shape == (73, 10)
    rest = int(np.argmin(np.abs(values)))
    assert np.allclose(answers[rest], classifier.predict([seven])[0], atol=1e-6)


def test_occlusion_peaks_where_a_model_looks():
    def predict(pictures: list[np.ndarray]) -> np.ndarray:
        """A model that says 'class 0' by the brightness of the top-left quarter alone."""
        brightness = np.array([p[:8, :8].mean() / 255 for p in pictures])
        return np.stack([brightness, 1 - brightness], axis=1)

    picture = np.full((32, 32, 3), 255, np.uint8)
    heat = occlusion(predict, picture, target=0, fill=0.0)
    assert heat.shape == (32, 32) and heat.max() == pytest.approx(1.0)
    y, x = np.unravel_index(heat.argmax(), heat.shape)
    assert x < 8 and y < 8
    assert heat[16:, 16:].max() == 0  # covering the rest costs nothing
    checks: list[None] = []

    def newer_after(times: int) -> Callable[[], bool]:
        """Says a newer question has come once it has been asked `times` times."""
        checks.clear()
        return lambda: bool(checks.append(None)) or len(checks) > times

    assert np.array_equal(occlusion(predict, picture, 0, 0.0, abandon=newer_after(100)), heat)
    assert len(checks) > 2  # asked between batches, the heat map the same
    with pytest.raises(Abandoned):  # a newer question: the rest is not worked out
        occlusion(predict, picture, 0, 0.0, abandon=newer_after(1))
    assert len(checks) == 2


def test_stroke_width_grows_and_wears_the_ink_a_pixel_each_side_per_step():
    picture = bar()  # four pixels thick
    thickness = lambda p: int((p[:, 14, 0] > 127).sum())  # noqa: E731 - rows of ink across the bar's middle
    assert thickness(one(picture, stroke_width=1.0)) == thickness(picture) + 2
    assert thickness(one(picture, stroke_width=2.0)) == thickness(picture) + 4
    assert thickness(one(picture, stroke_width=-1.0)) == thickness(picture) - 2
    half = one(picture, stroke_width=0.5).astype(int)
    assert (picture <= half).all() and (half <= one(picture, stroke_width=1.0)).all()


def test_only_the_knobs_that_move_pixels_take_the_picture_out_of_place():
    assert Settings().in_place and Settings(blur=1.0, noise=0.2, contrast=2.0, stroke_width=1.0).in_place
    assert not any(Settings(**{field: value}).in_place for field, value in
                   [("rotate", 5.0), ("shift_x", 0.1), ("shift_y", -0.1), ("scale", 1.5)])  # fmt: skip

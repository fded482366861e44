import numpy as np
import pytest
from PIL import Image

from models.ink import thinned, traced
from models.preprocess import photo_to_mnist
from models.strokes import strokes_to_mnist
from tests.conftest import SEVEN, seven_on_paper


def test_thinning_leaves_a_line_one_pixel_wide():
    bar = np.zeros((20, 40), bool)
    bar[8:13, 5:35] = True
    skeleton = thinned(bar)
    assert skeleton.sum() > 20
    assert skeleton.sum(axis=0).max() == 1  # one pixel in every column


@pytest.mark.parametrize("thickness", [6, 24])
def test_the_pens_width_is_measured_as_it_would_lie_in_mnists_box(thickness):
    ink = np.zeros((100, 260))
    ink[40 : 40 + thickness, 30:230] = 1.0  # 200 long: the box's 20 pixels
    trace = traced(ink)
    assert trace is not None
    assert trace.width == pytest.approx(thickness * 20 / 200, abs=0.35)


def test_no_ink_has_no_trace_and_a_dot_is_a_dot():
    assert traced(np.zeros((50, 50))) is None
    dot = np.zeros((50, 50))
    dot[20, 30] = 1.0
    trace = traced(dot)
    assert trace is not None
    field = strokes_to_mnist(trace.strokes())
    assert field.shape == (28, 28) and field.max() > 0


def test_texture_is_no_pens_line():
    speckles = (np.random.default_rng(0).random((400, 400)) > 0.97).astype(float)
    assert traced(speckles) is None
    assert photo_to_mnist(Image.fromarray(np.where(speckles > 0, 0, 230).astype(np.uint8))).shape == (28, 28)


def test_a_ballpoints_line_is_drawn_again_at_mnists_pen_weight():
    # 3 pixels of a 272-pixel-tall digit: scaled into the box, a fifth of a pixel wide and faint.
    field = photo_to_mnist(seven_on_paper(3)).astype(float)
    drawn = strokes_to_mnist(SEVEN).astype(float)
    assert field.max() >= 200
    assert 0.8 < field.sum() / drawn.sum() < 1.25
    assert np.corrcoef(field.ravel(), drawn.ravel())[0, 1] > 0.9


def test_a_markers_line_keeps_its_own_breadth():
    thin, broad = photo_to_mnist(seven_on_paper(3)).astype(float), photo_to_mnist(seven_on_paper(60)).astype(float)
    assert broad.sum() > 1.3 * thin.sum()

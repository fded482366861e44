"""Pen strokes -> the model input (models.strokes), and the pen digits read from UNIPEN files (models.pendigits)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from models import pendigits
from models.preprocess import strokes_to_mnist
from models.strokes import Drawing, draw_polyline, place_strokes, stroke_weight

SEVEN = [np.array([[0.3, 0.2], [0.7, 0.2], [0.45, 0.85]])]  # y points down: the bar is at the top
EIGHT = [np.column_stack([0.5 + 0.2 * np.sin(t), 0.35 - 0.15 * np.cos(t)]) for t in [np.linspace(0, 2 * np.pi, 60)]] + [
    np.column_stack([0.5 + 0.25 * np.sin(t), 0.65 + 0.2 * np.cos(t)]) for t in [np.linspace(0, 2 * np.pi, 60)]
]


def centre_of_mass(field: np.ndarray) -> np.ndarray:
    rows, cols = np.indices(field.shape)
    mass = field.astype(float).sum()
    return np.array([(rows * field).sum(), (cols * field).sum()]) / mass


def scaled(strokes: list[np.ndarray], height: float, centre: tuple[float, float]) -> list[np.ndarray]:
    """The same drawing at another size and place on the canvas."""
    everything = np.concatenate(strokes)
    middle = (everything.min(0) + everything.max(0)) / 2
    extent = (everything.max(0) - everything.min(0))[1]
    return [(stroke - middle) * height / extent + np.asarray(centre) for stroke in strokes]


def test_the_input_is_a_centred_28x28_uint8_field():
    field = strokes_to_mnist(EIGHT, 0.075)
    assert field.shape == (28, 28) and field.dtype == np.uint8
    assert field.max() == 255 and field.min() == 0
    np.testing.assert_allclose(centre_of_mass(field), [13.5, 13.5], atol=0.6)
    rows, cols = np.nonzero(field)
    assert rows.max() - rows.min() + 1 <= 21  # the 20x20 box, plus a pixel of anti-aliasing


def test_y_points_down_so_a_seven_keeps_its_bar_on_top():
    field = strokes_to_mnist(SEVEN, 0.075).astype(float)
    assert field.sum(axis=1).argmax() < 10  # the row with the most ink, the bar, is near the top


@pytest.mark.parametrize("brush", [0.03, 0.075, 0.15])
def test_the_same_digit_drawn_at_three_sizes_gives_nearly_the_same_input(brush):
    reference = strokes_to_mnist(scaled(EIGHT, 0.7, (0.5, 0.5)), 0.075).astype(float)
    for height, centre in ((0.3, (0.3, 0.7)), (0.6, (0.5, 0.45)), (0.9, (0.5, 0.5))):
        other = strokes_to_mnist(scaled(EIGHT, height, centre), brush).astype(float)
        assert np.abs(other - reference).mean() < 12  # of 255: the stroke weight hardly moves
        assert np.abs(other.sum() - reference.sum()) / reference.sum() < 0.35


def test_a_broad_brush_thickens_the_stroke_only_a_little():
    assert stroke_weight(0.03) < stroke_weight(0.075) < stroke_weight(0.15) <= 1.3 * stroke_weight(0.075)


@pytest.mark.parametrize(
    "strokes",
    [[], [np.zeros((0, 2))], [np.array([[0.5, 0.5]])], [np.array([[0.2, 0.5], [0.8, 0.5]])], [np.full((3, 2), np.nan)]],
    ids=["blank", "empty stroke", "a dot", "a straight line", "not a number"],
)
def test_degenerate_drawings_give_a_valid_input(strokes):
    field = strokes_to_mnist(strokes, 0.075)
    assert field.shape == (28, 28) and field.dtype == np.uint8
    if strokes and np.isfinite(strokes[0]).all() and len(strokes[0]):
        assert field.max() > 0
        np.testing.assert_allclose(centre_of_mass(field), [13.5, 13.5], atol=1.0)


def pen_path(rng: np.random.Generator) -> np.ndarray:
    """A wandering path on a 144-pixel picture, with straight runs, sharp turns and points repeated."""
    steps = rng.normal(0, 3, (int(rng.integers(2, 90)), 2))
    steps[rng.random(len(steps)) < 0.2] = 0  # a pen at rest
    run = rng.integers(len(steps))
    steps[run : run + 10] = steps[run]  # straight on
    steps[rng.random(len(steps)) < 0.1] *= -1  # doubling back
    return 72 + np.cumsum(steps, axis=0)


@pytest.mark.parametrize("width", [3, 5, 8, 9, 10, 11, 14])
def test_polylines_are_drawn_pixel_for_pixel_as_pillows_round_joints_draw_them(width):
    # The models learned from strokes drawn by Pillow's line(joint="curve"); the faster drawing must
    # not move a pixel of their input.
    rng = np.random.default_rng(width)
    for _ in range(40):
        xy = pen_path(rng)
        ours, pillows = Image.new("L", (144, 144)), Image.new("L", (144, 144))
        draw_polyline(ImageDraw.Draw(ours), xy, width)
        ImageDraw.Draw(pillows).line([tuple(point) for point in xy], fill=255, width=width, joint="curve")
        assert np.array_equal(np.asarray(ours), np.asarray(pillows))


def test_the_placement_maps_the_field_back_onto_the_canvas():
    field, placement = place_strokes(SEVEN, 0.075)
    assert placement is not None
    rows, cols = np.nonzero(field > 128)
    # Every inked field pixel lies within the drawing's bounding box on the canvas, give or take the stroke.
    xs = placement.left + (cols + 0.5) * placement.side / 28
    ys = placement.top + (rows + 0.5) * placement.side / 28
    assert xs.min() > 0.25 and xs.max() < 0.75 and ys.min() > 0.15 and ys.max() < 0.9
    assert place_strokes([], 0.075)[1] is None


def test_a_drawing_carries_its_strokes_and_brush():
    drawing = Drawing(tuple(SEVEN), 0.1)
    np.testing.assert_array_equal(strokes_to_mnist(drawing.strokes, drawing.brush), strokes_to_mnist(SEVEN, 0.1))


UNIPEN = """.INCLUDE dene.doc
.LEXICON "0" "1"
.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 3 1
.PEN_DOWN
 100 400
 300 400
 150 100
.PEN_UP
.SEGMENT DIGIT 1 ? "1"
.COMMENT 1 5 2
.PEN_DOWN
 200 400
 200 100
.PEN_UP
.PEN_DOWN
 190 100
 210 100
.PEN_UP
"""


def test_a_unipen_file_is_read_as_strokes_by_writer():
    digits = pendigits.parse(UNIPEN)
    assert [(d.label, d.writer, len(d.strokes)) for d in digits] == [(7, 3, 1), (1, 5, 2)]
    seven = strokes_to_mnist(pendigits.to_canvas(digits[0]), 0.075).astype(float)
    assert seven.sum(axis=1).argmax() < 10  # the tablet's y points up: flipped, the bar is on top


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        (UNIPEN.replace('? "7"', "?"), 3, "without a digit label"),
        (UNIPEN.replace(" 300 400\n", " 300\n"), 7, "is not a point"),
        (UNIPEN.replace(".PEN_UP\n.SEGMENT DIGIT 1", ".SEGMENT DIGIT 1"), 9, "not ended by .PEN_UP"),
        (UNIPEN.rsplit(".PEN_UP", 1)[0], 18, "ends inside a stroke"),  # cut off in the last stroke
    ],
    ids=["no label", "half a point", "stroke not ended", "truncated file"],
)
def test_a_bad_unipen_file_names_the_line(text, line, what):
    with pytest.raises(pendigits.PenDigitsError, match=rf"line {line}: .*{what}"):
        pendigits.parse(text, "bad.tra")


def test_writers_are_held_out_whole():
    digits = [
        pendigits.PenDigit((np.zeros((1, 2)),), label % 10, writer) for writer in range(1, 11) for label in range(5)
    ]
    train, val = pendigits.split_writers(digits, 3, seed=0)
    assert len(pendigits.writers(val)) == 3 and not set(pendigits.writers(val)) & set(pendigits.writers(train))
    assert len(train) + len(val) == len(digits)
    with pytest.raises(ValueError, match="10 pen-digit writers"):
        pendigits.split_writers(digits, 10, seed=0)


def test_missing_pen_digits_say_where_they_were_looked_for(tmp_path):
    with pytest.raises(pendigits.PenDigitsError, match=str(tmp_path / "pendigits")):
        pendigits.load(tmp_path)


def test_the_pen_digits_download_from_the_archive(tmp_path, monkeypatch):
    import io
    import urllib.request
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr(f"data/{pendigits.FILE}", UNIPEN)
    asked = []

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(url, timeout):
        asked.append(url)
        return Response(archive.getvalue())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    digits = pendigits.load(tmp_path, allow_download=True)
    assert asked == [pendigits.URL] and [d.label for d in digits] == [7, 1]
    assert (tmp_path / "pendigits" / pendigits.FILE).is_file()


def test_a_failed_download_says_what_to_do(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(url, timeout):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(pendigits.PenDigitsError, match="name resolution.*copy"):
        pendigits.load(tmp_path, allow_download=True)


def test_a_bend_moves_the_strokes_smoothly_and_a_little():
    from training.pen_data import bent

    rng = np.random.default_rng(0)
    line = [np.column_stack([np.linspace(0.2, 0.8, 50), np.full(50, 0.5)])]
    moved = bent(line, 0.05, rng)[0]
    shift = moved - line[0]
    assert 0 < np.abs(shift).max() <= 0.05 * 0.6 * 2  # two waves at most 0.05 / sqrt(2) of the size each
    assert np.abs(np.diff(shift, axis=0)).max() < 0.01  # neighbouring points move alike: no jitter
    digit = bent(EIGHT, 0.05, np.random.default_rng(1))
    bent_input, plain_input = strokes_to_mnist(digit).astype(float), strokes_to_mnist(EIGHT).astype(float)
    assert 0 < np.abs(bent_input - plain_input).mean() < 25  # still the eight, drawn by another hand


def test_a_run_that_learned_from_every_writer_leaves_none_to_measure_on():
    from models.card import TrainingRun

    everyone = TrainingRun(
        command="python -m training mnist_cnn --pen-writers-held-out 0", recipe={"pen_digits": 4}, epochs=1
    )
    with pytest.raises(pendigits.PenDigitsError, match="every writer"):
        pendigits.unseen_by([], everyone)

import numpy as np
import pytest
from PIL import Image, ImageOps

from models.errors import ImageError
from models.preprocess import ink_to_mnist, paper_of, photo_to_mnist, to_native
from models.registry import CIFAR10, MNIST
from tests.conftest import seven_on_paper


def extent(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(image)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(image.shape)
    mass = image.astype(float).sum()
    return (ys * image).sum() / mass, (xs * image).sum() / mass


def test_digit_scaled_into_the_20x20_box():
    canvas = np.zeros((400, 400), np.uint8)
    canvas[50:350, 180:220] = 255  # a tall stroke, 300 x 40
    digit = ink_to_mnist(canvas)
    height, width = extent(digit)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    assert height in (20, 21)  # 20 plus at most one anti-aliased edge row
    assert width <= 5


def test_aspect_ratio_is_kept():
    canvas = np.zeros((300, 300), np.uint8)
    canvas[100:150, 50:250] = 255  # 200 wide, 50 high: 4 to 1
    height, width = extent(ink_to_mnist(canvas))
    assert width in (20, 21)
    assert 4 <= height <= 7


def test_centre_of_mass_lands_in_the_middle():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[10:60, 200:270] = 255  # ink in a corner
    canvas[10:200, 200:215] = 255
    cy, cx = centre_of_mass(ink_to_mnist(canvas))
    assert abs(cy - 13.5) <= 0.75 and abs(cx - 13.5) <= 0.75


def test_small_drawing_is_enlarged():
    canvas = np.zeros((500, 500), np.uint8)
    canvas[240:250, 240:245] = 200
    assert max(extent(ink_to_mnist(canvas))) >= 20


def test_blank_canvas_gives_zeros():
    assert not ink_to_mnist(np.zeros((100, 80))).any()


def test_zero_to_one_and_zero_to_255_agree():
    canvas = np.zeros((120, 120), np.float32)
    canvas[20:100, 50:70] = 1.0
    as_floats = ink_to_mnist(canvas)
    as_bytes = ink_to_mnist((canvas * 255).astype(np.uint8))
    assert np.array_equal(as_floats, as_bytes)
    assert as_floats.max() == 255


def test_canvas_must_be_two_dimensional():
    with pytest.raises(ImageError, match="2-D"):
        ink_to_mnist(np.zeros((10, 10, 3)))


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "I;16", "I", "F"])
@pytest.mark.parametrize("dataset", [MNIST, CIFAR10], ids=["mnist", "cifar10"])
def test_every_mode_becomes_native_input(mode, dataset):
    image = Image.fromarray(np.random.default_rng(0).integers(0, 255, (37, 53, 3), dtype=np.uint8)).convert(mode)
    native = to_native(image, dataset)
    assert native.shape == (dataset.image_size, dataset.image_size, dataset.channels)
    assert native.dtype == np.uint8


def test_sixteen_bit_and_integer_images_are_scaled_not_clipped():
    sixteen = np.full((28, 28), 65535, np.uint16)
    sixteen[:, :14] = 30000  # mid-grey: 116 once scaled, 255 if clipped
    assert np.unique(to_native(Image.fromarray(sixteen), MNIST)).tolist() == [116, 255]
    wide = np.zeros((28, 28), np.int32)
    wide[:, 10:20], wide[:, 20:] = 50_000, 100_000  # 32-bit "I": stretched from its darkest to its brightest
    assert np.unique(to_native(Image.fromarray(wide), MNIST)).tolist() == [0, 127, 255]


def test_transparency_lies_on_black_for_digits_and_white_for_photos():
    clear = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    assert to_native(clear, MNIST).max() == 0
    assert to_native(clear, CIFAR10).min() == 255


@pytest.mark.parametrize("size", [(1, 1), (3000, 20), (28, 28), (640, 480)])
def test_any_size(size):
    image = Image.new("L", size, 128)
    assert to_native(image, MNIST).shape == (28, 28, 1)
    assert to_native(image, CIFAR10).shape == (32, 32, 3)


def test_native_arrays_pass_through_unchanged():
    array = np.random.default_rng(1).integers(0, 255, (28, 28), dtype=np.uint8)
    assert np.array_equal(to_native(array, MNIST)[..., 0], array)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("picture.png", "PIL image or a numpy array"),
        (np.zeros((28, 28), np.float32), "uint8"),
        (np.zeros((4, 28, 28, 3), np.uint8), "shape"),
        (np.zeros((0, 5), np.uint8), "empty"),
    ],
)
def test_things_that_are_not_images(bad, message):
    with pytest.raises(ImageError, match=message):
        to_native(bad, MNIST)


def test_a_file_claiming_a_giant_size_is_refused_with_its_limit(tmp_path):
    import struct
    import zlib

    from PIL import Image

    from models.images import open_image

    path = tmp_path / "bomb.png"
    Image.new("L", (8, 8)).save(path)
    png = bytearray(path.read_bytes())
    png[16:24] = struct.pack(">II", 20_000, 10_000)  # the header now claims 200 megapixels
    png[29:33] = struct.pack(">I", zlib.crc32(png[12:29]))
    path.write_bytes(png)
    with pytest.raises(ImageError, match="bomb.png has more than 178 megapixels"):
        open_image(path)


@pytest.mark.parametrize("shape", [(1, 100_000), (100_000, 1), (3, 60_000)])
def test_extreme_aspect_ratios_are_reduced_before_padding(shape):
    import tracemalloc

    strip = np.full(shape, 200, np.uint8)
    tracemalloc.start()
    for dataset in (MNIST, CIFAR10):
        assert to_native(strip, dataset).shape == (dataset.image_size, dataset.image_size, dataset.channels)
    assert photo_to_mnist(strip).shape == (28, 28)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20_000_000  # padded to a square first, the strip took 10 GB


def test_a_phone_photo_is_turned_upright_by_its_exif_orientation(tmp_path):
    from models.images import open_image

    upright = Image.new("L", (40, 60), 0)
    upright.paste(255, (0, 0, 40, 10))  # a bar along the top of the upright picture
    # Stored as a phone stores it: turned a quarter, with Orientation 6 saying how to turn it back.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(tmp_path / "phone.jpg", exif=exif.tobytes(), quality=95)
    shown = np.asarray(open_image(tmp_path / "phone.jpg"))
    assert shown.shape == (60, 40)
    assert shown[:10].mean() > 200 and shown[20:].mean() < 50


def test_files_that_are_not_pictures_say_what_they_are(tmp_path):
    import os

    from models.images import image_pixels, open_image

    os.mkfifo(tmp_path / "pipe.png")  # opening it to read would wait for a writer for ever
    (tmp_path / "loop.png").symlink_to(tmp_path / "loop.png")
    for read in (open_image, image_pixels):
        with pytest.raises(ImageError, match="not a file but a pipe"):
            read(tmp_path / "pipe.png")
        with pytest.raises(ImageError, match="a link that leads back to itself"):
            read(tmp_path / "loop.png")


def test_a_file_without_read_permission_says_so(tmp_path, monkeypatch):
    from models.images import open_image

    Image.new("L", (8, 8)).save(tmp_path / "locked.png")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Image, "open", denied)  # the tests may run as root, whom no permission stops
    with pytest.raises(ImageError, match="locked.png cannot be read: permission denied"):
        open_image(tmp_path / "locked.png")


def test_paper_lying_turned_on_a_dark_desk_reads_as_the_paper_alone():
    paper = seven_on_paper(8)
    turned = paper.rotate(8, Image.Resampling.BILINEAR, fillcolor=230)
    on_desk = ImageOps.expand(paper, border=40, fill=50).rotate(8, Image.Resampling.BILINEAR, fillcolor=50)
    alone, lying = photo_to_mnist(turned).astype(float), photo_to_mnist(on_desk).astype(float)
    assert np.corrcoef(alone.ravel(), lying.ravel())[0, 1] > 0.9


def test_light_ink_on_black_is_not_taken_for_paper_on_a_desk():
    gray = np.asarray(ImageOps.invert(seven_on_paper(80)), np.float32)  # a broad light stroke on black
    assert paper_of(gray) is gray


def test_a_desk_along_one_side_is_painted_over_but_paper_lit_from_one_side_keeps_its_ink():
    paper = seven_on_paper(8)
    beside_desk = ImageOps.expand(paper, border=(0, 0, 0, 70), fill=50)
    alone, beside = photo_to_mnist(paper).astype(float), photo_to_mnist(beside_desk).astype(float)
    assert np.corrcoef(alone.ravel(), beside.ravel())[0, 1] > 0.9
    shading = np.linspace(-80, 80, 400)[None, :]  # from 150 to 310 (clipped) across the paper
    lit = Image.fromarray(np.clip(np.asarray(paper, np.float32) + shading, 0, 255).astype(np.uint8))
    assert np.corrcoef(alone.ravel(), photo_to_mnist(lit).astype(float).ravel())[0, 1] > 0.9

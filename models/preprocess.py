"""Turn any picture into what a model was trained on, with numpy and Pillow only.

Nothing here imports torch, so the app can prepare previews before torch has loaded.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

from models.errors import ImageError
from models.ink import traced
from models.registry import DatasetSpec, Preparation
from models.strokes import BOX, FIELD, WEIGHT, Drawing, FieldPlacement, place_strokes, strokes_to_mnist

__all__ = ["ImageLike", "ink_to_mnist", "paper_of", "photo_to_mnist", "prepare", "strokes_to_mnist", "to_native"]

DESK_CONTRAST = 48  # levels by which a desk under the paper is darker than the paper
DESK_SIDE = 128  # the desk is found on the photo shrunk to this side: its edge needs no finer detail
WORKING_SIDE = 512  # pictures are shrunk to this longer side first: padding a 1x100000 strip took 10 GB

ImageLike = Image.Image | np.ndarray


def as_pil(image: ImageLike) -> Image.Image:
    """A PIL image from a PIL image or a uint8 array of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)."""
    if isinstance(image, Image.Image):
        return image
    if not isinstance(image, np.ndarray):
        raise ImageError(f"Expected a PIL image or a numpy array, got {type(image).__name__}.")
    if image.dtype != np.uint8:
        raise ImageError(f"Image arrays must be uint8 (0-255), got {image.dtype}; convert with array.astype(np.uint8).")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
        raise ImageError(f"An image array must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4); got shape {image.shape}.")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ImageError(f"The image is empty (shape {image.shape}).")
    return Image.fromarray(image)


def reduced(image: Image.Image) -> Image.Image:
    """The picture at most WORKING_SIDE pixels on its longer side, its aspect kept; far more than
    any model sees, and what keeps padding and per-pixel work small whatever the picture's shape."""
    if max(image.size) <= WORKING_SIDE:
        return image
    smaller = image.copy()
    smaller.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BOX)
    return smaller


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float images, scaled into 0-255 (Pillow's convert would clip them)."""
    values = np.asarray(image, dtype=np.float64)
    if image.mode.startswith("I;16"):
        values = values / 257.0
    else:
        lo, hi = values.min(), values.max()
        values = (values - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(values)
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def convert_mode(image: Image.Image, mode: str, background: int) -> Image.Image:
    """Convert to "L" or "RGB", laying any transparency over a plain background."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        image = _to_8bit(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (background, background, background, 255))
        image = Image.alpha_composite(canvas, rgba)
    return image.convert(mode)


def to_native(image: ImageLike, dataset: DatasetSpec) -> np.ndarray:
    """The image as the dataset's native input: a (size, size, channels) uint8 array.

    Gray datasets hold light ink on black, so transparency becomes black and non-square
    pictures are padded; photo datasets lay transparency on white and crop to the centre.
    """
    size, channels = dataset.image_size, dataset.channels
    if isinstance(image, np.ndarray) and image.dtype == np.uint8:
        if channels == 1 and image.shape in ((size, size), (size, size, 1)):
            return image.reshape(size, size, 1)
        if channels == 3 and image.shape == (size, size, 3):
            return image
    pil = as_pil(image)
    if pil.width == 0 or pil.height == 0:
        raise ImageError(f"The image is empty ({pil.width}x{pil.height}).")
    gray = channels == 1
    pil = convert_mode(reduced(pil), "L" if gray else "RGB", background=0 if gray else 255)
    if pil.width != pil.height:
        side = max(pil.size) if gray else min(pil.size)
        pil = ImageOps.pad(pil, (side, side), color=0) if gray else ImageOps.fit(pil, (side, side))
    if pil.size != (size, size):
        pil = pil.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=3.0)
    array = np.asarray(pil, dtype=np.uint8)
    return array.reshape(size, size, channels)


def _ink_values(ink: np.ndarray) -> np.ndarray:
    ink = np.asarray(ink)
    if ink.ndim != 2:
        raise ImageError(f"ink_to_mnist takes a 2-D array, got shape {ink.shape}.")
    values = ink.astype(np.float32)
    if values.max(initial=0) <= 1.0:  # ink given as 0-1 (floats, booleans or a 0/1 mask)
        values *= 255.0
    return np.clip(values, 0, 255)


def ink_to_mnist(ink: np.ndarray) -> np.ndarray:
    """An ink picture (a photo's, once inverted) as MNIST prepared its digits: a (28, 28) uint8 array.

    `ink` is a 2-D array, high where there is ink (up to 255, or up to 1.0 for floats). The ink's
    bounding box is scaled with anti-aliasing to fit a 20x20 box, keeping its aspect ratio, and
    placed so that its centre of mass is at the centre of the field. Drawings on the canvas take
    models.strokes instead, which draws their strokes at MNIST's weight.
    """
    values = _ink_values(ink)
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    rows, cols = np.nonzero(values)
    if rows.size == 0:
        return field.astype(np.uint8)
    digit = values[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    h, w = digit.shape
    scale = BOX / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    digit = np.asarray(Image.fromarray(digit, mode="F").resize((new_w, new_h), Image.Resampling.LANCZOS))
    digit = np.clip(digit, 0, 255)
    mass = digit.sum()
    if mass <= 0:
        return field.astype(np.uint8)
    ys, xs = np.indices(digit.shape)
    com_y, com_x = (ys * digit).sum() / mass, (xs * digit).sum() / mass
    centre = (FIELD - 1) / 2
    top, left = round(centre - com_y), round(centre - com_x)
    # Paste with clipping: a lopsided digit may be shifted partly out of the field, as in MNIST.
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + new_h, FIELD), min(left + new_w, FIELD)
    field[y0:y1, x0:x1] = digit[y0 - top : y1 - top, x0 - left : x1 - left]
    return np.round(field).astype(np.uint8)


def paper_of(gray: np.ndarray) -> np.ndarray:
    """A gray photo with what the paper lies on (a desk, a table: darker than the paper, along one
    side of the border or more) painted over in the shade of the paper beside it; the picture as it
    is where its border is the paper. The desk is the shade of the dark border that reaches the
    border: paper lit from one side darkens into its shade only at its edge, and ink of the desk's
    shade that runs into the desk is painted over with it."""
    paper = np.median(gray)  # the paper covers most of a photo of a digit on paper
    step = -(-max(gray.shape) // DESK_SIDE)
    small = gray[::step, ::step]
    dark = small <= paper - DESK_CONTRAST
    dark_border = _border(dark)
    if dark_border.mean() <= 0.1:  # the background is read from the border's lightest tenth
        return gray
    # The desk is of one shade: the dark of the border, not the darker ink that may touch it.
    desk_shade = np.median(_border(small)[dark_border])
    dark &= np.abs(small - desk_shade) < DESK_CONTRAST / 2
    desk = np.zeros_like(dark)
    desk[[0, -1], :], desk[:, [0, -1]] = dark[[0, -1], :], dark[:, [0, -1]]
    while True:  # the desk's shade that reaches the border, not the like shade of ink on the paper
        grown = _dilated(desk) & dark
        if (grown == desk).all():
            break
        desk = grown
    edge = _dilated(desk) & ~desk  # the paper's edge along the desk, half desk, half paper
    beside = _dilated(edge) & ~desk & ~edge  # the paper beside it: its shade, so that no step is left
    paper_shade = np.median(small[beside]) if beside.any() else paper
    covered = np.kron(desk | edge, np.ones((step, step), bool))[: gray.shape[0], : gray.shape[1]]
    return np.where(covered, paper_shade, gray)


def _border(picture: np.ndarray) -> np.ndarray:
    """The values along a 2-D picture's four sides."""
    return np.concatenate([picture[0], picture[-1], picture[:, 0], picture[:, -1]])


def _dilated(mask: np.ndarray) -> np.ndarray:
    """Each pixel of a boolean mask and its eight neighbours."""
    padded = np.pad(mask, 1)
    height, width = mask.shape
    grown = np.zeros_like(mask)
    for row in range(3):
        for col in range(3):
            grown |= padded[row : row + height, col : col + width]
    return grown


def photo_to_mnist(image: ImageLike) -> np.ndarray:
    """A photo or scan of a digit, dark on light paper or light on dark, as MNIST would show it.

    A desk or table around the paper is painted over (paper_of), and the background is found from
    the picture's border; light paper is inverted so that ink is high, and the paper's own shade and
    texture are subtracted. A line that would come out thinner than half MNIST's pen once scaled
    into the box (a ballpoint's, a fine liner's) is traced and drawn again as the canvas draws
    (models.ink); a broader one is centred and scaled as ink_to_mnist does.
    """
    gray = paper_of(np.asarray(convert_mode(reduced(as_pil(image)), "L", background=255), dtype=np.float32))
    border = _border(gray)
    if np.median(border) > 127:
        gray = 255.0 - gray
        border = 255.0 - border
    background = np.percentile(border, 90)
    span = gray.max() - background
    if span < 32:  # no ink stands out from the paper
        return np.zeros((FIELD, FIELD), dtype=np.uint8)
    ink = np.clip((gray - background) / span, 0.0, 1.0)
    ink[ink < 0.2] = 0.0  # shadows and paper grain
    trace = traced(ink)
    if trace is not None and trace.width < WEIGHT / 2:
        return strokes_to_mnist(trace.strokes())
    return ink_to_mnist(ink)


def prepare(image: ImageLike | Drawing, preparation: Preparation) -> tuple[ImageLike, FieldPlacement | None]:
    """The picture as a model's input still needs it, and for a drawing where the field lies on the canvas."""
    if preparation is Preparation.DRAWING:
        if not isinstance(image, Drawing):
            raise ImageError(f"A drawing is needed here, not a {type(image).__name__}.")
        return place_strokes(image.strokes, image.brush)
    if isinstance(image, Drawing):
        raise ImageError("A drawing must be asked about as Preparation.DRAWING.")
    if preparation is Preparation.PHOTO_OF_DIGIT:
        return photo_to_mnist(image), None
    return image, None

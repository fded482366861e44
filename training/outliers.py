"""Pictures unlike anything a model was trained on, for choosing and checking its unfamiliarity score.

Each set comes as the app would hand it to the model: letters and symbols are drawn on the canvas's
own path (models.strokes) from the machine's fonts, photos go to the digit models through the path
for a photo of a digit, digits go to the photo models as a photo. They are the project's own
stand-ins: the figures that count are measured elsewhere on real pictures, so no set is tuned to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from models.ink import skeleton_strokes, thinned
from models.preprocess import photo_to_mnist, to_native
from models.registry import DATASETS
from models.strokes import BRUSHES, DEFAULT_BRUSH, strokes_to_mnist

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts", Path("/Library/Fonts"))

# Glyphs that a person could read as a digit are left out: O and o (0), I and l (1), Z and z (2),
# S and s (5), G and b (6), B (8), g and q (9), lines that make a 1, and their like in other scripts
# (Ч and ч: 4, б: 6, ו: 1, ס: 0).
LETTERS = "ACEFHJKLMNPRTUVWXYacdefhkmnprtuvwxy"
SYMBOLS = "+=%&#@?!*$<>{}~^÷×∞√∑∫≈≠€£¥§¶"
OTHER_SCRIPTS = "αβγδεζηθλμξπρσφψωΓΔΘΛΞΠΣΦΨΩБГДЖИЛФЦШЩЪЫЭЮЯгджилфцшщъыэюяאבגדהחטכלמנעפצקרשת"
GLYPH_PIXELS = 96  # glyphs are drawn this tall, then thinned to the line a pen would trace


def font_files() -> list[Path]:
    """The TrueType and OpenType fonts on this machine, sorted."""
    found = {path for folder in FONT_DIRS if folder.is_dir() for path in folder.rglob("*.[ot]tf")}
    return sorted(found)


def glyph_drawing(character: str, font: ImageFont.FreeTypeFont) -> np.ndarray | None:
    """A character drawn with a pen on the canvas, as MNIST's models read it; None where the font has no ink for it."""
    side = GLYPH_PIXELS * 2
    picture = Image.new("L", (side, side), 0)
    ImageDraw.Draw(picture).text((side / 2, side / 2), character, fill=255, font=font, anchor="mm")
    mask = np.asarray(picture) > 127
    if mask.sum() < 20:
        return None
    return strokes_to_mnist(skeleton_strokes(thinned(mask)), DEFAULT_BRUSH)


def glyphs(characters: str, fonts: list[Path]) -> np.ndarray:
    """Each character in each font that has it, drawn with a pen: (N, 28, 28) uint8."""
    drawings = []
    for path in fonts:
        font = ImageFont.truetype(str(path), GLYPH_PIXELS)
        for character in characters:
            if font.getmask(character).getbbox() is None or _missing(font, character):
                continue
            drawing = glyph_drawing(character, font)
            if drawing is not None:
                drawings.append(drawing)
    return np.stack(drawings) if drawings else np.zeros((0, 28, 28), np.uint8)


def _missing(font: ImageFont.FreeTypeFont, character: str) -> bool:
    """A font without a glyph draws its 'missing' box, the same as for a private-use character."""
    return bytes(font.getmask(character)) == bytes(font.getmask("\ue000"))


def scribbles(count: int, seed: int) -> np.ndarray:
    """Random pen scribbles: one to three wandering strokes each, drawn on the canvas path."""
    rng = np.random.default_rng(seed)
    drawings = []
    for _ in range(count):
        strokes = []
        for _ in range(rng.integers(1, 4)):
            turns = np.cumsum(rng.normal(0, 0.9, rng.integers(20, 60)))
            steps = np.column_stack([np.cos(turns), np.sin(turns)]) * rng.uniform(0.01, 0.04)
            strokes.append(np.clip(rng.uniform(0.2, 0.8, 2) + np.cumsum(steps, axis=0), 0, 1))
        drawings.append(strokes_to_mnist(strokes, float(rng.uniform(*BRUSHES))))
    return np.stack(drawings)


def noise(count: int, size: int, channels: int, seed: int) -> np.ndarray:
    """Half uniform noise in every pixel, half smooth coloured blotches: (N, size, size, channels) uint8."""
    rng = np.random.default_rng(seed)
    fine = rng.integers(0, 256, (count - count // 2, size, size, channels), dtype=np.uint8)
    coarse = rng.integers(0, 256, (count // 2, 4, 4, channels), dtype=np.uint8)
    blotches = [
        np.asarray(
            Image.fromarray(c.squeeze(-1) if channels == 1 else c).resize((size, size), Image.Resampling.BICUBIC)
        )
        for c in coarse
    ]
    smooth = np.stack(blotches).reshape(count // 2, size, size, channels) if blotches else fine[:0]
    return np.concatenate([fine, smooth])


def patterns(count: int, seed: int) -> np.ndarray:
    """Stripes, checkerboards and colour gradients at random angles and colours: (N, 32, 32, 3) uint8."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:32, 0:32] / 32
    pictures = []
    for index in range(count):
        angle = rng.uniform(0, np.pi)
        along = np.cos(angle) * cols + np.sin(angle) * rows
        across = -np.sin(angle) * cols + np.cos(angle) * rows
        period = rng.uniform(0.1, 0.5)
        kind = index % 3
        if kind == 0:
            mix = (np.sin(2 * np.pi * along / period) > 0).astype(float)
        elif kind == 1:
            mix = ((np.floor(along / period) + np.floor(across / period)) % 2).astype(float)
        else:
            mix = np.clip(along, 0, 1)
        first, second = rng.integers(0, 256, (2, 3))
        pictures.append(np.round(mix[..., None] * first + (1 - mix[..., None]) * second).astype(np.uint8))
    return np.stack(pictures)


def close_ups(photos: np.ndarray, count: int, seed: int) -> np.ndarray:
    """An eighth of a photo's area blown up to the whole picture: texture without an object."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(photos), count, replace=False)
    crops = []
    for index in picks:
        top, left = rng.integers(0, 32 - 11, 2)
        crop = Image.fromarray(photos[index][top : top + 11, left : left + 11]).resize(
            (32, 32), Image.Resampling.BICUBIC
        )
        crops.append(np.asarray(crop))
    return np.stack(crops)


def for_digit_models(photos: np.ndarray, seed: int = 0) -> Iterator[tuple[str, Callable[[], np.ndarray]]]:
    """(name, maker of (N, 28, 28, 1) uint8 pictures) for each unfamiliar set the digit models are checked on."""
    fonts = font_files()
    yield "letters", lambda: glyphs(LETTERS, fonts)[..., None]
    yield "symbols", lambda: glyphs(SYMBOLS, fonts)[..., None]
    yield "other scripts", lambda: glyphs(OTHER_SCRIPTS, fonts)[..., None]
    yield "scribbles", lambda: scribbles(1000, seed)[..., None]
    yield "noise", lambda: as_photos_of_digits(noise(1000, 28, 1, seed)[..., 0])
    yield "photos", lambda: as_photos_of_digits(photos[:1000])


def as_photos_of_digits(pictures: np.ndarray) -> np.ndarray:
    """Pictures as the app hands a user's picture to a digit model (models.preprocess.photo_to_mnist)."""
    return np.stack([photo_to_mnist(picture) for picture in pictures])[..., None]


def for_photo_models(
    photos: np.ndarray, digits: np.ndarray, seed: int = 0
) -> Iterator[tuple[str, Callable[[], np.ndarray]]]:
    """(name, maker of (N, 32, 32, 3) uint8 pictures) for each unfamiliar set the photo models are checked on."""
    cifar = DATASETS["cifar10"]
    fonts = font_files()
    yield "digits", lambda: np.stack([to_native(digit, cifar) for digit in digits[:1000]])
    yield "letters", lambda: np.stack([to_native(g, cifar) for g in glyphs(LETTERS, fonts)])
    yield "noise", lambda: noise(1000, 32, 3, seed)
    yield "patterns", lambda: patterns(1000, seed)
    yield "close-ups", lambda: close_ups(photos, 1000, seed)

"""Pictures of no object, for outlier exposure (training.exposure) of the photo models.

They come from families of their own, made apart from the sets that training.outliers checks the
unfamiliarity score on (digits, letters, noise, stripes and checkerboards, close-ups of photos):
- dead leaves: discs and boxes of random colours and sizes, each covering those before it, a
  classic model of how natural pictures are built of occluding surfaces, with no object in them;
- shuffled tiles: a training photo cut into a 4x4 grid of tiles put back in random places, the
  colours and textures of real photos with their object taken apart.
"""

from __future__ import annotations

import numpy as np

SIDE = 32
TILES = 4  # tiles along each side of a shuffled photo


def dead_leaves(rng: np.random.Generator) -> np.ndarray:
    """(32, 32, 3) uint8: discs and boxes of random colours, sizes spread from a pixel to the picture."""
    picture = np.empty((SIDE, SIDE, 3), np.uint8)
    picture[:] = rng.integers(0, 256, 3)
    rows, cols = np.mgrid[0:SIDE, 0:SIDE]
    for _ in range(rng.integers(20, 60)):
        radius = SIDE / 2 * rng.uniform(0.05, 1.0) ** 2  # many small, few large
        row, col = rng.uniform(0, SIDE, 2)
        if rng.random() < 0.5:
            inside = (rows - row) ** 2 + (cols - col) ** 2 <= radius**2
        else:
            inside = (np.abs(rows - row) <= radius) & (np.abs(cols - col) <= radius * rng.uniform(0.3, 1.5))
        picture[inside] = rng.integers(0, 256, 3)
    return picture


def shuffled_tiles(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(32, 32, 3) uint8: `photo`'s tiles in a random order."""
    size = SIDE // TILES
    tiles = photo.reshape(TILES, size, TILES, size, 3).transpose(0, 2, 1, 3, 4).reshape(TILES * TILES, size, size, 3)
    tiles = tiles[rng.permutation(TILES * TILES)]
    return tiles.reshape(TILES, TILES, size, size, 3).transpose(0, 2, 1, 3, 4).reshape(SIDE, SIDE, 3)


def render(count: int, seed: int, photos: np.ndarray) -> np.ndarray:
    """(count, 32, 32, 3) uint8 pictures, the two families taking turns; `photos` are (N, 32, 32, 3) training photos."""
    rng = np.random.default_rng(seed)
    pictures = [
        dead_leaves(rng) if index % 2 == 0 else shuffled_tiles(photos[rng.integers(len(photos))], rng)
        for index in range(count)
    ]
    return np.stack(pictures) if pictures else np.zeros((0, SIDE, SIDE, 3), np.uint8)

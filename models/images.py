"""Reading the user's image files, with a clear message for anything that is not a usable picture."""

from __future__ import annotations

import errno
import os
import stat
import warnings
from pathlib import Path
from typing import cast

from PIL import Image, ImageOps, UnidentifiedImageError

from models.errors import ImageError

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tif", ".tiff")
FORMATS = "PNG, JPEG, BMP, WebP, GIF or TIFF"
KEEP_SIDE = 2048  # larger pictures are shrunk on opening: the models see 32 pixels at most

# Pillow warns of pictures over its pixel limit before it refuses those over twice that; what a
# picture may be is decided here. Filtered for the whole process, not in catch_warnings: that
# restores every thread's filters on leaving, and pictures are read on many threads while the
# models' tracing has its own filters set (models/classifier.py).
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def check_file(path: Path) -> None:
    """Say what is wrong with a path that is not a readable regular file, before anything opens it:
    a named pipe would block its reader for ever."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ImageError(f"{path} does not exist.") from None
    except PermissionError:
        raise ImageError(f"{path.name} cannot be read: permission denied. Check its permissions.") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ImageError(f"{path.name} is a link that leads back to itself (a loop of links).") from None
        raise ImageError(f"{path.name} cannot be read ({error.strerror or error}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(f"{path} is a folder; use Open Folder for folders.")
    if not stat.S_ISREG(info.st_mode):
        raise ImageError(f"{path.name} is not a file but a pipe, a device or a socket; only picture files open.")


def open_image(path: Path | str, max_side: int = KEEP_SIDE) -> Image.Image:
    """The picture in a file, fully decoded, turned upright as its EXIF orientation says (a phone's
    photo), and at most `max_side` pixels on its longer side."""
    path = Path(path)
    name = path.name
    check_file(path)
    try:
        with Image.open(path) as image:
            image.draft("RGB", (max_side, max_side))  # JPEGs decode straight at a smaller scale
            image.load()
            picture = ImageOps.exif_transpose(image)
    except PermissionError:
        raise ImageError(f"{name} cannot be read: permission denied. Check its permissions.") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image that can be read. Use a {FORMATS} file.") from None
    except Image.DecompressionBombError:
        # Pillow refuses pictures over twice its MAX_IMAGE_PIXELS (179 megapixels): decoding one
        # takes gigabytes, and a tiny file can claim such a size. A limit of None refuses none, so
        # here it is a number.
        limit = 2 * cast(int, Image.MAX_IMAGE_PIXELS) // 1_000_000
        raise ImageError(
            f"{name} has more than {limit} megapixels, more than visionlab opens. Scale it down and open it again."
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"{name} is damaged or incomplete ({error}). Try saving it again.") from None
    if picture.width == 0 or picture.height == 0:
        raise ImageError(f"{name} has no pixels.")
    picture.thumbnail((max_side, max_side))
    return picture


def image_pixels(path: Path | str) -> int:
    """The number of pixels a picture file holds, read from its header alone."""
    check_file(Path(path))
    try:
        with Image.open(path) as image:
            return image.width * image.height
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as error:
        raise ImageError(f"{Path(path).name} cannot be read ({error}).") from None


def image_files(folder: Path | str) -> list[Path]:
    """The image files in a folder and its subfolders, by their names' endings, sorted by path.

    Links to folders are not followed: a link back up the tree would never end.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ImageError(f"{folder} is not a folder.")
    problems: list[OSError] = []
    found = [
        Path(top, name)
        for top, _, names in os.walk(folder, onerror=problems.append)
        for name in names
        if Path(name).suffix.lower() in SUFFIXES and Path(top, name).is_file()
    ]
    if problems and not found:
        reason = problems[0].strerror or problems[0]
        raise ImageError(f"Could not read the folder {folder}: {reason}. Check its permissions.")
    return sorted(found)


def is_picture(path: Path | str) -> bool:
    """Whether a file holds a picture that can be read, judged by its header alone."""
    try:
        image_pixels(path)
    except ImageError:
        return False
    return True

"""Fetch MNIST or CIFAR-10 from torchvision's sources, with progress reports and a way to cancel.

The files, checksums and folder layout are torchvision's own, so what lands on disk is what
`torchvision.datasets.MNIST(root)` and `CIFAR10(root)` would have downloaded.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from pathlib import Path

from models.errors import ModelError

CHUNK = 1 << 16
TIMEOUT_S = 30

Progress = Callable[[int, int], None]  # (bytes of the current file done, its size; 0 when unknown)


class DownloadCancelled(ModelError):
    pass


class DownloadFailed(ModelError):
    pass


def _sources(dataset: str) -> list[tuple[list[str], str, str, Path]]:
    """(candidate URLs, file name, md5, folder relative to root) for each file of a dataset."""
    from torchvision.datasets import CIFAR10, MNIST

    if dataset == "mnist":
        return [([m + name for m in MNIST.mirrors], name, md5, Path("MNIST", "raw")) for name, md5 in MNIST.resources]
    return [([CIFAR10.url], CIFAR10.filename, CIFAR10.tgz_md5, Path("."))]


def _fetch(url: str, target: Path, progress: Progress, cancelled: Callable[[], bool]) -> None:
    """One file, reporting its own bytes; a partial file never takes the target's name."""
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while chunk := response.read(CHUNK):
                if cancelled():
                    raise DownloadCancelled("The download was cancelled.")
                out.write(chunk)
                done += len(chunk)
                progress(done, total)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def download(
    dataset: str,
    root: Path | str,
    progress: Progress = lambda done, total: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """Download and unpack a dataset into `root`, trying each mirror in turn."""
    from torchvision.datasets.utils import check_integrity, extract_archive

    root = Path(root).expanduser()
    for urls, name, md5, folder in _sources(dataset):
        target = root / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not check_integrity(str(target), md5):
            reasons = []
            for url in urls:
                try:
                    _fetch(url, target, progress, cancelled)
                    break
                except DownloadCancelled:
                    raise
                except (OSError, HTTPException) as error:  # refused, timed out, cut short, disk full
                    reasons.append(f"{url}: {getattr(error, 'reason', error)}")
            else:
                raise DownloadFailed(
                    f"Could not download {name} into {root}. "
                    + "; ".join(reasons)
                    + ". Check the internet connection, or copy the dataset there by hand."
                )
            if not check_integrity(str(target), md5):
                target.unlink(missing_ok=True)
                raise DownloadFailed(f"{name} arrived damaged (its checksum does not match). Try again.")
        # Unpacked as torchvision does, replacing any damaged copy of the files.
        extract_archive(str(target), str(root if dataset == "cifar10" else target.parent))

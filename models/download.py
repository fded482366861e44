"""Fetch a registered dataset from torchvision's sources, with progress reports and a way to cancel.

The files, checksums and folder layout are those of the torchvision dataset class the registry names
(`DatasetSpec.source`), so what lands on disk is what, say, `torchvision.datasets.MNIST(root)` would have downloaded.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from pathlib import Path

from models import registry
from models.datasets import IDX_PREFIXES
from models.errors import ModelError

CHUNK = 1 << 16
TIMEOUT_S = 30

Progress = Callable[[int, int], None]  # (bytes of the current file done, its size; 0 when unknown)


class DownloadCancelled(ModelError):
    pass


class DownloadFailed(ModelError):
    pass


def _sources(spec: registry.DatasetSpec, splits: tuple[str, ...]) -> list[tuple[list[str], str, str, Path]]:
    """(candidate URLs, file name, md5, folder relative to root) for each file that the splits need."""
    import torchvision.datasets

    source = getattr(torchvision.datasets, spec.source)
    if hasattr(source, "mirrors"):  # MNIST's kind: gzipped files, each on every mirror, kept in <root>/<class>/raw
        raw = Path(spec.source, "raw")
        prefixes = tuple(IDX_PREFIXES[split] + "-" for split in splits)
        return [
            ([mirror + name for mirror in source.mirrors], name, md5, raw)
            for name, md5 in source.resources
            if name.startswith(prefixes)
        ]
    if hasattr(source, "tgz_md5"):  # CIFAR's kind: one tarball that holds its own folder, kept in <root>
        return [([source.url], source.filename, source.tgz_md5, Path("."))]
    raise DownloadFailed(f"torchvision's {spec.source} keeps its files in a way this app cannot download yet.")


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
    splits: tuple[str, ...] = ("train", "test"),
) -> None:
    """Download and unpack a dataset (the files of these splits, where they come apart) into
    `root`, trying each mirror in turn."""
    from torchvision.datasets.utils import check_integrity, extract_archive

    root = Path(root).expanduser()
    for urls, name, md5, folder in _sources(registry.dataset(dataset), splits):
        target = root / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not check_integrity(str(target), md5):
            reasons = []
            for url in urls:
                # Before each connection, not only between chunks: on a stalled network every mirror
                # would otherwise make a cancel wait out its own timeout.
                if cancelled():
                    raise DownloadCancelled("The download was cancelled.")
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
        # Unpacked where it lies, as torchvision does, replacing any damaged copy of the files: a tarball
        # holds its own folder and lies in root, a gzipped file lies in the folder its contents belong in.
        extract_archive(str(target), str(target.parent))

import io
import os
import re
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from PIL import Image

import models.registry
from models import datasets
from models.datasets import DatasetError
from models.registry import CIFAR10, MNIST
from tests.conftest import write_idx


def test_reads_idx_files(tiny_mnist):
    test_set = datasets.load(MNIST.name, "test", tiny_mnist)
    assert test_set.images.shape == (20, 28, 28, 1)
    assert test_set.labels.tolist() == [i % 10 for i in range(20)]
    assert test_set.source == "MNIST test set"


def test_truncated_idx_file(tiny_mnist):
    path = tiny_mnist / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DatasetError, match="truncated"):
        datasets.load(MNIST.name, "test", tiny_mnist)


def test_reads_an_image_folder(tmp_path):
    for index, name in enumerate(CIFAR10.classes):
        folder = tmp_path / "cifar10-jpeg" / "test" / name
        folder.mkdir(parents=True)
        for n in range(2):
            Image.new("RGB", (32, 32), (index * 20, n * 100, 0)).save(folder / f"{n:04d}.png")
    test_set = datasets.load(CIFAR10.name, "test", tmp_path)
    assert test_set.images.shape == (20, 32, 32, 3)
    assert test_set.labels.tolist() == [i // 2 for i in range(20)]
    assert test_set.images[5, 0, 0].tolist() == [40, 100, 0]
    assert "JPEG copy" in test_set.source


def test_an_image_folder_of_jpegs_and_pngs_reads_in_rgb(tmp_path):
    """Grey pictures among colour ones, JPEGs among PNGs: all in RGB, each with Pillow's pixels."""
    rng = np.random.default_rng(0)
    expected = []
    for name in CIFAR10.classes:
        folder = tmp_path / "cifar10-jpeg" / "test" / name
        folder.mkdir(parents=True)
        noise = Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
        noise.save(folder / "0000.jpg", quality=75)
        noise.convert("L").save(folder / "0001.jpeg")  # a grey picture among colour ones
        noise.save(folder / "0002.png")
        expected += [np.asarray(Image.open(folder / f).convert("RGB")) for f in ("0000.jpg", "0001.jpeg", "0002.png")]
    test_set = datasets.load(CIFAR10.name, "test", tmp_path)
    assert np.array_equal(test_set.images, np.stack(expected))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
@pytest.mark.parametrize(
    "write, message",
    [
        (lambda path: path.write_bytes(b"\xff\xd8 not a jpeg"), "cannot be read as an image"),
        (lambda path: Image.new("RGB", (64, 48)).save(path, format="PNG"), "is 64x48 pixels, not 32x32"),
        (lambda path: Image.new("RGB", (64, 48)).save(path, format="JPEG"), "is 64x48 pixels, not 32x32"),
        (lambda path: os.mkfifo(path), "not a file but a pipe"),
    ],
)
def test_a_bad_picture_in_an_image_folder_is_named(tmp_path, write, message, suffix):
    for name in CIFAR10.classes:
        folder = tmp_path / "cifar10-jpeg" / "test" / name
        folder.mkdir(parents=True)
        Image.new("RGB", (32, 32)).save(folder / f"0000{suffix}")
    bad = tmp_path / "cifar10-jpeg" / "test" / "cat" / f"0001{suffix}"
    write(bad)
    with pytest.raises(DatasetError, match=f"{re.escape(str(bad))}.*{message}"):
        datasets.load(CIFAR10.name, "test", tmp_path)


def test_damaged_cifar10_batches_say_what_to_do(tmp_path):
    (tmp_path / "cifar-10-batches-py").mkdir()
    (tmp_path / "cifar-10-batches-py" / "test_batch").write_bytes(b"cut short")
    with pytest.raises(DatasetError, match="incomplete or damaged.*download CIFAR-10 again"):
        datasets.load(CIFAR10.name, "test", tmp_path)


def test_missing_dataset_says_where_it_looked(tmp_path):
    with pytest.raises(DatasetError, match=f"The MNIST train set is not in {tmp_path}.*--data-dir"):
        datasets.load(MNIST.name, "train", tmp_path)
    with pytest.raises(DatasetError, match="The CIFAR-10 test set is not in"):
        datasets.load(CIFAR10.name, "test", tmp_path)


def test_failed_download_says_why(tmp_path, monkeypatch):
    from models.download import DownloadFailed

    def no_network(url, timeout):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(
        DownloadFailed, match="Could not download train-images-idx3-ubyte.gz.*Name or service not known"
    ):
        datasets.load(MNIST.name, "train", tmp_path, download=True)


class Response(io.BytesIO):
    """A stand-in for an HTTP response of 300,000 bytes."""

    headers: ClassVar[dict[str, str]] = {"Content-Length": str(300_000)}


def test_download_reports_progress_and_can_be_cancelled(tmp_path, monkeypatch):
    from models.download import DownloadCancelled, download

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response(b"x" * 300_000))
    seen = []
    with pytest.raises(DownloadCancelled):
        download(
            MNIST.name,
            tmp_path,
            progress=lambda done, total: seen.append((done, total)),
            cancelled=lambda: len(seen) >= 2,
        )
    assert seen == [(65536, 300_000), (131072, 300_000)]
    assert not list((tmp_path / "MNIST" / "raw").iterdir())  # no half file is left behind


def test_a_download_tries_the_next_mirror_and_unpacks_mnist(tiny_mnist, tmp_path, monkeypatch):
    import gzip
    import hashlib

    import models.download

    raw = tiny_mnist / "MNIST" / "raw"
    served = {
        name: gzip.compress((raw / name).read_bytes()) for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    }
    asked = []

    def server(url, timeout):
        asked.append(url)
        if url.startswith("https://down/"):
            raise urllib.error.URLError("Connection refused")
        return Response(served[url.rsplit("/", 1)[1].removesuffix(".gz")])

    monkeypatch.setattr(urllib.request, "urlopen", server)
    sources = [
        (
            [f"https://down/{name}.gz", f"https://up/{name}.gz"],
            f"{name}.gz",
            hashlib.md5(data).hexdigest(),
            raw.relative_to(tiny_mnist),
        )
        for name, data in served.items()
    ]
    monkeypatch.setattr(models.download, "_sources", lambda spec, splits: sources)
    root = tmp_path / "fresh"
    models.download.download(MNIST.name, root)
    assert [url.split("/")[2] for url in asked] == ["down", "up", "down", "up"]
    fetched, original = datasets.load(MNIST.name, "test", root), datasets.load(MNIST.name, "test", tiny_mnist)
    assert np.array_equal(fetched.images, original.images) and np.array_equal(fetched.labels, original.labels)


def test_browsing_the_test_set_downloads_only_the_test_files(tmp_path, monkeypatch):
    from models.download import DownloadFailed, download

    asked = []

    def offline(url, timeout):
        asked.append(url.rsplit("/", 1)[1])
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DownloadFailed):
        download(MNIST.name, tmp_path, splits=("test",))
    assert asked and all(name.startswith("t10k-") for name in asked)


def test_download_with_a_wrong_checksum_is_refused(tmp_path, monkeypatch):
    from models.download import DownloadFailed, download

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response(b"not mnist"))
    with pytest.raises(DownloadFailed, match="checksum"):
        download(MNIST.name, tmp_path)


def test_unknown_dataset_and_split(tmp_path):
    with pytest.raises(DatasetError, match="Unknown dataset"):
        datasets.load("imagenet", "test", tmp_path)
    with pytest.raises(DatasetError, match="Unknown split"):
        datasets.load(MNIST.name, "validation", tmp_path)


@pytest.mark.slow
def test_real_mnist_test_set(shared_data):
    test_set = datasets.load(MNIST.name, "test", shared_data)
    assert len(test_set) == 10000
    assert np.bincount(test_set.labels).tolist()[0] == 980


def tiny_cifar_archive(folder) -> tuple[bytes, dict[str, str]]:
    """A cifar-10-python.tar.gz in torchvision's layout, 2 images per batch, and the md5 of each file."""
    import hashlib
    import pickle
    import tarfile

    batches = folder / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    for n, name in enumerate(
        ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
    ):
        data = np.full((2, 3 * 32 * 32), 10 * n, np.uint8)
        data[1, :1024] = 255  # the second image has a red channel full on
        (batches / name).write_bytes(pickle.dumps({"data": data, "labels": [n, 9 - n]}))
    (batches / "batches.meta").write_bytes(pickle.dumps({"label_names": list(CIFAR10.classes)}))
    archive = folder / "archive.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(batches, arcname="cifar-10-batches-py")
    md5 = {path.name: hashlib.md5(path.read_bytes()).hexdigest() for path in [*batches.iterdir(), archive]}
    return archive.read_bytes(), md5


def test_a_downloaded_cifar10_is_unpacked_and_read_as_torchvision_lays_it_out(tmp_path, monkeypatch):
    import torchvision.datasets

    import models.download

    archive, md5 = tiny_cifar_archive(tmp_path / "server")
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response(archive))
    monkeypatch.setattr(
        models.download, "_sources", lambda spec, splits: [(["https://x"], "c.tar.gz", md5["archive.tar.gz"], ".")]
    )
    batches = torchvision.datasets.CIFAR10
    monkeypatch.setattr(batches, "train_list", [[name, md5[name]] for name, _ in batches.train_list])
    monkeypatch.setattr(batches, "test_list", [["test_batch", md5["test_batch"]]])
    monkeypatch.setattr(batches, "meta", {**batches.meta, "md5": md5["batches.meta"]})

    root = tmp_path / "data"
    test_set = datasets.load(CIFAR10.name, "test", root, download=True)
    assert test_set.images.shape == (2, 32, 32, 3) and test_set.labels.tolist() == [5, 4]
    assert test_set.images[1, 0, 0].tolist() == [255, 50, 50]  # channels last, in RGB order
    assert test_set.source == "CIFAR-10 test set"
    assert len(datasets.load(CIFAR10.name, "train", root)) == 10


def test_a_new_idx_dataset_needs_only_its_registry_entry(tmp_path, monkeypatch):
    fashion = replace(MNIST, name="fashion", title="Fashion-MNIST", kind="clothes", source="FashionMNIST")
    monkeypatch.setitem(models.registry.DATASETS, fashion.name, fashion)
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    write_idx(raw / "t10k-images-idx3-ubyte", np.arange(3 * 28 * 28).reshape(3, 28, 28) % 256)
    write_idx(raw / "t10k-labels-idx1-ubyte", np.array([7, 0, 3]))
    test_set = datasets.load(fashion.name, "test", tmp_path)
    assert test_set.spec == fashion and test_set.source == "Fashion-MNIST test set"
    assert test_set.images.shape == (3, 28, 28, 1) and test_set.labels.tolist() == [7, 0, 3]
    assert test_set.images[1, 0, 0, 0] == (28 * 28) % 256
    # MNIST's own files are not taken for it
    with pytest.raises(DatasetError, match="The Fashion-MNIST test set is not in"):
        datasets.load(fashion.name, "test", tmp_path / "elsewhere")


def test_a_new_photo_dataset_needs_only_its_registry_entry(tmp_path, monkeypatch):
    pets = replace(CIFAR10, name="pets", title="Pets", classes=("cat", "dog"), image_size=8, source="CIFAR100")
    monkeypatch.setitem(models.registry.DATASETS, pets.name, pets)
    with pytest.raises(DatasetError, match="The Pets test set is not in"):
        datasets.load(pets.name, "test", tmp_path)
    (tmp_path / "cifar-10-batches-py").mkdir()  # CIFAR-10's batches are not taken for it
    for index, name in enumerate(pets.classes):
        folder = tmp_path / "pets-jpeg" / "test" / name
        folder.mkdir(parents=True)
        Image.new("RGB", (8, 8), (index * 200, 0, 0)).save(folder / "0000.png")
    test_set = datasets.load(pets.name, "test", tmp_path)
    assert test_set.source == "Pets test set (JPEG copy)" and test_set.labels.tolist() == [0, 1]
    assert test_set.images.shape == (2, 8, 8, 3) and test_set.images[1, 0, 0].tolist() == [200, 0, 0]


def test_sources_follow_the_torchvision_class_not_the_dataset_name():
    from models.download import _sources

    fashion = replace(MNIST, name="fashion", source="FashionMNIST")
    (urls, name, _, folder), *_ = _sources(fashion, ("train", "test"))
    assert folder == Path("FashionMNIST", "raw") and name == "train-images-idx3-ubyte.gz"
    assert urls[0].startswith("http://fashion-mnist") and urls[0].endswith(name)
    [(urls, name, _, folder)] = _sources(replace(CIFAR10, name="c100", source="CIFAR100"), ("test",))
    assert urls == ["https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"] and folder == Path(".")


def test_a_cancel_stops_before_the_next_mirror(tmp_path, monkeypatch):
    from torchvision.datasets import MNIST as TorchvisionMNIST

    from models.download import DownloadCancelled, download

    asked = []

    def stalled(url, timeout):  # the first mirror times out, and the user cancels meanwhile
        asked.append(url)
        raise urllib.error.URLError("timed out")

    monkeypatch.setattr(urllib.request, "urlopen", stalled)
    with pytest.raises(DownloadCancelled):
        download(MNIST.name, tmp_path, cancelled=lambda: bool(asked))
    first_file = TorchvisionMNIST.resources[0][0]
    assert len(TorchvisionMNIST.mirrors) > 1 and asked == [TorchvisionMNIST.mirrors[0] + first_file]

    asked.clear()
    with pytest.raises(DownloadCancelled):  # a cancel that came first makes no connection at all
        download(MNIST.name, tmp_path / "other", cancelled=lambda: True)
    assert asked == []


def test_the_data_folder_is_found_from_a_folder_within_one_of_its_sets(tmp_path):
    root = tmp_path / "MNIST"  # a data folder may itself be named after a set: it is still the one
    (root / "MNIST" / "raw").mkdir(parents=True)
    (root / "cifar10-jpeg" / "test" / "cat").mkdir(parents=True)
    (root / "cifar-10-batches-py").mkdir()
    (root / "cifar-10-batches-py" / "batches.meta").write_bytes(b"")  # as Download leaves CIFAR-10
    within = ["", "MNIST", "MNIST/raw", "cifar10-jpeg", "cifar10-jpeg/test", "cifar10-jpeg/test/cat"]
    for picked in [*within, "cifar-10-batches-py"]:
        assert datasets.data_folder(root / picked) == root, picked
    for elsewhere in (tmp_path / "photos", tmp_path / "course" / "MNIST" / "new"):  # a name alone is no set
        elsewhere.mkdir(parents=True)
        assert datasets.data_folder(elsewhere) == elsewhere


def test_the_batch_folders_named_for_finding_the_data_folder_are_torchvisions():
    import torchvision.datasets

    for source, folder in datasets.BATCH_FOLDERS.items():
        assert getattr(torchvision.datasets, source).base_folder == folder

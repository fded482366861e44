"""Tiny training runs on generated data: the loop learns, resumes exactly and runs under torchrun."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from models import card, datasets, test_answers, weights
from models.card import InitFrom
from models.registry import CIFAR10
from tests.conftest import tiny_flags
from training import checkpoint, metrics, precision
from training.__main__ import main as train_main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "name, data",
    [("mnist_cnn", "tiny_mnist"), ("resnet18_mnist", "tiny_mnist"), ("vit_cifar10", "tiny_cifar")],
)
def test_tiny_run_learns_and_writes_a_loadable_model(name, data, request, tmp_path, monkeypatch):
    root = request.getfixturevalue(data)
    out = tmp_path / "out"
    train_main([name, *tiny_flags(root, out, epochs=4), "--lr", "0.01" if "vit" not in name else "0.003"])
    written = card.read(out / f"{name}.json", "")
    history = written.training.history
    assert len(history) == 4
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert written.model == name and written.test is not None
    assert "--epochs 4" in written.training.command
    assert written.calibration.fitted and written.calibration.test_raw and written.calibration.test_calibrated
    assert written.inference.mirror_average == (written.dataset == "cifar10")
    assert (written.inference.single_view_test_accuracy is not None) == written.inference.mirror_average
    if name == "resnet18_mnist":  # 11 million parameters: float32 would pass the 25 MB limit
        assert written.storage.dtype == "float16" and written.storage.top1_agreement_with_float32 is not None

    import models.registry

    monkeypatch.setattr(models.registry, "WEIGHTS_DIR", out)
    classifier = models.load(name, device="cpu")
    assert classifier.predict([np.zeros((28, 28), np.uint8)]).shape == (1, 10)
    # The app, reading the file that ships, sees what the card reports.
    test_set = datasets.load(written.dataset, "test", root)
    predicted = classifier.predict(list(test_set.images)).argmax(axis=1)
    confusion = np.zeros((10, 10), np.int64)
    np.add.at(confusion, (test_set.labels, predicted), 1)
    assert confusion.tolist() == written.test.confusion_matrix

    if name == "resnet18_mnist":  # re-measuring a shipped half-precision file keeps what it cannot measure again
        from training.evaluate import main as evaluate_main

        evaluate_main([name, "--data-dir", str(root), "--device", "cpu"])
        again = card.read(out / f"{name}.json", "")
        assert again.storage == written.storage and again.test == written.test
        assert again.training == written.training


def test_a_photo_models_card_measures_the_answers_the_app_gives(tmp_path, monkeypatch):
    import models.registry
    from models.archs import build_network
    from models.normalize import normalize
    from models.registry import spec
    from training.data import Split, TrainingData
    from training.evaluate import evaluate

    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    network = build_network(spec("vit_cifar10")).eval()

    def split(count: int, seen: int) -> Split:
        """Random pictures, the first `seen` labelled as the network sees them alone, the rest at random."""
        images = torch.from_numpy(rng.integers(0, 256, (count, 3, 32, 32), dtype=np.uint8))
        with torch.no_grad():
            labels = network(normalize(images, CIFAR10)).argmax(1)
        labels[seen:] = torch.from_numpy(rng.integers(0, 10, count - seen))
        return Split(images, labels)

    data = TrainingData(CIFAR10, split(10, 10), split(40, 30), split(200, 200), "generated")
    written = evaluate(network, spec("vit_cifar10"), data, None, torch.device("cpu"), tmp_path)
    assert card.read(tmp_path / "vit_cifar10.json", "") == written
    assert written.test_set == "generated, 200 images"  # the source's own brackets are not doubled
    monkeypatch.setattr(models.registry, "WEIGHTS_DIR", tmp_path)
    classifier = models.load("vit_cifar10", device="cpu")

    def pictures(split: Split) -> list[np.ndarray]:
        return list(split.images.permute(0, 2, 3, 1).numpy())

    with torch.inference_mode():
        plain = torch.softmax(classifier.network(classifier.to_batch(pictures(data.test))), 1).numpy()
    answers, labels = classifier.predict(pictures(data.test)), data.test.labels.numpy()
    assert written.inference.single_view_test_accuracy == (plain.argmax(1) == labels).mean() == 1.0
    assert (answers.argmax(1) != labels).any()  # the mirror image changes some answers: the test can tell
    assert written.test.accuracy == (answers.argmax(1) == labels).mean()
    assert written.calibration.test_raw.ece == pytest.approx(metrics.reliability(answers, labels)["ece"], abs=1e-5)
    val_answers = classifier.predict(pictures(data.val))
    fitted = metrics.fit_temperature(np.log(val_answers), data.val.labels.numpy())  # log p: logits less a constant
    assert written.temperature == pytest.approx(fitted, abs=2e-3)
    # Every test image's answer is stored beside the weights, for the test set as the app reads it.
    stored = classifier.stored_answers(test_answers.fingerprint(np.stack(pictures(data.test)), labels))
    assert stored is not None and stored.shape == (200, 10)
    assert np.abs(stored - answers).max() < 1e-3  # float16
    assert classifier.stored_answers(test_answers.fingerprint(np.stack(pictures(data.val)), data.val.labels)) is None
    # So is the map of the test set in the model's features, and the app places a test image on its stored point.
    data_map = classifier.data_map
    assert data_map is not None and data_map.points.shape == (200, 2) and written.feature_map is not None
    assert data_map.test_set == test_answers.fingerprint(np.stack(pictures(data.test)), labels)
    assert np.array_equal(data_map.predicted, answers.argmax(1)) and np.array_equal(data_map.labels, labels)
    placed = data_map.place(classifier.read(pictures(data.test)[:5]).features)
    assert np.abs(placed - data_map.points[:5]).max() < 1e-2
    assert written.feature_map.bytes == (tmp_path / "vit_cifar10.map.safetensors").stat().st_size


@pytest.mark.parametrize(
    "name, data, flags",
    [
        ("mnist_cnn", "tiny_mnist", []),  # SGD, affine moves
        ("vit_cifar10", "tiny_cifar", ["--mixup", "0.2", "--cutmix", "1.0"]),  # AdamW, RandAugment, mixing
    ],
)
def test_resumed_run_ends_with_the_same_weights(name, data, flags, request, tmp_path, capsys):
    root = request.getfixturevalue(data)
    whole, halves = tmp_path / "whole", tmp_path / "halves"
    train_main([name, *tiny_flags(root, whole, epochs=2), *flags])
    train_main([name, *tiny_flags(root, halves, epochs=2), *flags, "--stop-after", "1"])
    assert not (halves / f"{name}.safetensors").exists()
    capsys.readouterr()
    train_main([name, *tiny_flags(root, halves, epochs=2), *flags, "--resume"])
    # Training is seeded, so a run that started over would end with the same weights: say it did not.
    said = capsys.readouterr().out
    assert f"resumed {name} after epoch 1 of 2" in said
    assert "epoch=1 " not in said and "epoch=2 " in said
    a, b = load_file(str(whole / f"{name}.safetensors")), load_file(str(halves / f"{name}.safetensors"))
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_a_warm_restart_starts_from_the_weights_and_keeps_their_story(tiny_mnist, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, first, epochs=3), "--lr", "0.01"])
    start = first / "mnist_cnn.safetensors"
    restart = ["mnist_cnn", *tiny_flags(tiny_mnist, second, epochs=2), "--lr", "0.001", "--init-from", str(start)]
    train_main([*restart, "--stop-after", "1"])
    with pytest.raises(SystemExit, match="init_from"):  # a checkpoint of a restart resumes only as one
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, second, epochs=2), "--lr", "0.001", "--resume"])
    train_main([*restart, "--resume"])
    before = card.read(first / "mnist_cnn.json", "").training
    restarted = card.read(second / "mnist_cnn.json", "")
    after = restarted.training
    assert [run.epochs for run in restarted.runs()] == [3, 2]
    epochs, seconds = restarted.training_length()
    assert epochs == "3 + 2" and seconds == before.wall_time_s + after.wall_time_s
    assert after.init_from == InitFrom(weights=str(start), training=before)
    assert after.command.endswith(f"--init-from {start}")
    assert after.history[0]["train_loss"] < before.history[0]["train_loss"]  # it did not start afresh


def test_a_warm_restart_keeps_the_split_of_its_starting_weights(tiny_mnist, tmp_path):
    first = tmp_path / "first"
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, first, epochs=1)])
    start = first / "mnist_cnn.safetensors"
    other_split = [*tiny_flags(tiny_mnist, tmp_path / "second", epochs=1), "--seed", "1", "--init-from", str(start)]
    with pytest.raises(SystemExit, match="--val-size 10 --seed 0"):  # its validation images may be learned ones
        train_main(["mnist_cnn", *other_split])


def test_a_warm_restart_from_a_foreign_file_says_so(tiny_mnist, tmp_path):
    (tmp_path / "other.safetensors").write_bytes(b"not weights")
    with pytest.raises(SystemExit, match="damaged or is not a safetensors file"):
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path), "--init-from", str(tmp_path / "other.safetensors")])


def test_a_warm_restart_needs_weights_that_training_made(tiny_mnist, tmp_path):
    from models.archs import build_network
    from models.registry import spec

    weights.save(build_network(spec("mnist_cnn")), tmp_path / "bare.safetensors")
    card.write(tmp_path / "bare.json", card.minimal(spec("mnist_cnn")))
    with pytest.raises(SystemExit, match="does not say how its weights were trained"):
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path), "--init-from", str(tmp_path / "bare.safetensors")])


def test_a_damaged_checkpoint_is_named_not_a_traceback(tiny_mnist, tmp_path):
    checkpoint.path(tmp_path / "ckpt", "mnist_cnn").parent.mkdir()
    checkpoint.path(tmp_path / "ckpt", "mnist_cnn").write_bytes(b"half a file")
    with pytest.raises(SystemExit, match="is damaged or is not a visionlab checkpoint.*drop --resume"):
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path), "--resume"])


def test_a_half_precision_file_short_of_the_agreement_is_not_written(tiny_mnist, tmp_path, monkeypatch):
    import training.evaluate

    monkeypatch.setattr(training.evaluate, "MIN_HALF_PRECISION_AGREEMENT", 1.01)  # out of reach
    with pytest.raises(SystemExit, match="agrees with its float32 weights on only .*no weight file was written"):
        train_main(["resnet18_mnist", *tiny_flags(tiny_mnist, tmp_path, epochs=1)])
    assert not (tmp_path / "resnet18_mnist.safetensors").exists()
    monkeypatch.setattr(training.evaluate, "MIN_HALF_PRECISION_AGREEMENT", 0.999)
    train_main(["resnet18_mnist", *tiny_flags(tiny_mnist, tmp_path, epochs=1), "--resume"])  # measures, no training
    written = card.read(tmp_path / "resnet18_mnist.json", "")
    assert written.storage.dtype == "float16" and written.storage.top1_agreement_with_float32 >= 0.999
    assert len(written.training.history) == 1


def test_weights_are_stored_in_float16_only_where_float32_is_over_the_limit(monkeypatch):
    import training.evaluate
    from models.archs import build_network
    from models.errors import ModelError
    from models.registry import spec

    network = build_network(spec("mnist_cnn"))
    full = len(weights.to_bytes(network, torch.float32))
    for limit, dtype in ((full, torch.float32), (full - 1, torch.float16)):
        monkeypatch.setattr(training.evaluate, "MAX_WEIGHT_BYTES", limit)
        assert training.evaluate.storage_dtype(network) == dtype
    monkeypatch.setattr(training.evaluate, "MAX_WEIGHT_BYTES", full // 4)
    with pytest.raises(ModelError, match="even in float16.*make the model smaller"):
        training.evaluate.storage_dtype(network)


def test_resume_refuses_a_checkpoint_of_another_recipe(tiny_mnist, tmp_path):
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=2), "--stop-after", "1"])
    with pytest.raises(SystemExit, match="other settings"):
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=2), "--resume", "--lr", "0.5"])


def test_resume_refuses_a_checkpoint_of_another_seed(tiny_mnist, tmp_path):
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=2), "--stop-after", "1"])
    with pytest.raises(SystemExit, match="'seed': 0"):
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=2), "--resume", "--seed", "1"])


def test_checkpoint_round_trip_keeps_nested_state(tmp_path):
    state = {"epoch": 3, "optimizer": {"state": {0: {"momentum": torch.ones(2)}}, "groups": [{"lr": 0.1}]}}
    checkpoint.save(tmp_path, "m", state)
    restored = checkpoint.load(tmp_path, "m")
    assert restored["epoch"] == 3
    assert torch.equal(restored["optimizer"]["state"][0]["momentum"], torch.ones(2))
    assert restored["optimizer"]["groups"] == [{"lr": 0.1}]


def test_two_processes_with_gloo(tiny_mnist, tmp_path):
    """torchrun with two CPU processes: DDP, a distributed sampler, rank-0 saving."""
    out = tmp_path / "ddp"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
        "-m", "training", "mnist_cnn", *tiny_flags(tiny_mnist, out, epochs=2),
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    together = card.read(out / "mnist_cnn.json", "").training
    assert together.processes == 2
    # --batch-size is the batch of one update over both processes: the schedule is that of one process
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path / "one", epochs=2)])
    alone = card.read(tmp_path / "one" / "mnist_cnn.json", "").training
    assert [e["lr"] for e in together.history] == [e["lr"] for e in alone.history]
    assert together.command.startswith("uv run torchrun --nproc-per-node 2")
    assert result.stdout.count("test accuracy") == 1  # only rank 0 reports and saves


def write_pen_digits(root: Path, writers: int = 4, per_writer: int = 10) -> None:
    """A tiny UNIPEN file: each writer draws digit k as a bar at a k-dependent slope."""
    lines = [".INCLUDE dene.doc"]
    for writer in range(1, writers + 1):
        for n in range(per_writer):
            label = n % 10
            lines += [f'.SEGMENT DIGIT {n} ? "{label}"', f".COMMENT {label} {writer} {n}", ".PEN_DOWN"]
            lines += [f" {100 + 30 * label + 5 * writer} {400 - 30 * k}" for k in range(10)]
            lines.append(".PEN_UP")
    (root / "pendigits").mkdir()
    (root / "pendigits" / "pendigits-orig.tra").write_text("\n".join(lines) + "\n")


def test_pen_digits_join_training_and_their_held_out_writers_are_measured(tiny_mnist, tmp_path):
    write_pen_digits(tiny_mnist)
    out = tmp_path / "out"
    flags = ["--pen-digits", "2", "--pen-bend", "0.05", "--pen-writers-held-out", "1", "--val-size", "0"]
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, out, epochs=1), *flags])
    written = card.read(out / "mnist_cnn.json", "")
    assert written.training.train_images == 40 + 3 * 10 * 2  # MNIST's 40, two drawings of each of 3 writers' 10
    assert written.training.pen_writers_held_out == 1 and "--pen-writers-held-out 1" in written.training.command
    assert "--pen-bend 0.05" in written.training.command
    assert written.pen_digits is not None and written.pen_digits.digits == 10 and len(written.pen_digits.writers) == 1
    assert "pen_val_accuracy" in written.training.history[0]
    assert written.schema_version == card.SCHEMA_VERSION
    # autocast only where it is faster: bf16 ran 8x slower than float32 on an AVX2-only CPU
    bf16 = precision.helps(torch.device("cpu"))
    assert written.training.precision == ("bf16 autocast" if bf16 else "float32")


def test_a_train_seed_draws_another_run_on_the_same_held_out_writers(tiny_mnist, tmp_path):
    write_pen_digits(tiny_mnist)
    flags = [*tiny_flags(tiny_mnist, tmp_path, epochs=1), "--pen-digits", "2", "--pen-writers-held-out", "1"]
    runs = {}
    for name, seeds in [("plain", []), ("same", ["--train-seed", "0"]), ("other", ["--train-seed", "1"])]:
        train_main(["mnist_cnn", *flags, "--out-dir", str(tmp_path / name), *seeds])
        folder = tmp_path / name
        runs[name] = (card.read(folder / "mnist_cnn.json", ""), load_file(folder / "mnist_cnn.safetensors"))
    (plain, plain_weights), (same, same_weights), (other, other_weights) = runs.values()
    assert other.pen_digits.writers == plain.pen_digits.writers and other.training.seed == 0
    assert other.training.train_seed == 1 and "--seed 0 --train-seed 1" in other.training.command
    assert not all(torch.equal(other_weights[key], plain_weights[key]) for key in plain_weights)
    # --train-seed equal to --seed is the plain run: the same weights, and a card that does not mention it
    assert all(torch.equal(same_weights[key], plain_weights[key]) for key in plain_weights)
    assert same.training.train_seed is None and "--train-seed" not in same.training.command


def test_resume_refuses_a_checkpoint_of_another_split_with_the_same_train_seed(tiny_mnist, tmp_path):
    flags = [*tiny_flags(tiny_mnist, tmp_path, epochs=2), "--train-seed", "5"]
    train_main(["mnist_cnn", *flags, "--stop-after", "1"])
    with pytest.raises(SystemExit, match="'split_seed': 0"):
        train_main(["mnist_cnn", *flags, "--resume", "--seed", "1"])


def test_an_evaluation_keeps_the_unfamiliarity_fitted_to_the_same_weights_only(tmp_path):
    from dataclasses import replace

    from models.card import Storage, Unfamiliarity, minimal
    from models.registry import spec
    from training.evaluate import kept_unfamiliarity

    entry = Unfamiliarity("energy", -9.5, "by hand", {"MNIST test": 0.04})
    path = tmp_path / "mnist_cnn.json"
    card.write(
        path, replace(minimal(spec("mnist_cnn")), unfamiliarity=entry, storage=Storage("float32", sha256="a" * 64))
    )
    assert kept_unfamiliarity(path, "a" * 64) == entry
    assert kept_unfamiliarity(path, "b" * 64) is None  # new weights: fitted again
    assert kept_unfamiliarity(tmp_path / "none.json", "a" * 64) is None

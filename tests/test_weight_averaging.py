"""Stochastic weight averaging: a run ends with the mean of its last epochs' weights."""

import pytest
import torch
from safetensors.torch import load_file

from models import card
from tests.conftest import tiny_flags
from training import checkpoint
from training.__main__ import main as train_main
from training.updater import warmup_cosine

SWA = ["--lr", "0.05", "--swa-epochs", "2", "--swa-lr", "0.01"]


def raw_weights(folder, name: str) -> dict[str, torch.Tensor]:
    """The network's own weights after the last epoch that the checkpoint in `folder` holds."""
    return checkpoint.load(folder / "ckpt", name)["model"]


def test_the_rate_falls_to_the_averaging_rate_and_stays_there():
    factor = warmup_cosine(total_steps=100, warmup_steps=0, floor=0.2)
    assert factor(0) == 1.0
    assert factor(50) == pytest.approx(0.6)
    assert factor(100) == factor(150) == pytest.approx(0.2)
    only_averaging = warmup_cosine(total_steps=0, warmup_steps=0, floor=0.2)
    assert only_averaging(0) == only_averaging(7) == pytest.approx(0.2)


@pytest.mark.parametrize("name", ["mnist_cnn", "resnet18_mnist"])
def test_the_shipped_weights_are_the_mean_of_the_last_epochs(name, tiny_mnist, tmp_path):
    whole, two = tmp_path / "whole", tmp_path / "two"
    train_main([name, *tiny_flags(tiny_mnist, whole, epochs=3), *SWA])
    train_main([name, *tiny_flags(tiny_mnist, two, epochs=3), *SWA, "--stop-after", "2"])
    second, third = raw_weights(two, name), raw_weights(whole, name)
    shipped = load_file(str(whole / f"{name}.safetensors"))
    training = card.read(whole / f"{name}.json", "").training

    # the rate has fallen to the averaging rate when the first averaged epoch begins
    assert [round(epoch["lr"], 6) for epoch in training.history] == [0.01, 0.01, 0.01]
    assert training.weight_average["epochs"] == 2 and 0 <= training.weight_average["val_accuracy"] <= 1
    assert "--swa-epochs 2 --swa-lr 0.01" in training.command
    for key, value in shipped.items():
        mean = (second[key].float() + third[key].float()) / 2
        if "running_" in key:  # measured anew for the mean weights: not a snapshot's, their mean, or a fresh start
            fresh = torch.full_like(mean, 1.0 if "var" in key else 0.0)
            for measured in (second[key], third[key], mean, fresh):
                assert not torch.allclose(value.float(), measured.float(), atol=1e-4), key
        elif value.is_floating_point():
            assert torch.allclose(value.float(), mean.to(value.dtype).float(), atol=2e-3), key
            assert not torch.equal(second[key], third[key]), key  # the snapshots differ: the test means something


def test_a_resumed_run_keeps_its_average(tiny_mnist, tmp_path):
    whole, halves = tmp_path / "whole", tmp_path / "halves"
    train_main(["resnet18_mnist", *tiny_flags(tiny_mnist, whole, epochs=3), *SWA])
    train_main(["resnet18_mnist", *tiny_flags(tiny_mnist, halves, epochs=3), *SWA, "--stop-after", "2"])
    train_main(["resnet18_mnist", *tiny_flags(tiny_mnist, halves, epochs=3), *SWA, "--resume"])
    a, b = load_file(str(whole / "resnet18_mnist.safetensors")), load_file(str(halves / "resnet18_mnist.safetensors"))
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_a_checkpoint_from_before_averaging_existed_still_resumes(tiny_mnist, tmp_path):
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=2), "--stop-after", "1"])
    state = checkpoint.load(tmp_path / "ckpt", "mnist_cnn")
    for setting in ("swa_epochs", "swa_lr"):
        del state["settings"]["recipe"][setting]
    checkpoint.save(tmp_path / "ckpt", "mnist_cnn", state)
    train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=2), "--resume"])
    assert len(card.read(tmp_path / "mnist_cnn.json", "").training.history) == 2


@pytest.mark.parametrize(
    "flags, said",
    [
        (["--swa-epochs", "4"], "--swa-epochs 4 must lie between 0 and --epochs 3"),
        (["--swa-epochs", "1"], "--swa-lr above 0, not 0.0"),
        (["--swa-epochs", "2", "--swa-lr", "0.01", "--warmup-epochs", "1.5"], "use --warmup-epochs 1 or less"),
    ],
)
def test_averaging_settings_that_cannot_work_are_refused(tiny_mnist, tmp_path, flags, said):
    with pytest.raises(SystemExit, match=said):
        train_main(["mnist_cnn", *tiny_flags(tiny_mnist, tmp_path, epochs=3), *flags])

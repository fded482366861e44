"""Measure a model on the test set and write its weight file, its card, its answers for every test
image and the map of the test set in its features.

    uv run python -m training.evaluate mnist_cnn --data-dir ~/data

re-measures a shipped weight file and rewrites its card (and the file, in the same precision);
training calls evaluate() itself when it ends.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import sys
from pathlib import Path
from typing import NamedTuple, cast

import numpy as np
import torch
from torch import nn

from models import card, test_answers, weights
from models.archs import build_network
from models.card import (
    Calibration,
    Card,
    Inference,
    Input,
    Normalization,
    PenScores,
    Reliability,
    Storage,
    TestScores,
    TrainingRun,
    Unfamiliarity,
)
from models.datasets import DEFAULT_ROOT
from models.device import resolve
from models.errors import ModelError, WeightsError
from models.normalize import mirror_views
from models.registry import DatasetSpec, ModelSpec, spec
from training import data as training_data
from training import data_map, metrics, pen_data
from training.data import Split, TrainingData, input_batches
from training.precision import autocast

MAX_WEIGHT_BYTES = 25_000_000  # the 25 MB a weight file may take
MIN_HALF_PRECISION_AGREEMENT = 0.999  # top-1 agreement of a half-precision file with float32


class Logits(NamedTuple):
    """A split's logits, float32 and in order: the app's answers, and those for the picture alone
    (the same array where no mirror averaging takes place)."""

    answers: np.ndarray
    single_view: np.ndarray


def predict_logits(
    model: nn.Module,
    split: Split,
    dataset: DatasetSpec,
    device: torch.device,
    batch_size: int = 500,
    amp: bool = False,
    channels_last: bool = False,
    mirror: bool = False,
) -> Logits:
    """Logits for every image of a split; with `mirror`, the answers average those of each image
    and its mirror image, as the app answers for a mirror-invariant dataset."""
    model.eval()
    answers, single = [], []
    with torch.inference_mode(), autocast(device, amp):
        for images in input_batches(split, dataset, device, batch_size, channels_last):
            if mirror:
                plain, answer = mirror_views(model, images)
                single.append(plain.float().cpu())
            else:
                answer = model(images)
            answers.append(answer.float().cpu())
    answered = torch.cat(answers).numpy()
    return Logits(answered, torch.cat(single).numpy() if mirror else answered)


def storage_dtype(model: nn.Module) -> torch.dtype:
    """float32, or float16 where float32 would not fit in the size limit for a weight file."""
    for dtype in (torch.float32, torch.float16):
        size = len(weights.to_bytes(model, dtype))
        if size <= MAX_WEIGHT_BYTES:
            return dtype
    raise ModelError(
        f"The weight file would take {size / 1e6:.1f} MB even in float16, over the {MAX_WEIGHT_BYTES / 1e6:.0f} MB "
        "a weight file may take; make the model smaller."
    )


def rounded_copy(model: nn.Module, dtype: torch.dtype) -> nn.Module:
    """The model as it will be after a round trip through a weight file stored in `dtype`."""
    rounded = copy.deepcopy(model)
    with torch.no_grad():
        for tensor in rounded.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(tensor.to(dtype).to(tensor.dtype))
    return rounded


def calibration(model: nn.Module, data: TrainingData, test_logits: np.ndarray, device: torch.device) -> Calibration:
    """Temperature scaling fitted on the validation split, and its effect on the test set."""
    labels = data.test.labels.numpy()
    raw = Reliability(**metrics.reliability(metrics.softmax(test_logits), labels))
    if data.val is None:
        return Calibration(temperature=1.0, fitted_on=None, test_raw=raw, test_calibrated=raw)
    val_logits = predict_logits(model, data.val, data.spec, device, mirror=data.spec.mirror_invariant).answers
    val_labels = data.val.labels.numpy()
    temperature = round(metrics.fit_temperature(val_logits, val_labels), 4)  # the very value the app reads
    return Calibration(
        temperature=temperature,
        fitted_on=f"validation split ({len(val_labels)} images held out of the training set)",
        val_ece_raw=metrics.reliability(metrics.softmax(val_logits), val_labels)["ece"],
        val_ece_calibrated=metrics.reliability(metrics.softmax(val_logits, temperature), val_labels)["ece"],
        test_raw=raw,
        test_calibrated=Reliability(**metrics.reliability(metrics.softmax(test_logits, temperature), labels)),
    )


def pen_scores(model: nn.Module, data: TrainingData, device: torch.device) -> PenScores | None:
    """Accuracy on the pen-drawn digits of the writers held out of training, where there are any."""
    if data.pen_val is None:
        return None
    logits = predict_logits(model, data.pen_val, data.spec, device).answers
    accuracy = metrics.accuracy(logits, data.pen_val.labels.numpy())
    return PenScores(accuracy, len(data.pen_val), list(data.pen_writers), pen_data.DRAWN_AS)


def inference_entry(logits: Logits, labels: np.ndarray, mirror: bool) -> Inference:
    """How the app answers, as the test figures were measured; with mirror averaging, also the
    test accuracy of the picture alone, so that what the averaging adds is on record."""
    if not mirror:
        return Inference(mirror_average=False)
    return Inference(mirror_average=True, single_view_test_accuracy=metrics.accuracy(logits.single_view, labels))


def kept_unfamiliarity(card_path: Path, weights_digest: str) -> Unfamiliarity | None:
    """The card's unfamiliarity entry where it was fitted to these very weights; after new
    training it no longer fits, and says how to fit it again."""
    try:
        old = card.read(card_path, "") if card_path.is_file() else None
    except WeightsError:  # a damaged card is written anew
        return None
    if old is None or old.unfamiliarity is None:
        return None
    if old.storage is not None and old.storage.sha256 == weights_digest:
        return old.unfamiliarity
    print(f"The weights changed: fit the unfamiliarity score again with python -m training.unfamiliarity {old.model}")
    return None


def evaluate(
    model: nn.Module,
    model_spec: ModelSpec,
    data: TrainingData,
    training: TrainingRun | None,
    device: torch.device,
    out_dir: Path | None = None,
    full_precision: bool = True,
) -> Card:
    """Measure `model` (on CPU or GPU), then write its weight file and card to `out_dir`.

    `full_precision` says that `model` holds the trained float32 weights, so that the
    agreement of a half-precision file with them can be measured.
    """
    out_dir = out_dir or model_spec.weight_path.parent
    model.to(device).eval()
    labels = data.test.labels.numpy()
    dtype = storage_dtype(model)
    dtype_name = str(dtype).removeprefix("torch.")
    # Every figure describes the file that ships: rounded to its precision where it is smaller.
    shipped = rounded_copy(model, dtype) if dtype != torch.float32 else model
    mirror = data.spec.mirror_invariant
    test = predict_logits(shipped, data.test, data.spec, device, mirror=mirror)
    test_logits = test.answers
    agreement = None
    if dtype != torch.float32 and full_precision:
        full_logits = predict_logits(model, data.test, data.spec, device, mirror=mirror).answers
        agreement = metrics.accuracy(test_logits, full_logits.argmax(1))
        if agreement < MIN_HALF_PRECISION_AGREEMENT:
            raise ModelError(
                f"Stored in {dtype_name}, {model_spec.name} agrees with its float32 weights on only "
                f"{agreement:.2%} of the test images, short of the {MIN_HALF_PRECISION_AGREEMENT:.1%} a "
                "half-precision weight file must reach; no weight file was written."
            )
    elif dtype != torch.float32 and model_spec.card_path.is_file():
        old = card.read(model_spec.card_path, model_spec.train_command()).storage
        agreement = old.top1_agreement_with_float32 if old is not None else None

    dataset = model_spec.dataset
    scores = TestScores(**metrics.classification_scores(metrics.softmax(test_logits), labels, len(dataset.classes)))
    calibrated = calibration(shipped, data, test_logits, device)
    weight_path = out_dir / model_spec.weight_path.name
    weights.save(model, weight_path, dtype)
    digest = weights.digest(weight_path)
    pixels = data.test.images.permute(0, 2, 3, 1).numpy()  # as the app reads the test set: (N, H, W, C)
    map_path = out_dir / model_spec.map_path.name
    feature_map = data_map.write(shipped, model_spec, pixels, labels, map_path, digest, device)
    test_answers.save(
        out_dir / model_spec.answers_path.name,
        metrics.softmax(test_logits),
        test_answers.fingerprint(pixels, labels),
    )
    written = Card(
        model=model_spec.name,
        unfamiliarity=kept_unfamiliarity(out_dir / model_spec.card_path.name, digest),
        feature_map=feature_map,
        title=model_spec.title,
        architecture={"name": model_spec.arch, **model_spec.arch_options},
        parameters=weights.parameter_count(model),
        dataset=dataset.name,
        test_set=f"{data.test_source}, {len(labels):,} images",
        classes=list(dataset.classes),
        input=Input(size=dataset.image_size, channels=dataset.channels),
        normalization=Normalization(mean=list(dataset.mean), std=list(dataset.std)),
        inference=inference_entry(test, labels, mirror),
        test=scores,
        pen_digits=pen_scores(shipped, data, device),
        calibration=calibrated,
        training=training,
        storage=Storage(
            dtype_name,
            bytes=weight_path.stat().st_size,
            top1_agreement_with_float32=agreement,
            sha256=digest,
        ),
        evaluated=datetime.date.today().isoformat(),
    )
    card.write(out_dir / model_spec.card_path.name, written)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a registered model name, e.g. mnist_cnn")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ROOT, help="folder holding the dataset")
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: detected)")
    parser.add_argument(
        "--pen-writers-held-out",
        type=int,
        default=None,
        help="measure the pen digits of this many writers (default: those the training held out, if any)",
    )
    args = parser.parse_args(argv)

    try:
        model_spec = spec(args.model)
        training = card.read(model_spec.card_path, model_spec.train_command()).training
        val_size, seed = (training.val_size, training.seed) if training is not None else (0, 0)
        held_out = args.pen_writers_held_out
        if held_out is None:
            held_out = (training.pen_writers_held_out or 0) if training is not None else 0
        data = training_data.load(model_spec.dataset.name, args.data_dir, False, val_size, seed, 0, held_out)
        model = build_network(model_spec)
        weights.load_into(model, model_spec.weight_path, model_spec.train_command())
        device = resolve(args.device)
        # evaluate() always measures the test set
        scores = cast(TestScores, evaluate(model, model_spec, data, training, device, full_precision=False).test)
    except (ModelError, ValueError) as error:
        sys.exit(str(error))
    print(f"{args.model}: test accuracy {scores.accuracy:.4f}, macro-F1 {scores.macro_f1:.4f}")


if __name__ == "__main__":
    main()

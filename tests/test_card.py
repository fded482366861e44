"""Weight cards: one reader that refuses a damaged card by naming the field, one writer that keeps the files."""

import dataclasses
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from models import card
from models.card import SCHEMA_VERSION, Calibration, Card, InitFrom, TrainingRun
from models.errors import WeightsError
from models.registry import MODELS, spec

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "weights").glob("*.json"))
HINT = "uv run python -m training resnet18_cifar10"


def test_the_card_module_loads_without_torch_or_qt():
    probe = "import models.card, sys; print(sorted({'torch', 'PySide6'} & set(sys.modules)))"
    said = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert said.stdout.strip() == "[]"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_a_shipped_card_is_written_back_as_it_was(path, tmp_path):
    read = card.read(path, HINT)
    assert read.schema_version == SCHEMA_VERSION and read.model == path.stem
    card.write(tmp_path / path.name, read)
    assert json.loads((tmp_path / path.name).read_text()) == json.loads(path.read_text())
    assert (tmp_path / path.name).read_text() == path.read_text()  # key order and layout too: diffs stay small
    assert card.read(tmp_path / path.name, HINT) == read


def test_there_are_shipped_cards_to_check():
    assert {path.stem for path in SHIPPED} == set(MODELS)


@pytest.fixture
def damaged(tmp_path):
    """Write a shipped card with one change; return what reading it raises."""
    shipped = json.loads((ROOT / "weights" / "resnet18_cifar10.json").read_text())

    def damage(change) -> str:
        data = json.loads(json.dumps(shipped))
        change(data)
        path = tmp_path / "resnet18_cifar10.json"
        path.write_text(json.dumps(data))
        with pytest.raises(WeightsError) as raised:
            card.read(path, HINT)
        said = str(raised.value)
        assert str(path) in said and f"git checkout -- {path}" in said and HINT in said
        return said

    return damage


def put(*keys_and_value):
    """A change that sets data[k1][k2]... to the last argument."""
    *keys, value = keys_and_value

    def change(data: dict) -> None:
        for key in keys[:-1]:
            data = data[key]
        data[keys[-1]] = value

    return change


@pytest.mark.parametrize(
    "change, said",
    [
        (put("test", "accuracy", "high"), "test.accuracy must be a number, not the text 'high'"),
        (put("test", "accuracy", 1.5), "test.accuracy must be between 0 and 1, not 1.5"),
        (put("test", "accuracy", True), "test.accuracy must be a number, not true"),
        (put("training", "x"), "training must be an object, not the text 'x'"),
        (put("test", "confusion_matrix", "x"), "test.confusion_matrix must be a list, not the text 'x'"),
        (put("test", "confusion_matrix", 3, 2, -1), r"test.confusion_matrix\[3\]\[2\] must be 0 or more, not -1"),
        (put("test", "confusion_matrix", 3, 2, 0.5), r"test.confusion_matrix\[3\]\[2\] must be a whole number"),
        (put("calibration", "temperature", "abc"), "calibration.temperature must be a number, not the text 'abc'"),
        (put("storage", "sha256", "0" * 63), "storage.sha256 must be 64 lowercase hexadecimal digits"),
        (put("calibration", "temperature", 0), "calibration.temperature must be greater than 0, not 0"),
        (put("calibration", "temperature", -0.5), "calibration.temperature must be greater than 0"),
        (put("calibration", "temperature", float("nan")), "calibration.temperature must be a finite number, not NaN"),
        (put("calibration", "temperature", float("inf")), "calibration.temperature must be a finite number"),
        (put("calibration", "test_raw", "count", [1, 2]), "calibration.test_raw count, confidence and accuracy"),
        (put("test", "per_class_accuracy", [0.9] * 9), "test.per_class_accuracy has 9 values for the 10 classes"),
        (lambda data: data["test"]["confusion_matrix"].pop(), "test.confusion_matrix must be 10 x 10"),
        (lambda data: data["test"]["confusion_matrix"][4].pop(), "test.confusion_matrix must be 10 x 10"),
        (put("training", "history", 0, "lr", "fast"), r"training.history\[0\].lr must be a number"),
        (put("training", "init_from", {"weights": 3}), "training.init_from.weights must be text, not 3"),
        (put("inference", "mirror_average", "yes"), "inference.mirror_average must be true or false"),
        (put("classes", 0, None), r"classes\[0\] must be text, not null"),
        (put("accuracy", 0.9), "accuracy is not a field this version of visionlab knows"),
        (put("calibration", "temprature", 2.0), "calibration.temprature is not a field"),
        (lambda data: data.pop("classes"), "classes is missing"),
        (lambda data: data["training"].pop("command"), "training.command is missing"),
        (put("schema_version", "1"), "schema_version must be a whole number, not the text '1'"),
        (put("schema_version", 0), "schema_version must be greater than 0"),
    ],
)
def test_a_damaged_card_names_the_field_and_what_is_wrong(damaged, change, said):
    message = damaged(change)
    assert "is damaged: " in message
    assert re.search(said, message), message


def test_null_where_a_field_may_be_left_out_reads_as_left_out():
    data = json.loads((ROOT / "weights" / "resnet18_cifar10.json").read_text())
    data["storage"]["bytes"] = None
    read = card.from_dict(data, "resnet18_cifar10.json")
    assert read.storage.bytes is None and "bytes" not in card.to_dict(read)["storage"]


def test_not_a_json_object_invalid_json_and_a_missing_file_say_so(tmp_path):
    path = tmp_path / "mnist_cnn.json"
    for text, said in (("[1, 2]", "is not a JSON object"), ('{"model": ', "cannot be read"), ("", "cannot be read")):
        path.write_text(text)
        with pytest.raises(WeightsError, match=f"{path.name} {said}.*git checkout -- .*{HINT}"):
            card.read(path, HINT)
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(WeightsError, match="cannot be read"):
        card.read(path, HINT)
    with pytest.raises(WeightsError, match=f"{path.name} is missing.*git checkout -- .*{HINT}"):
        card.read(tmp_path / "gone" / "mnist_cnn.json", HINT)


def test_a_card_without_a_version_is_read_as_version_1_and_a_newer_one_is_refused(tmp_path):
    data = card.to_dict(card.minimal(spec("mnist_cnn")))
    assert data["schema_version"] == SCHEMA_VERSION
    del data["schema_version"]
    assert card.from_dict(data, "old.json") == dataclasses.replace(card.minimal(spec("mnist_cnn")), schema_version=1)
    data["schema_version"] = SCHEMA_VERSION + 1
    data["something_new"] = {"a": 1}  # a newer card may hold fields this code does not know: the version speaks first
    path = tmp_path / "mnist_cnn.json"
    path.write_text(json.dumps(data))
    newer = f"written by a newer visionlab.*version {SCHEMA_VERSION + 1}.*Update visionlab"
    with pytest.raises(WeightsError, match=newer):
        card.read(path, HINT)


@pytest.mark.parametrize("name", list(MODELS))
def test_a_minimal_card_is_read_back_and_belongs_to_its_model(name, tmp_path):
    model_spec = spec(name)
    plain, warmer = card.minimal(model_spec), card.minimal(model_spec, temperature=2.5)
    for made in (plain, warmer):
        card.write(tmp_path / f"{name}.json", made)
        read = card.read(tmp_path / f"{name}.json", HINT)
        assert read == made
        card.check_belongs(read, model_spec)
    assert read.architecture == {"name": model_spec.arch, **model_spec.arch_options}
    assert (plain.temperature, plain.calibration.fitted) == (1.0, False)
    assert (warmer.temperature, warmer.calibration.fitted) == (2.5, True)
    assert "calibration" not in card.to_dict(plain)  # nothing is written that the reader would not miss
    with pytest.raises(WeightsError, match="calibration.temperature must be greater than 0"):
        card.from_dict(card.to_dict(card.minimal(model_spec, temperature=0.0)), "x")


def test_a_card_of_another_model_or_variant_does_not_belong():
    resnet = card.minimal(spec("resnet18_mnist"))
    with pytest.raises(WeightsError, match=r"does not belong to mnist_cnn \(model='resnet18_mnist'"):
        card.check_belongs(resnet, spec("mnist_cnn"))
    with pytest.raises(WeightsError, match="does not belong to resnet18_mnist.*architecture"):
        card.check_belongs(replace(resnet, architecture={"name": "resnet18"}), spec("resnet18_mnist"))
    card.check_belongs(replace(resnet, architecture=None), spec("resnet18_mnist"))  # an older card without it


def run(epochs: int, seconds: float, init_from: InitFrom | None = None) -> TrainingRun:
    return TrainingRun(command=f"train {epochs}", recipe={}, epochs=epochs, wall_time_s=seconds, init_from=init_from)


def test_the_runs_of_a_warm_restarted_model_go_first_to_last(tmp_path):
    first = run(25, 600.0)
    second = run(10, 200.5, InitFrom("a/w.safetensors", first))
    third = run(5, 100.0, InitFrom("b/w.safetensors", second))
    made = Card("m", "mnist", ["0", "1"], training=third, calibration=Calibration(0.8, "validation split"))
    assert made.runs() == [first, second, third]
    assert made.training_length() == ("25 + 10 + 5", 900.5)
    assert Card("m", "mnist", ["0"]).runs() == [] and Card("m", "mnist", ["0"]).training_length() == ("", 0)
    card.write(tmp_path / "m.json", made)
    assert card.read(tmp_path / "m.json", HINT) == made
    written = json.loads((tmp_path / "m.json").read_text())
    assert written["training"]["init_from"]["training"]["init_from"]["weights"] == "a/w.safetensors"
    assert "init_from" not in written["training"]["init_from"]["training"]["init_from"]["training"]

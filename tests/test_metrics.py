"""Evaluation figures on small hand-made predictions whose right answers are known."""

import numpy as np
import pytest

from training import metrics

LABELS = np.array([0, 0, 1, 1, 2, 2])
# Predicted classes 0, 1, 1, 1, 2, 0 with confidences 0.9, 0.6, 0.8, 0.7, 0.95, 0.5.
PROBABILITIES = np.array(
    [
        [0.90, 0.05, 0.05],
        [0.30, 0.60, 0.10],
        [0.10, 0.80, 0.10],
        [0.20, 0.70, 0.10],
        [0.025, 0.025, 0.95],
        [0.50, 0.25, 0.25],
    ]
)


def test_accuracy_confusion_and_per_class():
    summary = metrics.classification_scores(PROBABILITIES, LABELS, 3)
    assert summary["accuracy"] == pytest.approx(4 / 6)
    assert summary["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert summary["per_class_accuracy"] == pytest.approx([0.5, 1.0, 0.5])
    assert metrics.accuracy(PROBABILITIES, LABELS) == pytest.approx(4 / 6)
    assert metrics.accuracy(np.log(PROBABILITIES), LABELS) == pytest.approx(4 / 6)  # logits alike


def test_macro_f1():
    # class 0: precision 1/2, recall 1/2; class 1: 2/3 and 1; class 2: 1 and 1/2
    f1 = [0.5, 2 * (2 / 3) / (2 / 3 + 1), 2 * 0.5 / 1.5]
    assert metrics.classification_scores(PROBABILITIES, LABELS, 3)["macro_f1"] == pytest.approx(np.mean(f1))


def test_expected_calibration_error_by_hand():
    # With 10 bins: 0.5 -> bin 5, 0.6 -> 6, 0.7 -> 7, 0.8 -> 8, 0.9 and 0.95 -> bin 9.
    # |accuracy - confidence| per bin: |0-0.5|, |0-0.6|, |1-0.7|, |1-0.8|, |1-0.925| (two images).
    expected = (0.5 + 0.6 + 0.3 + 0.2 + 2 * 0.075) / 6
    result = metrics.reliability(PROBABILITIES, LABELS, bins=10)
    assert result["ece"] == pytest.approx(expected)
    assert sum(result["count"]) == 6


def test_temperature_fitted_on_overconfident_logits_softens_them_and_lowers_ece():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 2000)
    logits = rng.normal(0, 1, (2000, 10))
    logits[np.arange(2000), labels] += 1.5  # right about 60% of the time...
    logits *= 4  # ...but far too sure of itself
    temperature = metrics.fit_temperature(logits, labels)
    assert temperature > 2
    raw = metrics.reliability(metrics.softmax(logits), labels)["ece"]
    calibrated = metrics.reliability(metrics.softmax(logits, temperature), labels)["ece"]
    assert calibrated < raw / 2
    assert np.allclose(metrics.softmax(logits, temperature).sum(axis=1), 1)

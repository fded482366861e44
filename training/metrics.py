"""Test metrics from predicted probabilities and true labels: plain numpy, no model needed."""

from __future__ import annotations

import numpy as np
import torch

RELIABILITY_BINS = 15


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """The share of rows whose highest score (logit or probability) is at the true label."""
    return float((scores.argmax(1) == labels).mean())


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted classes."""
    return np.bincount(labels * num_classes + predicted, minlength=num_classes**2).reshape(num_classes, num_classes)


def per_class_accuracy(confusion: np.ndarray) -> np.ndarray:
    return np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)


def macro_f1(confusion: np.ndarray) -> float:
    true_positive = np.diag(confusion).astype(np.float64)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    denominator = predicted + actual
    f1 = np.divide(2 * true_positive, denominator, out=np.zeros_like(true_positive), where=denominator > 0)
    return float(f1.mean())


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = RELIABILITY_BINS) -> dict:
    """Confidence against accuracy in equal-width confidence bins, and the expected calibration error."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(which, minlength=bins)
    mean_confidence = np.bincount(which, weights=confidence, minlength=bins) / np.maximum(count, 1)
    accuracy = np.bincount(which, weights=correct, minlength=bins) / np.maximum(count, 1)
    ece = float(np.sum(count / len(labels) * np.abs(accuracy - mean_confidence)))
    return {
        "ece": ece,
        "count": count.tolist(),
        "confidence": mean_confidence.round(5).tolist(),
        "accuracy": accuracy.round(5).tolist(),
    }


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimizes the negative log-likelihood of held-out logits."""
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    x, y = torch.from_numpy(logits).double(), torch.from_numpy(labels)
    optimizer = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    optimizer.step(closure)
    return float(log_t.detach().exp())


def classification_scores(probabilities: np.ndarray, labels: np.ndarray, num_classes: int) -> dict:
    """Accuracy, macro-F1, per-class accuracy and the confusion matrix."""
    confusion = confusion_matrix(labels, probabilities.argmax(axis=1), num_classes)
    return {
        "accuracy": float(np.trace(confusion) / confusion.sum()),
        "macro_f1": macro_f1(confusion),
        "per_class_accuracy": per_class_accuracy(confusion).round(5).tolist(),
        "confusion_matrix": confusion.tolist(),
    }


def auroc(familiar: np.ndarray, unfamiliar: np.ndarray) -> float:
    """The chance that an unfamiliar picture scores higher than a familiar one, ties counting half
    (the Mann-Whitney statistic, from ranks)."""
    scores = np.concatenate([familiar, unfamiliar])
    order = scores.argsort(kind="mergesort")
    _, first, counts = np.unique(scores[order], return_index=True, return_counts=True)
    ranks = np.empty(len(scores))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)  # tied scores share their mean rank
    n_familiar, n_unfamiliar = len(familiar), len(unfamiliar)
    return float((ranks[n_familiar:].sum() - n_unfamiliar * (n_unfamiliar + 1) / 2) / (n_familiar * n_unfamiliar))

"""How unlike its training data a picture looks to a model: one score per picture, higher meaning
less familiar, from the logits, the penultimate features and an early stage's statistics of one
forward pass (models.features).

Each method overrides only what differs: what it learns from the training features, and how it
scores. `python -m training.unfamiliarity` fits and measures them all; a card names the one its
model uses and the threshold above which a picture is called unfamiliar.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from models.errors import WeightsError
from models.features import WithFeatures


class Unfamiliarity:
    """The base: nothing to learn; subclasses say how a picture is scored. `stage` is the early
    stage's statistics (models.features.stage_statistics), read only where `reads_stage`."""

    name: ClassVar[str]
    reads_stage: ClassVar[bool] = False

    def fit(self, features: torch.Tensor, labels: torch.Tensor, stage: torch.Tensor | None = None) -> None:
        """Learn what the training data looks like from its features (N, D) and labels (N,)."""

    def score(self, logits: torch.Tensor, features: torch.Tensor, stage: torch.Tensor | None = None) -> torch.Tensor:
        """(N,) float32 scores, higher for pictures less like the training data."""
        raise NotImplementedError

    def state(self) -> dict[str, torch.Tensor]:
        """What fit() learned, as tensors for a safetensors file."""
        return {}

    def load_state(self, state: dict[str, torch.Tensor]) -> None:
        """Take back what state() gave."""

    def to(self, device: torch.device | str) -> Unfamiliarity:
        """The score with what it learned on `device`, beside the model."""
        self.load_state({key: tensor.to(device) for key, tensor in self.state().items()})
        return self


class MaxSoftmax(Unfamiliarity):
    """One minus the top probability: the model's own doubt."""

    name = "max-softmax"

    def score(self, logits: torch.Tensor, features: torch.Tensor, stage: torch.Tensor | None = None) -> torch.Tensor:
        return 1 - torch.softmax(logits.float(), dim=1).max(dim=1).values


class Energy(Unfamiliarity):
    """Minus the log of the summed exponentiated logits (Liu et al., 2020): the evidence for any
    class at all, which softmax normalizes away."""

    name = "energy"

    def score(self, logits: torch.Tensor, features: torch.Tensor, stage: torch.Tensor | None = None) -> torch.Tensor:
        return -torch.logsumexp(logits.float(), dim=1)


class Mahalanobis(Unfamiliarity):
    """The squared Mahalanobis distance of the features to the nearest class mean, under one
    covariance shared by all classes (Lee et al., 2018)."""

    name = "mahalanobis"
    SHRINK = 1e-3  # of the mean variance, added to the diagonal: the covariance of ReLU features is singular

    def __init__(self) -> None:
        self.means = torch.zeros(0)
        self.precision = torch.zeros(0)
        self.whitening = torch.zeros(0)  # L of precision = L L^T: distances become Euclidean after it
        self.centres = torch.zeros(0)  # the class means, whitened

    def fit(self, features: torch.Tensor, labels: torch.Tensor, stage: torch.Tensor | None = None) -> None:
        features = features.double()
        classes = int(labels.max()) + 1
        means = torch.stack([features[labels == c].mean(dim=0) for c in range(classes)])
        centred = features - means[labels]
        covariance = centred.T @ centred / len(features)
        covariance += torch.eye(len(covariance), dtype=covariance.dtype) * self.SHRINK * covariance.diagonal().mean()
        self.load_state({"means": means.float(), "precision": torch.linalg.inv(covariance).float()})

    def score(self, logits: torch.Tensor, features: torch.Tensor, stage: torch.Tensor | None = None) -> torch.Tensor:
        # One product by the whitening and ten Euclidean distances: a tenth of the work of
        # (f - mean_c)^T P (f - mean_c) for every class.
        whitened = features.float() @ self.whitening
        # Not cdist's matrix form for batches: one picture alone and in a batch must score alike.
        distances = torch.cdist(whitened, self.centres, compute_mode="donot_use_mm_for_euclid_dist")
        return distances.amin(dim=1).square()

    def state(self) -> dict[str, torch.Tensor]:
        return {"means": self.means, "precision": self.precision}

    def load_state(self, state: dict[str, torch.Tensor]) -> None:
        self.means, self.precision = state["means"].float(), state["precision"].float()
        # In float64 on the CPU: MPS has no float64, and float32 loses the smallest directions.
        whitening = torch.linalg.cholesky(self.precision.cpu().double()).float()
        self.whitening = whitening.to(self.precision.device)
        self.centres = self.means @ self.whitening


class NearestNeighbour(Unfamiliarity):
    """One minus the cosine similarity to the most similar of a set of prototypes of the training
    features (Sun et al., 2022, compare with the k-th nearest training picture itself; on the digit
    models the nearest did as well as k = 3 to 50). The prototypes are spherical k-means centres:
    they cover the features as evenly as five times as many sampled pictures (on mnist_cnn, lowest
    AUROC 0.974 against 0.973), and a picture's score reads a fifth of the memory."""

    name = "nearest-neighbour"
    PROTOTYPES = 1000  # 0.5 MB for 128 features, 2 MB for 512
    ROUNDS = 20  # of k-means: by then few features change their nearest centre

    def __init__(self) -> None:
        self.columns = torch.zeros(0)  # the unit prototypes as columns (D, PROTOTYPES), float32 for speed

    def fit(self, features: torch.Tensor, labels: torch.Tensor, stage: torch.Tensor | None = None) -> None:
        unit = torch.nn.functional.normalize(features.float(), dim=1)
        centres = unit[torch.randperm(len(unit), generator=torch.Generator().manual_seed(0))[: self.PROTOTYPES]]
        for _ in range(self.ROUNDS):
            nearest = (unit @ centres.T).argmax(dim=1)
            sums = torch.zeros_like(centres).index_add_(0, nearest, unit)
            # A centre that no feature chose keeps its place rather than vanishing.
            centres = torch.where(
                sums.norm(dim=1, keepdim=True) > 0, torch.nn.functional.normalize(sums, dim=1), centres
            )
        # Rounded to float16 here as in the file, so that a loaded score equals the fitted one.
        self.load_state({"bank": centres.half()})

    def score(self, logits: torch.Tensor, features: torch.Tensor, stage: torch.Tensor | None = None) -> torch.Tensor:
        features = features.float()
        # The query's length divides the best match rather than the query itself: one pass fewer.
        return 1 - (features @ self.columns).amax(dim=1) / features.norm(dim=1).clamp_min(1e-12)

    def state(self) -> dict[str, torch.Tensor]:
        return {"bank": self.columns.T.half()}  # float16 on disk: half the megabytes

    def load_state(self, state: dict[str, torch.Tensor]) -> None:
        self.columns = state["bank"].float().T.contiguous()


class WithEarlyStage(Unfamiliarity):
    """A later method's score on the penultimate features plus the Mahalanobis distance of the
    early stage's statistics, each the z-score of its logarithm. The two see different strangers:
    noise and photos stand out early, before the network maps them near a class, and glyphs drawn
    like digits only late. (Lee et al., 2018, likewise sum Mahalanobis distances over layers.)"""

    late: ClassVar[type[Unfamiliarity]]
    reads_stage = True
    HELD = 1 / 3  # of the training features: held out of the fit to measure each part's spread

    def __init__(self) -> None:
        self.parts = (self.late(), Mahalanobis())
        self._standardize(torch.zeros(2), torch.ones(2))

    def _standardize(self, centre: torch.Tensor, spread: torch.Tensor) -> None:
        """Keep the centre and spread of each part's logarithm, and the sum of the parts' z-scores as
        a weight per part and an offset: one operator per picture where subtracting, dividing and
        summing took three."""
        self.centre, self.spread = centre, spread
        self.weights, self.offset = 1 / spread, -(centre / spread).sum().reshape(1)

    def fit(self, features: torch.Tensor, labels: torch.Tensor, stage: torch.Tensor | None = None) -> None:
        stage = _needed(stage)
        order = torch.randperm(len(features), generator=torch.Generator().manual_seed(0))
        held, fitted = order[: round(len(order) * self.HELD)], order[round(len(order) * self.HELD) :]
        late, early = self.parts
        late.fit(features[fitted], labels[fitted])
        early.fit(stage[fitted], labels[fitted])
        # Scored on pictures the parts never learned from: a fitted picture is nearer than any new one.
        logs = self._logs(features[held], stage[held])
        self._standardize(logs.mean(dim=0), logs.std(dim=0))

    def _logs(self, features: torch.Tensor, stage: torch.Tensor) -> torch.Tensor:
        late, early = self.parts
        no_logits = features[:, :0]  # both parts read features only
        distances = torch.stack([late.score(no_logits, features), early.score(no_logits, stage)], dim=1)
        return distances.clamp_min(1e-6).log()  # the logarithm tames Mahalanobis's long tail

    def score(self, logits: torch.Tensor, features: torch.Tensor, stage: torch.Tensor | None = None) -> torch.Tensor:
        return torch.addmv(self.offset, self._logs(features, _needed(stage)), self.weights)

    PREFIXES = ("late.", "early.")  # each part's tensors in the one file, as in self.parts

    def state(self) -> dict[str, torch.Tensor]:
        state = {"centre": self.centre, "spread": self.spread}
        for prefix, part in zip(self.PREFIXES, self.parts, strict=True):
            state.update({prefix + key: tensor for key, tensor in part.state().items()})
        return state

    def load_state(self, state: dict[str, torch.Tensor]) -> None:
        for prefix, part in zip(self.PREFIXES, self.parts, strict=True):
            part.load_state({key.removeprefix(prefix): t for key, t in state.items() if key.startswith(prefix)})
        self._standardize(state["centre"].float(), state["spread"].float())


def _needed(stage: torch.Tensor | None) -> torch.Tensor:
    if stage is None:
        raise ValueError("This method reads the early stage's statistics; observe the network with_stage().")
    return stage


class MahalanobisWithEarlyStage(WithEarlyStage):
    name = "mahalanobis+early-stage"
    late = Mahalanobis


class NearestNeighbourWithEarlyStage(WithEarlyStage):
    name = "nearest-neighbour+early-stage"
    late = NearestNeighbour


class Scoring(torch.nn.Module):
    """Observes a WithFeatures model: its logits, features and each picture's unfamiliarity from one
    call, so that a traced graph computes the score too, in C++ without Python between the operators
    (scored in Python after the graph, it added 30% to MNIST CNN's time for one picture). Without a
    score, the third output is zeros."""

    def __init__(self, with_features: WithFeatures, score: Unfamiliarity | None) -> None:
        super().__init__()
        self.with_features = with_features
        self.unfamiliarity = score

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        logits, features, scores = scored(self.with_features, self.unfamiliarity, pixels)
        return logits, features, logits.new_zeros(logits.shape[0]) if scores is None else scores.float()


def scored(
    with_features: WithFeatures, score: Unfamiliarity | None, pixels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Logits, penultimate features and (where there is a score) each picture's unfamiliarity, from
    one pass; the early stage is observed only for a method that reads it."""
    if score is not None and score.reads_stage:
        logits, features, stage = with_features.with_stage(pixels)
        return logits, features, score.score(logits, features, stage)
    logits, features = with_features(pixels)
    return logits, features, None if score is None else score.score(logits, features)


METHODS: dict[str, type[Unfamiliarity]] = {
    m.name: m
    for m in (
        MaxSoftmax,
        Energy,
        Mahalanobis,
        NearestNeighbour,
        MahalanobisWithEarlyStage,
        NearestNeighbourWithEarlyStage,
    )
}


def method(name: str) -> Unfamiliarity:
    """A new, unfitted score of the named method."""
    if name not in METHODS:
        raise ValueError(f"No unfamiliarity method {name!r}; the methods are {', '.join(METHODS)}.")
    return METHODS[name]()


FIX = "write it again with `uv run python -m training.unfamiliarity <model>`"


def threshold_for(scores: np.ndarray, flagged: float) -> float:
    """The score above which the given share of these (familiar) pictures would be flagged."""
    return float(np.quantile(scores, 1 - flagged))


def save(path: Path, score: Unfamiliarity) -> None:
    """What the score learned, beside the weights (nothing is written for a method that learns nothing)."""
    state = {key: tensor.contiguous() for key, tensor in score.state().items()}
    if state:
        save_file(state, str(path), metadata={"method": score.name})


def load(path: Path, name: str) -> Unfamiliarity:
    """The named method with what it learned, read from `path`; a missing or damaged file raises WeightsError."""
    score = method(name)
    if type(score).state is Unfamiliarity.state:  # it learns nothing
        return score
    try:
        with safe_open(str(path), framework="pt") as file:
            stored = (file.metadata() or {}).get("method")
            state = {key: file.get_tensor(key) for key in file.keys()}
    except FileNotFoundError:
        raise WeightsError(f"{path} is missing; {FIX}.") from None
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"{path} is damaged ({error}); {FIX}.") from None
    if stored != name:
        raise WeightsError(f"{path} holds the {stored} method's statistics, but the card names {name}; {FIX}.")
    try:
        score.load_state(state)
    except KeyError as error:
        raise WeightsError(f"{path} lacks {error}; {FIX}.") from None
    except RuntimeError as error:  # torch.linalg.LinAlgError among them: a precision that is no precision
        raise WeightsError(f"{path} is damaged ({error}); {FIX}.") from None
    return score


def check_fits(score: Unfamiliarity, path: Path, example: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> None:
    """Raise WeightsError where the statistics read from `path` were learned from features of another
    width than the network's, as one picture's `example` (logits, features, early stage's
    statistics) has them: a file left from other weights would fail every answer."""
    try:
        score.score(*example)
    except RuntimeError as error:
        raise WeightsError(f"{path} was fitted to other weights ({error}); {FIX}.") from None

"""The learned ranker: a scikit-learn estimator over pair features, with mode priors.

``PairRanker`` is a pipeline (StandardScaler → LogisticRegression) learned from pairs marked
1 (an existing pairing, an accepted recommendation) or 0 (the other candidates, a rejected
one). Where there are too few labelled pairs of both kinds, it keeps only the scaler, and the
modes' prior weights do the ranking; ``learned_`` says which.

    overall logit   = learned logit                       (the best mode's w_m · z, if not learned)
    mode m's logit  = learned logit + prior_strength · (w_m − w̄) · z      (w_m · z, if not learned)

where ``z`` are the standardised features, ``w_m`` the mode's prior weights and ``w̄`` their
mean over the modes. Every logit is a sum of per-feature terms, which ``contributions``
returns for the explanations.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from matching.metrics import ndcg
from matching.modes import MODES
from matching.vocabulary import Mode

MODE_ORDER = tuple(MODES)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


class PairRanker(ClassifierMixin, BaseEstimator):
    """Scores pairs from their features; learned where labels allow, prior otherwise.

    Parameters
    ----------
    feature_names : the columns of ``X``, in order.
    kind : "city" or "site" — whose prior weights (``ModeSpec.city_weights`` / ``site_weights``).
    C : inverse regularisation of the logistic regression.
    prior_strength : how much a mode's prior adds to the learned logit in mode scores.
    min_labels : fewer positive (or negative) labels than this → prior only.
    """

    def __init__(
        self,
        feature_names: tuple[str, ...] = (),
        kind: str = "city",
        C: float = 1.0,
        prior_strength: float = 0.5,
        min_labels: int = 5,
        class_weight: str | None = None,
        random_state: int = 0,
    ) -> None:
        self.feature_names = feature_names
        self.kind = kind
        self.C = C
        self.prior_strength = prior_strength
        self.min_labels = min_labels
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(
        self, X: np.ndarray, y: np.ndarray | None = None, sample_weight: np.ndarray | None = None
    ) -> "PairRanker":
        """Fit the scaler on every row and, where labels allow, the model on the labelled ones.

        Labels are 1, 0, or −1 for unlabelled rows (they shape the scaling only).
        """
        X = np.asarray(X, dtype=np.float64)
        labels = np.full(len(X), -1) if y is None else np.asarray(y)
        labelled = labels >= 0
        self.n_features_in_ = X.shape[1]
        self.mode_weights_ = self._mode_weights()
        self.classes_ = np.array([0, 1])
        self.n_labels_ = {
            "positive": int((labels == 1).sum()),
            "negative": int((labels == 0).sum()),
        }
        self.learned_ = min(self.n_labels_.values()) >= self.min_labels
        scaler = StandardScaler().fit(X)
        steps: list[tuple[str, Any]] = [("scale", scaler)]
        if self.learned_:
            model = LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                max_iter=5000,
                random_state=self.random_state,
            )
            weights = None if sample_weight is None else np.asarray(sample_weight)[labelled]
            model.fit(scaler.transform(X[labelled]), labels[labelled], sample_weight=weights)
            steps.append(("model", model))
        self.pipeline_ = Pipeline(steps)
        return self

    def _mode_weights(self) -> np.ndarray:
        """features × modes, each mode's weights scaled to unit length."""
        weights = np.zeros((len(self.feature_names), len(MODE_ORDER)))
        for j, mode in enumerate(MODE_ORDER):
            spec = MODES[mode]
            prior = spec.city_weights if self.kind == "city" else spec.site_weights
            for name, value in prior.items():
                weights[self.feature_names.index(name), j] = value
            weights[:, j] /= np.linalg.norm(weights[:, j]) or 1.0
        return weights

    # ------------------------------------------------------------ scoring
    def standardise(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.named_steps["scale"].transform(np.asarray(X, dtype=np.float64))

    @property
    def coef_(self) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        if not self.learned_:
            return np.zeros(self.n_features_in_)
        return self.pipeline_.named_steps["model"].coef_[0]

    @property
    def intercept_(self) -> float:
        return float(self.pipeline_.named_steps["model"].intercept_[0]) if self.learned_ else 0.0

    @property
    def mode_terms_(self) -> np.ndarray:
        """features × modes: the linear weights of each mode's logit over standardised features.

        Learned: the model's coefficients plus ``prior_strength`` times how much more the mode
        weighs a feature than the modes' average (so mode scores stay on the model's scale).
        Prior only: the mode's own weights.
        """
        check_is_fitted(self, "pipeline_")
        weights = self.mode_weights_
        if not self.learned_:
            return weights
        centred = weights - weights.mean(axis=1, keepdims=True)
        return self.coef_[:, None] + self.prior_strength * centred

    @property
    def mode_bias_(self) -> float:
        return self.intercept_

    def mode_logits(self, X: np.ndarray) -> np.ndarray:
        """n × modes: each mode's logit."""
        return self.standardise(X) @ self.mode_terms_ + self.mode_bias_

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The overall logit of each pair."""
        z = self.standardise(X)
        if self.learned_:
            return z @ self.coef_ + self.intercept_
        return (z @ self.mode_weights_).max(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = sigmoid(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

    def mode_scores(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(self.mode_logits(X))

    def contributions(self, X: np.ndarray, mode: Mode | None = None) -> np.ndarray:
        """n × features: each feature's term in the logit that ranked the pair."""
        z = self.standardise(X)
        if mode is not None:
            return z * self.mode_terms_[:, MODE_ORDER.index(mode)]
        if self.learned_:
            return z * self.coef_
        best = (z @ self.mode_weights_).argmax(axis=1)
        return z * self.mode_weights_[:, best].T

    def score(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """NDCG of the pairs ranked by ``decision_function`` against the labels ``y``."""
        order = np.argsort(-self.decision_function(X), kind="stable")
        return ndcg(np.asarray(y)[order], k=len(y))

    # ------------------------------------------------------------ persistence
    def weights_table(self) -> dict[str, float]:
        return {
            name: round(float(w), 4) for name, w in zip(self.feature_names, self.coef_, strict=True)
        }


@dataclass
class SavedModel:
    """A fitted ranker with the facts needed to trust it: version, data fingerprint, metrics."""

    ranker: PairRanker
    version: str
    fingerprint: str
    metrics: dict[str, Any] = field(default_factory=dict)
    trained_at: str = ""
    sklearn_version: str = sklearn.__version__

    @classmethod
    def stamped(
        cls, kind: str, ranker: PairRanker, digest: str, metrics: dict[str, Any]
    ) -> "SavedModel":
        """A model versioned by its training time and data fingerprint: ``city-20261128…-ab12cd34``."""
        now = datetime.now(UTC)
        return cls(
            ranker=ranker,
            version=f"{kind}-{now:%Y%m%d%H%M%S}-{digest[:8]}",
            fingerprint=digest,
            metrics=metrics,
            trained_at=now.isoformat(timespec="seconds"),
        )

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path)
        return path

    @classmethod
    def load(cls, path: Path, *, feature_names: tuple[str, ...]) -> "SavedModel":
        saved = joblib.load(path)
        if not isinstance(saved, cls) or saved.ranker.feature_names != feature_names:
            raise ValueError(f"{path} holds a model for other features; retrain it")
        return saved


def fingerprint(*parts: Any) -> str:
    """A short stable hash of the training data (pairs, labels, features)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(np.ascontiguousarray(part).tobytes())
        else:
            digest.update(
                json.dumps(part, sort_keys=True, default=str, ensure_ascii=False).encode()
            )
    return digest.hexdigest()[:16]

"""The learned ranker: a scikit-learn estimator over pair features, with mode priors.

``PairRanker`` standardises the features and learns one linear score. With query groups (a
base city and its candidates) it fits a listwise objective — a softmax over each query's
candidates, the real partners as its targets — with scipy's L-BFGS-B; without groups (users'
verdicts on single pairs) a logistic loss. Either way, features whose direction a mode's
rationale fixes are bounded to that sign (``mode_priors.csv``), and the learned scores are then
calibrated by a one-dimensional logistic fit so that ``score`` reads as a probability. Where
there are too few labels, only the scaler is fitted, and the modes' prior weights rank;
``learned_`` says which.

    overall logit   = w · z + b                           (the best mode's w_m · z, if not learned)
    mode m's logit  = w · z + b + prior_strength · (w_m − w̄) · z      (w_m · z, if not learned)

where ``z`` are the standardised features (0 where a feature is unknown), ``w_m`` the mode's
prior weights and ``w̄`` their mean over the modes. Every logit is a sum of per-feature terms,
which ``contributions`` returns for the explanations.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import sklearn
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from matching.metrics import ndcg
from matching.modes import MODES, feature_signs, sign_bounds
from matching.vocabulary import Mode

if TYPE_CHECKING:
    from matching.site_ranker import SiteRanker

MODE_ORDER = tuple(MODES)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def _segment_softmax(scores: np.ndarray, starts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted softmax of ``scores`` within consecutive segments beginning at ``starts``."""
    top = np.maximum.reduceat(scores, starts)
    sizes = np.diff(np.append(starts, len(scores)))
    exp = weights * np.exp(scores - np.repeat(top, sizes))
    return exp / np.repeat(np.add.reduceat(exp, starts), sizes)


def listwise_loss(
    w: np.ndarray,
    Z: np.ndarray,
    targets: np.ndarray,
    starts: np.ndarray,
    weights: np.ndarray,
    alpha: float,
) -> tuple[float, np.ndarray]:
    """Cross-entropy between each query's target distribution and the softmax of its scores."""
    scores = Z @ w
    probability = _segment_softmax(scores, starts, weights)
    loss = -np.sum(targets * np.log(np.maximum(probability, 1e-300))) + 0.5 * alpha * w @ w
    return float(loss), Z.T @ (probability * targets_total(targets, starts) - targets) + alpha * w


def targets_total(targets: np.ndarray, starts: np.ndarray) -> np.ndarray:
    sizes = np.diff(np.append(starts, len(targets)))
    return np.repeat(np.add.reduceat(targets, starts), sizes)


def pointwise_loss(
    w: np.ndarray, Z: np.ndarray, y: np.ndarray, weights: np.ndarray, alpha: float
) -> tuple[float, np.ndarray]:
    """Weighted logistic loss; the last element of ``w`` is the intercept (not penalised)."""
    logits = Z @ w[:-1] + w[-1]
    p = sigmoid(logits)
    loss = -np.sum(weights * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
    residual = weights * (p - y)
    gradient = np.append(Z.T @ residual + alpha * w[:-1], residual.sum())
    return float(loss + 0.5 * alpha * w[:-1] @ w[:-1]), gradient


class PairRanker(ClassifierMixin, BaseEstimator):
    """Scores pairs from their features; learned where labels allow, prior otherwise.

    Parameters
    ----------
    feature_names : the columns of ``X``, in order.
    kind : "city" or "site" — whose prior weights and sign constraints (``mode_priors.csv``).
    alpha : L2 penalty on the standardised weights.
    prior_strength : how much a mode's prior adds to the learned logit in mode scores.
    min_labels : fewer positive (or negative) labels than this → prior only.
    exclude : features the learned score leaves out (their weight is held at 0); the modes'
        priors still use them.
    constrained : bound each feature to the sign the modes' rationale fixes (``mode_priors.csv``).
    """

    def __init__(
        self,
        feature_names: tuple[str, ...] = (),
        kind: str = "city",
        alpha: float = 1.0,
        prior_strength: float = 0.5,
        min_labels: int = 5,
        exclude: tuple[str, ...] = (),
        constrained: bool = True,
        random_state: int = 0,
    ) -> None:
        self.feature_names = feature_names
        self.kind = kind
        self.alpha = alpha
        self.prior_strength = prior_strength
        self.min_labels = min_labels
        self.exclude = exclude
        self.constrained = constrained
        self.random_state = random_state

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray | None = None,
        sample_weight: np.ndarray | None = None,
        groups: np.ndarray | None = None,
    ) -> "PairRanker":
        """Fit the scaler on every row and, where labels allow, the weights on the labelled ones.

        Labels are 1, 0, or −1 for unlabelled rows (they shape the scaling only). ``groups``
        names each row's query (rows of one query must be consecutive): listwise when given.
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
        # a column no row knows (NaN throughout) scales as zeros: it stays neutral
        self.scaler_ = StandardScaler().fit(np.where(np.isnan(X).all(axis=0), 0.0, X))
        self.coef_ = np.zeros(self.n_features_in_)
        self.intercept_ = 0.0
        if self.learned_:
            weights = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
            Z = self.standardise(X[labelled])
            keep = labels[labelled].astype(float), weights[labelled]
            if groups is None:
                self.coef_, self.intercept_ = self._fit_pointwise(Z, *keep)
            else:
                self.coef_ = self._fit_listwise(Z, *keep, np.asarray(groups)[labelled])
                self.coef_, self.intercept_ = self._calibrate(Z, *keep)
        return self

    def _bounds(self) -> list[tuple[float | None, float | None]]:
        signs = feature_signs(self.kind) if self.constrained else {}
        return sign_bounds(self.feature_names, signs, self.exclude)

    def _fit_listwise(
        self, Z: np.ndarray, y: np.ndarray, weights: np.ndarray, groups: np.ndarray
    ) -> np.ndarray:
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        sizes = np.diff(np.append(starts, len(y)))
        positives = np.add.reduceat(y * weights, starts)
        keep = np.repeat(positives > 0, sizes)  # a query without a partner teaches nothing
        Z, y, weights, groups = Z[keep], y[keep], weights[keep], groups[keep]
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        sizes = np.diff(np.append(starts, len(y)))
        targets = y * weights / np.repeat(np.add.reduceat(y * weights, starts), sizes)
        result = minimize(
            listwise_loss,
            np.zeros(Z.shape[1]),
            args=(Z, targets, starts, np.where(y > 0, 1.0, weights), self.alpha),
            jac=True,
            method="L-BFGS-B",
            bounds=self._bounds(),
        )
        return result.x

    def _fit_pointwise(
        self, Z: np.ndarray, y: np.ndarray, weights: np.ndarray
    ) -> tuple[np.ndarray, float]:
        result = minimize(
            pointwise_loss,
            np.zeros(Z.shape[1] + 1),
            args=(Z, y, weights, self.alpha),
            jac=True,
            method="L-BFGS-B",
            bounds=[*self._bounds(), (None, None)],
        )
        return result.x[:-1], float(result.x[-1])

    def _calibrate(
        self, Z: np.ndarray, y: np.ndarray, weights: np.ndarray
    ) -> tuple[np.ndarray, float]:
        """Scale and shift the listwise score so that its sigmoid fits the labels (Platt)."""
        scores = (Z @ self.coef_)[:, None]
        if not np.any(scores):
            return self.coef_, 0.0
        result = minimize(
            pointwise_loss,
            np.zeros(2),
            args=(scores, y, weights, 0.0),
            jac=True,
            method="L-BFGS-B",
            bounds=[(1e-6, None), (None, None)],
        )
        return self.coef_ * result.x[0], float(result.x[1])

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
        """Standardised features; an unknown feature (NaN) becomes 0, the neutral value."""
        check_is_fitted(self, "scaler_")
        z = (np.asarray(X, dtype=np.float64) - self.scaler_.mean_) / self.scaler_.scale_
        z[np.isnan(z)] = 0.0
        return z

    @property
    def mode_terms_(self) -> np.ndarray:
        """features × modes: the linear weights of each mode's logit over standardised features.

        Learned: the model's coefficients plus ``prior_strength`` times how much more the mode
        weighs a feature than the modes' average (so mode scores stay on the model's scale).
        Prior only: the mode's own weights.
        """
        check_is_fitted(self, "scaler_")
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

    ranker: "PairRanker | SiteRanker"
    version: str
    fingerprint: str
    metrics: dict[str, Any] = field(default_factory=dict)
    trained_at: str = ""
    sklearn_version: str = sklearn.__version__

    @classmethod
    def stamped(
        cls, kind: str, ranker: "PairRanker | SiteRanker", digest: str, metrics: dict[str, Any]
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

"""Ranking metrics of one query: binary relevance in ranked order in, numbers out.

The ranker's ``score`` and the evaluation's cross-validation both use these; neither imports
the other for them.
"""

import numpy as np

METRICS = ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10")


def ndcg(relevance: np.ndarray, k: int = 10, total: int | None = None) -> float:
    """NDCG@k of binary relevance in ranked order (``total`` relevant items, found or not)."""
    total = int(relevance.sum()) if total is None else total
    discounts = 1 / np.log2(np.arange(2, k + 2))
    gains = float((relevance[:k] * discounts[: len(relevance[:k])]).sum())
    ideal = float(discounts[: min(k, total)].sum())
    return gains / ideal if ideal > 0 else 0.0


def query_metrics(relevance: np.ndarray, total: int | None = None) -> dict[str, float]:
    """Metrics of one ranked list of 0/1 relevance; ``total`` counts relevant items missing
    from the list too (a real partner outside the candidates is a miss)."""
    hits = np.flatnonzero(relevance)
    total = max(len(hits) if total is None else total, 1)
    return {
        "recall@1": float(relevance[:1].sum() / total),
        "recall@5": float(relevance[:5].sum() / total),
        "recall@10": float(relevance[:10].sum() / total),
        "mrr": float(1.0 / (hits[0] + 1)) if len(hits) else 0.0,
        "ndcg@10": ndcg(relevance, 10, total),
    }


def ranked(scores: np.ndarray, relevant: np.ndarray) -> np.ndarray:
    """``relevant`` in the order of ``scores``, best first (ties keep their order)."""
    return relevant[np.argsort(-scores, kind="stable")]

"""The opportunity scorer as an estimator: priors until labels, then learned from grades."""

import numpy as np
import pytest
from sklearn.base import clone

from matching.opportunities import FEATURES, PRIOR_WEIGHTS, OpportunityScorer, shared_terms


def test_with_no_labels_the_weights_are_the_priors() -> None:
    scorer = OpportunityScorer().fit(np.empty((0, len(FEATURES))), [])
    assert scorer.n_labels_ == 0 and tuple(scorer.coef_) == PRIOR_WEIGHTS


def test_graded_outcomes_move_the_weights_towards_what_led_to_signing() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((400, len(FEATURES)))
    grades = np.rint(5 * X[:, FEATURES.index("framework")]).astype(int)  # only ties predict
    scorer = clone(OpportunityScorer(alpha=1.0)).fit(X, grades)
    assert scorer.n_labels_ == 400
    framework = FEATURES.index("framework")
    assert scorer.coef_[framework] > PRIOR_WEIGHTS[framework]
    assert (scorer.coef_ >= 0).all()
    prior = OpportunityScorer().fit(np.empty((0, len(FEATURES))), [])
    assert scorer.score(X, grades) > prior.score(X, grades)


def test_labels_are_graded_zero_to_five() -> None:
    with pytest.raises(ValueError, match="0–5"):
        OpportunityScorer().fit(np.zeros((1, len(FEATURES))), [6])


def test_shared_terms_are_in_both_texts() -> None:
    terms = shared_terms("稀土深加工技术需求 分离提纯", "稀土永磁材料深加工技术成果 分离")
    assert terms == ["深加工技术", "稀土", "分离"]
    assert all(
        t in "稀土深加工技术需求 分离提纯" and t in "稀土永磁材料深加工技术成果 分离" for t in terms
    )
    assert "技术" not in shared_terms("技术需求", "技术成果")  # a word every opportunity says

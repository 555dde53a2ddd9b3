"""Training, saved and guarded: the one path that the ``retrain`` job and ``counterpart train`` take.

Both rankers are fitted on the store's pairings, feedback and pipeline outcomes and saved with a version (every
version is kept). The new city model is promoted only if it ranks the current pairings at least
as well (MRR) as the model in use, so feedback that contradicts the real pairings never replaces
a better model; the site model has no such yardstick yet and is promoted as it is.
"""

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from matching.evaluation import EvaluationReport, cross_validate, ranking_mrr
from matching.ranker import SavedModel
from matching.records import CityArrays
from matching.registry import ModelRegistry
from profiles.ranking import train_models
from profiles.snapshot import load_snapshot

TOLERANCE = 1e-9


@dataclass(frozen=True)
class TrainingRun:
    city: SavedModel
    site: SavedModel
    paths: dict[str, Path]
    promoted: bool  # the city model became the current one
    no_worse: bool  # it ranks the current pairings at least as well as the model in use
    mrr: float  # the new city model's MRR on the current pairings
    previous_mrr: float | None  # the same for the model in use; None when there was none
    verdicts: int  # users' verdicts on city pairs and sites
    outcomes: int  # pipeline outcomes (graded labels) on city pairs and enterprise–city pairs
    report: EvaluationReport | None  # grouped cross-validation, when asked for


def train(
    session: Session, registry: ModelRegistry, *, promote: bool = True, evaluate: bool = False
) -> TrainingRun:
    """Fit, measure and save both rankers; promote them unless told not to or no better.

    ``evaluate`` adds grouped cross-validation beside the baselines (a few seconds more), and
    stores its figures with the city model.
    """
    snapshot = load_snapshot(session)
    trained = train_models(session, snapshot)
    cities = CityArrays(snapshot.cities)
    current = registry.load("city")
    mrr = ranking_mrr(cities, trained.city.ranker, snapshot.pairings, snapshot.frameworks)
    previous = (
        ranking_mrr(cities, current.ranker, snapshot.pairings, snapshot.frameworks)
        if current
        else None
    )
    no_worse = previous is None or mrr >= previous - TOLERANCE
    trained.city.metrics |= {"mrr_on_current_pairings": mrr, "previous_mrr": previous}
    report = None
    if evaluate:
        report = cross_validate(
            cities, snapshot.pairings, snapshot.frameworks, protocols=("grouped",), draws=200
        )
        cell = report.table["grouped"]["all"]
        trained.city.metrics |= {"cv": cell.mean, "cv_queries": cell.queries}
    paths = {
        "city": registry.save("city", trained.city, promote=promote and no_worse),
        "site": registry.save("site", trained.site, promote=promote),
    }
    return TrainingRun(
        city=trained.city,
        site=trained.site,
        paths=paths,
        promoted=promote and no_worse,
        no_worse=no_worse,
        mrr=mrr,
        previous_mrr=previous,
        verdicts=int(trained.city.metrics["verdicts"]) + int(trained.site.metrics["verdicts"]),
        outcomes=int(trained.city.metrics["outcomes"]) + int(trained.site.metrics["outcomes"]),
        report=report,
    )

"""Real site choices as training queries: each case's chosen city against the other candidates.

A case is a real investment (reference data: an enterprise headquartered in one city built or
signed a project in a base-area city) or a user's verdict on a recommended site. Each usable
case is one query: the enterprise's features against every base-area city but its own
headquarters, the chosen city marked. Cases that cannot be placed (no headquarters city, no
industry code, a site outside the base-area candidates) are counted, never guessed.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.features import SiteSide, site_features
from matching.records import CityArrays, EnterpriseArrays
from matching.site_ranker import CANDIDATE, CHOSEN, REJECTED


@dataclass(frozen=True)
class SiteCase:
    """An enterprise headquartered in ``hq`` that chose (or, ``chosen`` False, refused) ``site``."""

    enterprise: str
    hq: str | None  # prefecture adcode; None where no source names the city
    site: str
    industry_codes: tuple[str, ...]
    cluster: str  # enterprise/event cluster: kept together by grouped cross-validation
    source: str = ""
    confidence: str = ""
    need_codes: tuple[str, ...] = ()
    workers: int | None = None
    chosen: bool = True
    weight: float = 1.0
    origin: str = "investment"  # or "feedback" (a user's verdict), "pipeline" (an outcome)


@dataclass
class ChoiceSet:
    """Queries as rows: every candidate city of every usable case."""

    X: np.ndarray  # rows × SITE_FEATURES
    y: np.ndarray  # 1 chosen, 0 candidate, −1 refused
    query: np.ndarray  # the case's position in ``cases`` (rows of a query are consecutive)
    cluster: np.ndarray  # the case's cluster
    site: np.ndarray  # the case's site adcode (the chosen or refused city)
    candidate: np.ndarray  # the row's city (index into CityArrays)
    weights: np.ndarray  # the case's weight
    skipped: dict[str, int] = field(default_factory=dict)  # why cases could not train

    @property
    def queries(self) -> int:
        return len(np.unique(self.query))


def usable(cities: CityArrays, case: SiteCase, candidates: set[int]) -> str | None:
    """Why a case cannot train (None when it can)."""
    if not case.hq:
        return "no_hq_city"
    if case.hq not in cities.index:
        return "hq_not_in_catalogue"
    if not case.industry_codes:
        return "no_industry_code"
    if case.site not in cities.index or cities.index[case.site] not in candidates:
        return "site_not_a_candidate"
    if case.hq == case.site:
        return "hq_is_site"
    return None


def choice_set(cities: CityArrays, cases: Sequence[SiteCase], side: SiteSide) -> ChoiceSet:
    """Every usable case against every candidate of ``side`` but its headquarters."""
    candidates = set(side.rows.tolist())
    reasons = [usable(cities, c, candidates) for c in cases]
    kept = [k for k, why in enumerate(reasons) if why is None]
    skipped = dict(Counter(why for why in reasons if why is not None))
    if not kept:
        empty = np.zeros((0, 0))
        return ChoiceSet(empty, *(np.array([]) for _ in range(6)), skipped=skipped)  # type: ignore[arg-type]
    chosen = [cases[k] for k in kept]
    arrays = EnterpriseArrays.build(
        cities,
        ids=kept,
        hq_cities=[c.hq or "" for c in chosen],
        industry_codes=[c.industry_codes for c in chosen],
        need_codes=[c.need_codes for c in chosen],
        workers=[c.workers for c in chosen],
    )
    X = site_features(cities, arrays, np.arange(len(chosen)), side)  # cases × C × F
    sites = cities.indices([c.site for c in chosen])
    hit = sites[:, None] == side.rows[None, :]
    label = np.where(
        hit, np.array([CHOSEN if c.chosen else REJECTED for c in chosen])[:, None], CANDIDATE
    )
    keep = side.rows[None, :] != arrays.hq[:, None]  # the headquarters city is no site
    case_of = np.broadcast_to(np.arange(len(chosen))[:, None], keep.shape)[keep]
    return ChoiceSet(
        X=X[keep],
        y=label[keep],
        query=np.array(kept)[case_of],
        cluster=np.array([c.cluster for c in chosen])[case_of],
        site=np.array([c.site for c in chosen])[case_of],
        candidate=np.broadcast_to(side.rows[None, :], keep.shape)[keep],
        weights=np.array([c.weight for c in chosen])[case_of],
        skipped=skipped,
    )


def cluster_ids(keys: Sequence[Sequence[str]]) -> list[str]:
    """Connected components of items sharing any key (an enterprise's core name, a source),
    each named by its root member's first key."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, item in enumerate(keys):
        for key in item:
            if not key:
                continue
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    return [keys[find(i)][0] if keys[find(i)] else str(find(i)) for i in range(len(keys))]

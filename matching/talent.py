"""Talent matching: experts ↔ base-area posts, and universities ↔ base cities (高校合作共建).

Fields are compared at the level of the discipline catalogue (``matching.disciplines``: a
broad category such as 工学 never matches a post's 药学) and on GB/T 4754 codes, so 稀土材料
meets 材料科学与工程. Every score is matrix work over all
candidates; eligibility (``matching.programmes``) is a mask applied exactly. There is no
placement history yet, so the weights are stated priors, and the reasons say what fitted.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from matching.disciplines import FieldIndex, field_matrix, matching_fields
from matching.explain import Reason, top_reasons
from matching.programmes import (
    DEGREE_LEVEL,
    PROGRAMMES,
    SENIORITY,
    ExpertFacts,
    RuleCheck,
    eligibility,
    refusal,
    rule_checks,
)
from matching.ranker import sigmoid
from matching.records import CityArrays, code_matrix, haversine_km, l2_rows
from matching.vocabulary import AffiliationType, Degree, Programme, Region, Title

TALENT_WEIGHTS = {
    "field_match": 4.0,  # the expert's fields ↔ the post's field (n-gram cosine)
    "industry_match": 1.0,  # GB/T 4754 codes of the fields
    "willing": 1.5,  # the expert named this programme
    "seniority": 0.6,
    "degree": 0.4,
    "availability": 1.0,  # free from before the post starts, for long enough
    "log_distance": -0.2,
}
TALENT_BIAS = -3.5
UNIVERSITY_WEIGHTS = {
    "discipline_match": 3.0,  # disciplines ↔ the city's industries, sought fields and posts
    "industry_match": 1.5,
    "standing": 0.8,  # 双一流 1.0, 本科 0.6, 高职 0.5
    "partner_tie": 1.0,  # the university's city already pairs with the base city
    "log_distance": -0.3,
}
UNIVERSITY_BIAS = -3.0
STANDING = {"double_first_class": 1.0, "undergraduate": 0.6, "vocational": 0.5, "technician": 0.4}


@dataclass(frozen=True)
class ExpertRecord:
    id: int
    name: str
    city: str
    affiliation: str
    affiliation_type: str
    fields: tuple[str, ...]
    industry_codes: tuple[str, ...] = ()
    title: str = "intermediate"
    degree: str = "master"
    programmes: tuple[str, ...] = ()
    available_from: str | None = None
    available_months: int | None = None
    is_demo: bool = False

    @property
    def facts(self) -> ExpertFacts:
        return ExpertFacts(
            Degree(self.degree),
            Title(self.title),
            AffiliationType(self.affiliation_type),
            self.fields,
        )


@dataclass(frozen=True)
class NeedRecord:
    id: int
    title: str
    city: str
    field: str
    programme: str
    industry_codes: tuple[str, ...] = ()
    headcount: int = 1
    period_months: int | None = None
    starts: str | None = None
    is_demo: bool = False


@dataclass(frozen=True)
class UniversityRecord:
    id: int
    name: str
    city: str
    type: str
    disciplines: tuple[str, ...]
    industry_codes: tuple[str, ...] = ()


def _month(value: str | None) -> float:
    if not value:
        return np.nan
    year, month = value.split("-")
    return int(year) * 12 + int(month) - 1


@dataclass(frozen=True)
class Scored:
    """A ranked candidate with its score and reasons."""

    row: int
    score: float
    reasons: list[Reason]


class TalentArrays:
    """Experts, posts and universities as vectors, built once per catalogue snapshot."""

    def __init__(
        self,
        cities: CityArrays,
        experts: Sequence[ExpertRecord],
        needs: Sequence[NeedRecord],
        universities: Sequence[UniversityRecord],
    ) -> None:
        self.cities = cities
        self.experts, self.needs, self.universities = list(experts), list(needs), list(universities)
        self.expert_index = {e.id: i for i, e in enumerate(self.experts)}
        self.need_index = {n.id: i for i, n in enumerate(self.needs)}
        self.university_index = {u.id: i for i, u in enumerate(self.universities)}
        # experts × posts: fields compared at the discipline level (``matching.disciplines``)
        self.fields = FieldIndex([e.fields for e in self.experts], [(n.field,) for n in self.needs])
        self.expert_codes = l2_rows(code_matrix([e.industry_codes for e in self.experts]))
        self.need_codes = l2_rows(code_matrix([n.industry_codes for n in self.needs]))
        self.university_codes = l2_rows(code_matrix([u.industry_codes for u in self.universities]))
        self.expert_city = cities.indices([e.city for e in self.experts])
        self.need_city = cities.indices([n.city for n in self.needs])
        self.university_city = cities.indices([u.city for u in self.universities])
        self.seniority = np.array([SENIORITY[Title(e.title)] / 4 for e in self.experts])
        self.degree = np.array([DEGREE_LEVEL[Degree(e.degree)] / 3 for e in self.experts])
        self.free_from = np.array([_month(e.available_from) for e in self.experts])
        self.free_months = np.array(
            [np.nan if e.available_months is None else e.available_months for e in self.experts]
        )
        self.starts = np.array([_month(n.starts) for n in self.needs])
        self.period = np.array(
            [np.nan if n.period_months is None else n.period_months for n in self.needs]
        )
        programmes = list(Programme)
        self.willing = np.zeros((len(self.experts), len(programmes)), dtype=bool)
        for i, e in enumerate(self.experts):
            for p in e.programmes:
                self.willing[i, programmes.index(Programme(p))] = True
        self.need_programme = np.array(
            [programmes.index(Programme(n.programme)) for n in self.needs], dtype=np.int64
        )
        self.region = np.array(
            [Region(r.region) if r.region else None for r in cities.records], dtype=object
        )
        self.facts = [e.facts for e in self.experts]

    # ------------------------------------------------------------ experts × posts
    def features(self, experts: np.ndarray, needs: np.ndarray) -> dict[str, np.ndarray]:
        """experts × needs matrix per talent feature."""
        km = self.city_km[np.ix_(self.expert_city[experts], self.need_city[needs])]
        starts_ok = ~(self.free_from[experts][:, None] > self.starts[needs][None, :])
        long_ok = ~(self.free_months[experts][:, None] < self.period[needs][None, :])
        return {
            "field_match": self.fields.block(experts, needs),
            "industry_match": np.asarray(
                (self.expert_codes[experts] @ self.need_codes[needs].T).todense()
            ),
            "willing": self.willing[np.ix_(experts, self.need_programme[needs])].astype(float),
            "seniority": np.broadcast_to(self.seniority[experts][:, None], km.shape),
            "degree": np.broadcast_to(self.degree[experts][:, None], km.shape),
            "availability": (starts_ok.astype(float) + long_ok.astype(float)) / 2,
            "log_distance": np.log(km + 10.0),
        }

    @cached_property
    def city_km(self) -> np.ndarray:
        """Distances between every two cities, tabulated once."""
        lonlat = self.cities.lonlat
        return haversine_km(lonlat[:, None, :], lonlat[None, :, :])

    def scores(self, experts: np.ndarray, needs: np.ndarray, *, chunk: int = 2_000) -> np.ndarray:
        """experts × needs scores in [0, 1] (eligibility not applied), computed in row chunks."""
        result = np.empty((len(experts), len(needs)), dtype=np.float32)
        for begin in range(0, len(experts), chunk):
            rows = experts[begin : begin + chunk]
            result[begin : begin + chunk] = _probability(self.features(rows, needs))
        return result

    def eligible(self, experts: np.ndarray, needs: np.ndarray) -> np.ndarray:
        """experts × needs: may this expert serve this post under the post's programme?"""
        result = np.zeros((len(experts), len(needs)), dtype=bool)
        programmes = list(Programme)
        regions = self.region[self.need_city[needs]]
        facts = [self.facts[i] for i in experts]
        for p in np.unique(self.need_programme[needs]):
            columns = np.flatnonzero(self.need_programme[needs] == p)
            result[:, columns] = eligibility(programmes[p], facts, regions[columns])
        return result

    def refusal(self, expert: int, need: int) -> str | None:
        region = self.region[self.need_city[need]]
        return refusal(Programme(self.needs[need].programme), self.facts[expert], region)

    def rule_checks(self, expert: int, need: int) -> list[RuleCheck]:
        """Each eligibility rule of the post's programme for this expert, passed or failed."""
        region = self.region[self.need_city[need]]
        return rule_checks(Programme(self.needs[need].programme), self.facts[expert], region)

    def best_posts(
        self, experts: np.ndarray, needs: np.ndarray, *, top: int = 3
    ) -> list[list[Scored]]:
        """For each expert, its ``top`` eligible posts among ``needs`` (one matrix, best first)."""
        features = self.features(experts, needs)
        scores = _probability(features)
        scores[~self.eligible(experts, needs)] = -np.inf
        return [
            self._top(
                needs,
                scores[i],
                top,
                lambda j, i=i, e=int(e): self._explain(e, int(needs[j]), features, i, j),
            )
            for i, e in enumerate(experts)
        ]

    def reasons(self, expert: int, need: int) -> list[Reason]:
        """Why this expert fits this post (the features that lifted the score, in Chinese)."""
        return self._explain(
            expert, need, self.features(np.array([expert]), np.array([need])), 0, 0
        )

    def _explain(
        self, expert: int, need: int, features: dict[str, np.ndarray], i: int, j: int
    ) -> list[Reason]:
        """``reasons`` read from an already computed features block at (i, j)."""
        values = {k: float(v[i, j]) for k, v in features.items()}
        contributions = np.array([TALENT_WEIGHTS[f] * values[f] for f in TALENT_WEIGHTS])
        e, n = self.experts[expert], self.needs[need]
        spec = PROGRAMMES[Programme(n.programme)]

        def text(feature: str) -> str | None:
            match feature:
                case "field_match":
                    matched = matching_fields(e.fields, n.field)
                    if not matched:
                        return None
                    return f"专业对口：{'、'.join(matched[:3])} ↔ 岗位需求“{n.field}”"
                case "industry_match":
                    shared = sorted(set(e.industry_codes) & set(n.industry_codes))
                    if not shared:
                        return None
                    return f"专业与岗位同属行业（GB/T 4754 {'、'.join(shared[:3])}）"
                case "willing":
                    return f"本人有意参加{spec.label}"
                case "seniority":
                    return f"职称{Title(e.title).label}"
                case "degree":
                    return f"学位{Degree(e.degree).label}"
                case "availability":
                    return f"可于{e.available_from or '近期'}到岗，服务期{e.available_months or '—'}个月，满足岗位要求"
                case "log_distance":
                    return "所在地与岗位距离较近"
            return feature

        return top_reasons(contributions, list(TALENT_WEIGHTS), text)

    def experts_for(
        self, need: int, *, limit: int = 10, pool: np.ndarray | None = None
    ) -> list[Scored]:
        """Eligible experts for one post, best first."""
        rows = np.arange(len(self.experts)) if pool is None else pool
        features = self.features(rows, np.array([need]))
        scores = _probability(features)[:, 0]
        scores[~self.eligible(rows, np.array([need]))[:, 0]] = -np.inf
        return self._top(
            rows, scores, limit, lambda k: self._explain(int(rows[k]), need, features, k, 0)
        )

    def needs_for(self, expert: int, *, limit: int = 10) -> list[Scored]:
        """Posts an expert is eligible for, best first."""
        rows = np.arange(len(self.needs))
        features = self.features(np.array([expert]), rows)
        scores = _probability(features)[0]
        scores[~self.eligible(np.array([expert]), rows)[0]] = -np.inf
        return self._top(
            rows, scores, limit, lambda k: self._explain(expert, int(k), features, 0, k)
        )

    @staticmethod
    def _top(rows: np.ndarray, scores: np.ndarray, limit: int, explain) -> list[Scored]:
        """The ``limit`` best finite scores, each explained by ``explain(position in rows)``."""
        allowed = np.isfinite(scores)
        count = min(limit, int(allowed.sum()))
        if count == 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.lexsort((top, -scores[top]))]
        return [Scored(int(rows[k]), round(float(scores[k]), 4), explain(int(k))) for k in top]

    # ------------------------------------------------------------ universities × base city
    def universities_for(
        self, city: str, *, partners: frozenset[str] = frozenset(), limit: int = 10
    ) -> list[Scored]:
        """Universities for 高校合作共建 with a base city: disciplines ↔ its industries and posts."""
        row = self.cities.index[city]
        record = self.cities.records[row]
        posts = [n.field for n in self.needs if n.city == city]
        codes = l2_rows(
            code_matrix(
                [
                    record.industry_codes
                    + tuple(c for n in self.needs if n.city == city for c in n.industry_codes)
                ]
            )
        )
        km = haversine_km(
            self.cities.lonlat[row][None, :], self.cities.lonlat[self.university_city]
        )
        features = {
            "discipline_match": field_matrix(
                [u.disciplines for u in self.universities],
                [tuple(w for w, _ in record.industry_words) + tuple(posts)],
            )[:, 0],
            "industry_match": np.asarray((self.university_codes @ codes.T).todense())[:, 0],
            "standing": np.array([STANDING.get(u.type, 0.4) for u in self.universities]),
            "partner_tie": np.array([float(u.city in partners) for u in self.universities]),
            "log_distance": np.log(km + 10.0),
        }
        logit = UNIVERSITY_BIAS + sum(UNIVERSITY_WEIGHTS[k] * v for k, v in features.items())
        scores = sigmoid(logit)
        scores[self.university_city == row] = -np.inf  # co-building is with universities elsewhere

        def explain(u: int) -> list[Reason]:
            university = self.universities[u]
            contributions = np.array(
                [UNIVERSITY_WEIGHTS[f] * features[f][u] for f in UNIVERSITY_WEIGHTS]
            )
            partner_city = self.cities.records[self.university_city[u]].name

            def text(feature: str) -> str | None:
                match feature:
                    case "discipline_match":
                        wanted_words = [w for w, _ in record.industry_words] + posts
                        pairs = [
                            f"{d}↔{w}"
                            for w in wanted_words
                            for d in matching_fields(university.disciplines, w)[:1]
                        ]
                        if not pairs:
                            return None
                        return f"学科对接{record.name}产业与岗位：{'、'.join(pairs[:3])}"
                    case "industry_match":
                        shared = sorted(set(university.industry_codes) & set(record.industry_codes))
                        if not shared:
                            return None
                        return f"学科所属行业与{record.name}主导产业一致（GB/T 4754 {'、'.join(shared[:3])}）"
                    case "standing":
                        return {
                            "double_first_class": "“双一流”建设高校",
                            "vocational": "高水平职业院校",
                        }.get(university.type, "本科高校")
                    case "partner_tie":
                        return f"{partner_city}已与{record.name}结对，合作基础好"
                    case "log_distance":
                        return f"距{record.name}较近"
                return feature

            return top_reasons(contributions, list(UNIVERSITY_WEIGHTS), text)

        return self._top(np.arange(len(self.universities)), scores, limit, explain)


def _probability(features: dict[str, np.ndarray]) -> np.ndarray:
    """experts × needs scores in [0, 1] from their features."""
    logit = np.full(next(iter(features.values())).shape, TALENT_BIAS)
    for name, matrix in features.items():
        logit += TALENT_WEIGHTS[name] * matrix
    return sigmoid(logit).astype(np.float32)

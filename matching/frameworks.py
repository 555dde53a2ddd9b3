"""Cooperation frameworks as one-way ties, and who may ask whom for help.

A framework says that a helper (a province, part of one, or a city) assists or cooperates with
an assisted side, under a scheme, for a period. Its sides arrive already expanded to the
prefecture-level cities they cover, so a tie is a (helper city, assisted city) entry of a
matrix — never read backwards: 江苏 → 陕西 lets 西安 ask 苏州 for help, not 淮安 ask 西安.

``TieTables`` turns the frameworks into matrices over one ``CityArrays`` once; candidate sets
and tie features are then slices of them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matching.records import CityArrays

CONFIDENCE_WEIGHT = {"high": 1.0, "medium": 1.0, "low": 0.5}


@dataclass(frozen=True)
class FrameworkTie:
    """One framework, each side as the prefecture-level cities (or municipalities) it covers."""

    scheme: str
    label: str  # e.g. "东西部协作：江苏省 → 陕西省（2021调整）"
    helper_cities: tuple[str, ...]
    assisted_cities: tuple[str, ...]
    active: bool = True
    helper_level: str = "province"
    assisted_level: str = "province"
    confidence: str = "medium"
    source: str = ""
    since: int | None = None
    id: int | None = None

    @property
    def city_to_city(self) -> bool:
        """Both sides name one city: this is a pairing, not a rule."""
        return (
            len(self.helper_cities) == 1
            and len(self.assisted_cities) == 1
            and (self.helper_level == "city" or self.assisted_level == "city")
        )


@dataclass
class TieTables:
    """helper × assisted matrices over every city of ``cities`` (rows help columns)."""

    cities: CityArrays
    frameworks: Sequence[FrameworkTie]
    active: np.ndarray = field(init=False)  # strongest active tie, weighted by confidence
    past: np.ndarray = field(init=False)  # ties of frameworks that have ended

    def __post_init__(self) -> None:
        """Rules only: a city-to-city framework is a pairing, so it counts as one (and only
        where the pairings a model may see include it)."""
        n = len(self.cities)
        self.active, self.past = np.zeros((n, n)), np.zeros((n, n))
        for tie in self.frameworks:
            if tie.city_to_city:
                continue  # a pairing: known through the pairings, fold by fold
            helpers = self._rows(tie.helper_cities)
            assisted = self._rows(tie.assisted_cities)
            if not len(helpers) or not len(assisted):
                continue
            table = self.active if tie.active else self.past
            block = np.ix_(helpers, assisted)
            # a tie naming one helper city is specific; a province's or region's is shared out
            strength = CONFIDENCE_WEIGHT.get(tie.confidence, 1.0) / np.sqrt(len(helpers))
            table[block] = np.maximum(table[block], strength)
        np.fill_diagonal(self.active, 0.0)
        np.fill_diagonal(self.past, 0.0)

    def _rows(self, adcodes: Sequence[str]) -> np.ndarray:
        index, covered = self.cities.index, set(adcodes)
        rows = [index[a] for a in adcodes if a in index]
        # a county-level city inside a covered prefecture is covered too
        rows += [i for i, r in enumerate(self.cities.records) if r.parent_adcode in covered]
        return np.array(sorted(set(rows)), dtype=np.int64)

    @cached_property
    def programme_provinces(self) -> frozenset[str]:
        """Provinces that run their own pairing programme (both sides inside the province)."""
        provinces = set()
        for tie in self.frameworks:
            sides = {a[:2] for a in (*tie.helper_cities, *tie.assisted_cities)}
            if (
                tie.active
                and len(sides) == 1
                and "region" in (tie.helper_level, tie.assisted_level)
            ):
                provinces.add(next(iter(sides)) + "0000")
        return frozenset(provinces)

    @cached_property
    def helpers_only(self) -> np.ndarray:
        """Cities that frameworks name only as helpers (by name or as a named region).

        A province-level helper counts only for a municipality (北京市 → 内蒙古自治区): a
        province's helper role says nothing about its poorer cities (江苏省 → 陕西省 does
        not make 宿迁 a helper).
        """
        named_helper = np.zeros(len(self.cities), dtype=bool)
        assisted = np.zeros(len(self.cities), dtype=bool)
        for tie in self.frameworks:
            if tie.helper_level != "province" or len(tie.helper_cities) == 1:
                named_helper[self._rows(tie.helper_cities)] = True
            assisted[self._rows(tie.assisted_cities)] = True
        return named_helper & ~assisted

    @cached_property
    def _sides(self) -> list[tuple[FrameworkTie, frozenset[str], frozenset[str]]]:
        return [
            (t, frozenset(t.helper_cities), frozenset(t.assisted_cities)) for t in self.frameworks
        ]

    @cached_property
    def _parent(self) -> dict[str, str | None]:
        return {r.adcode: r.parent_adcode for r in self.cities.records}

    def frameworks_between(self, helper: str, assisted: str) -> list[FrameworkTie]:
        """The frameworks under which ``helper`` assists ``assisted`` (counties by parent)."""
        helpers = {helper, self._parent.get(helper)}
        assisted_ = {assisted, self._parent.get(assisted)}
        return [t for t, h, a in self._sides if helpers & h and assisted_ & a]


def candidate_mask(tables: TieTables, askers: np.ndarray) -> np.ndarray:
    """askers × cities: who may be recommended to help each asker.

    A candidate is a prefecture-level city or municipality, more developed than the asker (GDP
    per capita), and either tied to it by an active framework, or in its own province where the
    province runs a pairing programme, or in the eastern region. Anything else — an inland
    capital included — is a candidate only through a framework or the province's programme.
    """
    c = tables.cities
    richer = c.gdp_per_capita[None, :] > c.gdp_per_capita[askers][:, None]
    tied = tables.active[:, askers].T > 0
    same_province = c.province[None, :] == c.province[askers][:, None]
    programme = np.isin(c.province[askers], list(tables.programme_provinces))[:, None]
    eastern = (c.region == "east")[None, :]
    mask = richer & (tied | (same_province & programme) | eastern) & c.prefecture_level[None, :]
    mask[np.arange(len(askers)), askers] = False
    return mask


def distinct_labels(frameworks: Iterable[FrameworkTie]) -> list[str]:
    """Framework labels, one per rule (the same helper → assisted from two sources once)."""
    seen: dict[str, str] = {}
    for framework in frameworks:
        seen.setdefault(framework.label.split("（")[0], framework.label)
    return list(seen.values())

"""Reasons in words a cooperation office can read: one Chinese sentence per feature.

A reason says only what the data show for this pair: a match names the words on both sides and
the chain step between them (``matching.matches``); a count appears only where the catalogue
knows it (the “双一流” list is complete, other university counts are not); every reason keeps
the year, source and confidence of the data it rests on, and says so where confidence is low.
Where the data show nothing true to say, the feature gives no reason at all — never a
placeholder.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from matching.frameworks import FrameworkTie, distinct_labels
from matching.matches import Match, word_matches
from matching.records import CityRecord

REASONS_PER_ITEM = 4


@dataclass(frozen=True)
class Said:
    """What a reason may say: its text, the matches it claims, and the data it rests on."""

    text: str
    matches: tuple[Match, ...] = ()
    source: str | None = None
    year: int | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class Source:
    """Where a figure that a reason uses comes from."""

    figure: str
    city: str | None
    year: int | None
    source: str
    confidence: str | None = None


@dataclass(frozen=True)
class Reason:
    feature: str
    text: str
    contribution: float
    matches: tuple[Match, ...] = ()
    source: str | None = None
    year: int | None = None
    confidence: str | None = None
    sources: tuple[Source, ...] = ()  # every figure the sentence uses (site reasons)


def _join(words: Sequence[str], limit: int = 3) -> str:
    return "、".join(list(words)[:limit])


def _profile_said(text: str, matches: Sequence[Match], *cities: CityRecord) -> Said:
    """A profile-based reason: its year and source are the profiles'; low confidence is said."""
    ranks = {"high": 2, "medium": 1, "low": 0}
    weakest = min(cities, key=lambda c: ranks.get(c.profile_confidence or "low", 0))
    confidence = weakest.profile_confidence
    if confidence == "low":
        text += f"（{weakest.name}资料可信度低，仅供参考）"
    years = [c.profile_year for c in cities if c.profile_year]
    return Said(
        text,
        tuple(matches),
        " ; ".join(dict.fromkeys(c.profile_source or "" for c in cities if c.profile_source)),
        min(years) if years else None,
        confidence,
    )


def _framework_said(
    base: str, partner: str, frameworks: Sequence[FrameworkTie], *, ended: bool
) -> Said | None:
    """The frameworks behind a pair, with their sources; a low-confidence one is said so."""
    if not frameworks:
        return None
    labels = distinct_labels(frameworks)[:2]
    text = f"{partner}{'曾' if ended else ''}对口帮扶{base}有政策依据：{_join(labels, 2)}"
    ranks = {"high": 2, "medium": 1, "low": 0}
    weakest = min(frameworks, key=lambda f: ranks.get(f.confidence, 1))
    if weakest.confidence == "low":
        text += "（部分框架资料可信度低，仅供参考）"
    years = [f.since for f in frameworks if f.since]
    sources = " ; ".join(dict.fromkeys(f.source for f in frameworks if f.source))
    return Said(text, (), sources or None, min(years) if years else None, weakest.confidence)


def _figures_said(text: str, city: CityRecord) -> Said:
    return Said(text, (), city.gdp_source, city.gdp_year, city.gdp_confidence)


def city_pair_text(
    feature: str,
    base: CityRecord,
    partner: CityRecord,
    value: float,
    km: float,
    frameworks: Sequence[FrameworkTie] = (),
) -> Said | None:
    """What is true to say about one city-pair feature (None when the data show nothing)."""
    b, p = base.name, partner.name
    if np.isnan(value):
        return None
    match feature:
        case "log_distance":
            return Said(f"两地相距约 {km:,.0f} 公里" + ("，往来便利" if km < 600 else ""))
        case "partner_scale":
            if partner.gdp_100m is None:
                return None
            return _figures_said(
                f"{p}{partner.gdp_year or ''}年GDP {partner.gdp_100m:,.0f} 亿元，投资与消费能力强",
                partner,
            )
        case "gradient":
            if base.gdp_per_capita is None or partner.gdp_per_capita is None or value <= 0:
                return None
            return _figures_said(
                f"{p}人均GDP约为{b}的 {np.exp(value):.1f} 倍（{partner.gdp_year or ''}年），"
                "具备产业梯度转移空间",
                partner,
            )
        case "framework_tie" | "past_framework":
            return _framework_said(b, p, frameworks, ended=feature == "past_framework")
        case "industry_fit":
            matches = word_matches(
                base.industry_words, partner.industry_words, same=True, two_steps=False
            ) or word_matches(
                partner.industry_words, base.industry_words, same=False, two_steps=False
            )
            if not matches:
                return None
            return _profile_said(
                f"产业匹配：{_join([m.describe() for m in matches], 2)}", matches[:2], base, partner
            )
        case "resource_fit":
            matches = word_matches(
                base.resources, partner.industry_words, same=False, two_steps=True
            )
            if not matches:
                return None
            return _profile_said(
                f"{b}资源供给{p}产业：{_join([m.describe() for m in matches], 2)}",
                matches[:2],
                base,
                partner,
            )
        case "market_product":
            products = [w for w, _ in base.products]
            if not products:
                return None
            people = (
                f"常住人口 {partner.population_10k:,.0f} 万人的" if partner.population_10k else ""
            )
            return _profile_said(f"{p}{people}消费市场 ↔ {b}特色产品：{_join(products)}", (), base)
        case "cost_proximity":
            if base.gdp_per_capita is None or partner.gdp_per_capita is None:
                return None
            return _figures_said(
                f"{b}人均GDP为{p}的 {base.gdp_per_capita / partner.gdp_per_capita:.0%}，"
                f"相距约 {km:,.0f} 公里，适合承接生产基地",
                base,
            )
        case "talent_supply":
            if partner.double_first_class <= 0:
                return None
            return Said(
                f"{p}有“双一流”高校 {partner.double_first_class} 所",
                source="教育部第二轮“双一流”建设高校名单（2022）",
                year=2022,
                confidence="high",
            )
        case "same_province":
            return Said(f"同在{base.province}，省内结对协调便利") if value > 0 else None
        case "pairing_history":
            return (
                Said(f"{partner.province}与{base.province}之间已有城市结对") if value > 0 else None
            )
        case "partner_load":
            count = round(np.expm1(value))
            return Said(f"{p}已对口支持其他 {count} 个城市，承载能力需统筹") if count else None
    return None


def top_reasons(
    contributions: np.ndarray,
    features: Sequence[str],
    text_of: Callable[[str], "str | Said | None"],
) -> list[Reason]:
    """The features that moved the score most (positive first), as reasons that are true.

    A feature whose data show nothing true to say (``None``) gives no reason.
    """
    order = np.argsort(-contributions, kind="stable")
    reasons: list[Reason] = []
    for i in order:
        if contributions[i] <= 0.05 and reasons:
            break
        said = text_of(features[i])
        if said is None:
            continue
        if isinstance(said, str):
            said = Said(said)
        reasons.append(
            Reason(
                features[i],
                said.text,
                round(float(contributions[i]), 3),
                said.matches,
                said.source,
                said.year,
                said.confidence,
            )
        )
        if len(reasons) == REASONS_PER_ITEM or contributions[i] <= 0.05:
            break
    return reasons

"""What a site recommendation may claim: its reasons, the sources behind them, and its gaps.

A reason says only what the catalogue shows for this enterprise and this city: the resource it
holds and its code, the code it meets, the chain link between them, the figure with its year.
An enterprise need the catalogue has no figure for (land, energy) is a ``DataGap``, never a
proxy; a figure the catalogue lacks for the city is a gap too, not a claim.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from matching.explain import Source
from matching.records import CODE_INDEX, CityRecord, Words, chain_links, reach_matrix

COORDINATES = "cpca resources/adcodes.csv（GB/T 2260 行政区划代码与经纬度，MIT 许可）；球面距离"
CHAIN_TABLE = "matching/data/industry_chain.csv（产业链上下游编辑对照表，按国民经济行业大类）"
PAIRINGS = "fixtures/reference/pairings_*.csv（发改振兴〔2022〕766号对口合作方案、东西部协作结对、深赣县区结对）"
INDUSTRY_CODES = (
    "fixtures/reference/gbt4754_2017.csv（GB/T 4754-2017 国民经济行业分类）；"
    "matching/data/industry_synonyms.csv（词语→行业代码编辑对照表）"
)
UNIVERSITIES = (
    "fixtures/reference/universities.csv（教育部 2022 年“双一流”名单、2024 年全国高校名单）"
)


@dataclass(frozen=True)
class DataGap:
    """What the data lack for a pair: the feature or need left unscored, and why (Chinese)."""

    feature: str
    text: str


@dataclass(frozen=True)
class SiteNeeds:
    """The enterprise side a site's reasons speak of."""

    name: str
    industry_codes: tuple[str, ...]
    industry_words: Words = ()
    needs: Words = ()
    land_mu: float | None = None
    workers: int | None = None
    energy_intensity: str | None = None


def _join(words: Sequence[str], limit: int = 3) -> str:
    return "、".join(list(dict.fromkeys(words))[:limit])


def met_needs(site: CityRecord, needs: Words) -> list[tuple[str, str, str, str]]:
    """(site word, its code, need word, need code) where what the site holds is the needed code
    or a finer one (锂 0939 meets 0939 or 09; copper 0911 never meets 0939)."""
    return [
        (word, code, need, wanted)
        for word, codes in site.resources
        for code in codes
        for need, wanted_codes in needs
        for wanted in wanted_codes
        if wanted[:1].isdigit() and code.startswith(wanted)
    ]


def _path(up: str, down: str) -> str | None:
    """The chain table's words for one or two steps from ``up`` to ``down`` (大类)."""
    links = chain_links()
    if (up, down) in links:
        return links[(up, down)]
    for (a, middle), why in links.items():
        if a == up and (middle, down) in links:
            return f"{why}；{links[(middle, down)]}"
    return None


def fed_industries(
    site: CityRecord, industry_codes: Sequence[str]
) -> list[tuple[str, str, str, str]]:
    """(site word, its code, enterprise code, chain words) where the resource's 大类 feeds the
    enterprise's 大类 in one or two steps of the chain table."""
    reach = reach_matrix()
    result = []
    for word, codes in site.resources:
        for code in codes:
            up = code[:2]
            for wanted in industry_codes:
                down = wanted[:2]
                if up not in CODE_INDEX or down not in CODE_INDEX:
                    continue
                if reach[CODE_INDEX[up], CODE_INDEX[down]] and (why := _path(up, down)):
                    result.append((word, code, wanted, why))
    return result


def _industry_label(enterprise: SiteNeeds, code: str) -> str:
    named = [
        w for w, codes in enterprise.industry_words if any(c.startswith(code[:2]) for c in codes)
    ]
    return f"{_join(named, 1)}〔{code}〕" if named else f"〔{code}〕"


def _figure(value: float | None, year: int | None, unit: str, digits: int = 0) -> str:
    if value is None:
        return "（目录无数据）"
    return f"{value:,.{digits}f} {unit}（{year or '年份不详'}年）"


def site_reason(
    feature: str,
    enterprise: SiteNeeds,
    site: CityRecord,
    hq: CityRecord,
    km: float,
    value: float,
) -> str:
    """The sentence for one site feature."""
    s, e = site.name, enterprise.name
    match feature:
        case "log_distance":
            return f"距总部所在地{hq.name}约 {km:,.0f} 公里"
        case "resource_need":
            first: dict[str, str] = {}  # one pair per needed word
            for w, c, n, wc in met_needs(site, enterprise.needs):
                first.setdefault(n, f"{w}〔{c}〕合所需{n}〔{wc}〕")
            pairs = list(first.values())[:2]
            return f"{s}有{'；'.join(pairs)}" if pairs else f"{s}资源与{e}所需资源代码相符"
        case "resource_chain":
            fed = fed_industries(site, enterprise.industry_codes)
            if not fed:
                return f"{s}资源沿产业链供给{e}所在行业"
            word, code, wanted, why = fed[0]
            return (
                f"{s}{word}〔{code}〕沿产业链（{why}）供给{e}{_industry_label(enterprise, wanted)}"
            )
        case "industry_cluster":
            shared = [
                w
                for w, codes in site.industry_words
                if {c[:2] for c in codes} & {c[:2] for c in enterprise.industry_codes}
            ]
            return f"{s}已有{_join(shared) or '同行业'}产业，可就近配套"
        case "chain_complement":
            return f"{s}主导产业与{e}所在行业处于产业链上下游（产业链对照表）"
        case "gdp_per_capita_gap":
            if site.gdp_per_capita is None or hq.gdp_per_capita is None:
                return f"{s}人均GDP低于{hq.name}"
            share = 100 * site.gdp_per_capita / hq.gdp_per_capita
            return (
                f"{s}人均GDP {site.gdp_per_capita:,.0f} 元，为{hq.name}的 {share:.0f}%"
                f"（{site.gdp_per_capita_year or site.gdp_year or '年份不详'}年，由GDP与常住人口推算）"
            )
        case "labour_pool":
            return f"{s}常住人口 {_figure(site.population_10k, site.population_year, '万人')}"
        case "workforce_share":
            if not enterprise.workers or not site.population_10k:
                return f"{e}用工需求相对{s}人口规模"
            share = 1000 * enterprise.workers / (site.population_10k * 1e4)
            return (
                f"用工需求 {enterprise.workers:,} 人，约占{s}常住人口的 {share:.2f}‰"
                f"（{site.population_year or '年份不详'}年）"
            )
        case "manufacturing_base":
            share = _figure(site.secondary_share, site.gdp_year, "%", 1)
            return f"{s}第二产业占GDP比重 {share}"
        case "talent_supply":
            return f"{s}有 {site.universities} 所高校（其中“双一流” {site.double_first_class} 所）"
        case "logistics":
            flags = [
                label
                for flag, label in (
                    (site.airport, "机场"),
                    (site.high_speed_rail, "高铁"),
                    (site.bonded_zone, "综合保税区"),
                    (site.ecommerce_zone, "跨境电商综试区"),
                )
                if flag
            ]
            return f"{s}有{_join(flags, 4)}" if flags else f"{s}交通与开放平台资料不全"
        case "market_product":
            return f"{s}特色产品（{_join([w for w, _ in site.products]) or '—'}）可供{e}加工销售"
        case "paired_with_hq":
            return f"{hq.name}与{s}已有结对合作关系（目录所载对口合作或东西部协作）"
        case "same_province":
            return f"与总部同在{site.province}"
    return feature


_FIGURES = {
    "gdp_per_capita_gap": ("人均GDP", "gdp_per_capita_year", "gdp_per_capita_source"),
    "labour_pool": ("常住人口", "population_year", "population_source"),
    "workforce_share": ("常住人口", "population_year", "population_source"),
    "manufacturing_base": ("第二产业占比", "gdp_year", "gdp_source"),
}
_PROFILE = (
    "resource_need",
    "resource_chain",
    "industry_cluster",
    "chain_complement",
    "market_product",
    "logistics",
)
_CODED = ("resource_need", "resource_chain", "industry_cluster", "chain_complement")


def reason_sources(feature: str, site: CityRecord, hq: CityRecord) -> list[Source]:
    """The sources (with year) of the figures one feature's reason uses."""
    sources = []
    if feature == "log_distance":
        sources.append(Source("坐标与距离", None, None, COORDINATES))
    elif feature == "same_province":
        sources.append(Source("所属省份", site.name, None, COORDINATES))
    if feature in _FIGURES:
        figure, year, source = _FIGURES[feature]
        cities = (site, hq) if feature == "gdp_per_capita_gap" else (site,)
        for city in cities:
            if getattr(city, source):
                sources.append(
                    Source(figure, city.name, getattr(city, year), getattr(city, source))
                )
    elif feature in _PROFILE and site.profile_source:
        sources.append(
            Source(
                "产业、资源与交通资料",
                site.name,
                None,
                site.profile_source,
                site.profile_confidence,
            )
        )
    if feature in _CODED:
        sources.append(Source("行业代码", None, None, INDUSTRY_CODES))
    if feature in ("resource_chain", "chain_complement"):
        sources.append(Source("产业链对照", None, None, CHAIN_TABLE))
    elif feature == "paired_with_hq":
        sources.append(Source("结对关系", None, None, PAIRINGS))
    elif feature == "talent_supply":
        sources.append(Source("高校", site.name, 2024, UNIVERSITIES))
    return sources


def site_sources(features: Sequence[str], site: CityRecord, hq: CityRecord) -> list[Source]:
    """The sources of everything a site item says: its coordinates and distance, and what each
    of its reasons uses."""
    sources = [Source("坐标与距离", None, None, COORDINATES)]
    for feature in features:
        sources.extend(reason_sources(feature, site, hq))
    return list(dict.fromkeys(sources))


def site_data_gaps(enterprise: SiteNeeds, site: CityRecord) -> list[DataGap]:
    """The enterprise's needs, and the city's figures, that could not count for this site."""
    gaps = []
    if enterprise.land_mu:
        gaps.append(
            DataGap(
                "land_mu",
                f"用地需求 {enterprise.land_mu:,.0f} 亩：目录没有各市可供工业用地或地价数据，未计入排序",
            )
        )
    if enterprise.energy_intensity:
        gaps.append(
            DataGap(
                "energy_intensity",
                "能耗需求：目录没有各市能源供给、能耗指标或电价数据，未计入排序",
            )
        )
    if enterprise.workers and site.population_10k is None:
        gaps.append(
            DataGap(
                "workers", f"用工需求 {enterprise.workers:,} 人：目录缺{site.name}常住人口，未计入"
            )
        )
    unplaced = [w for w, codes in enterprise.needs if not codes]
    if unplaced:
        gaps.append(
            DataGap("needs_resources", f"资源需求“{_join(unplaced)}”未能对应到行业代码，未参与匹配")
        )
    if any(codes for _, codes in enterprise.needs) and not site.resources:
        gaps.append(DataGap("resources", f"目录无{site.name}资源资料，无法判断是否具备所需资源"))
    if not site.industry_codes:
        gaps.append(DataGap("industries", f"目录无{site.name}主导产业资料，产业集群与产业链未计"))
    if site.gdp_per_capita is None:
        gaps.append(DataGap("gdp_per_capita", f"目录无{site.name}人均GDP（人口或GDP缺失）"))
    return gaps

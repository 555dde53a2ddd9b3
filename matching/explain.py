"""Reasons in words a cooperation office can read: one Chinese sentence per feature.

A reason names the feature, says what the data show for this pair (distances, figures with
their year, the resources and industries that meet), and carries the feature's contribution to
the score that ranked the pair.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from matching.records import CityRecord, Words, chain_matrix, major_index, majors, reach_matrix

REASONS_PER_ITEM = 4


@dataclass(frozen=True)
class Reason:
    feature: str
    text: str
    contribution: float


def _words_meeting(source: Words, target: Words, *, reach: bool) -> tuple[list[str], list[str]]:
    """The words of ``source`` whose codes feed (one/two chain steps, or equal) codes of ``target``."""
    links = reach_matrix() if reach else chain_matrix()
    target_codes = majors([c for _, codes in target for c in codes])
    feeding, fed = [], set()
    for word, codes in source:
        for code in codes:
            row = major_index(code)
            if row is None:
                continue
            hits = {col for col in links[row].indices if col in target_codes} | (
                {row} & target_codes
            )
            if hits:
                feeding.append(word)
                fed |= hits
                break
    consumers = [w for w, codes in target if majors(codes) & fed]
    return list(dict.fromkeys(feeding)), list(dict.fromkeys(consumers))


def _join(words: Sequence[str], limit: int = 3) -> str:
    return "、".join(list(words)[:limit])


def _resource_phrase(words: Sequence[str]) -> str:
    """ "稀土、钨资源", without doubling 资源 when the last word already ends with it."""
    text = _join(words) or "资源"
    return text if text.endswith("资源") else f"{text}资源"


def _gdp(city: CityRecord) -> str:
    if city.gdp_100m is None:
        return "经济体量较大"
    return f"经济体量大（{city.gdp_year or ''}年GDP {city.gdp_100m:,.0f} 亿元）"


def city_pair_text(
    feature: str, base: CityRecord, partner: CityRecord, value: float, km: float
) -> str:
    """The sentence for one city-pair feature."""
    b, p = base.name, partner.name
    match feature:
        case "log_distance":
            return f"两地相距约 {km:,.0f} 公里" + ("，往来便利" if km < 600 else "，距离较远")
        case "partner_scale":
            return f"{p}{_gdp(partner)}"
        case "gradient":
            return f"{p}人均GDP约为{b}的 {np.exp(value):.1f} 倍，具备产业梯度转移空间"
        case "industry_overlap":
            shared = [
                w
                for w, codes in base.industry_words
                if majors(codes) & majors(partner.industry_codes)
            ]
            return f"产业同链：{b}{_join(shared) or '主导产业'}与{p}产业体系相近"
        case "chain_complement":
            up, down = _words_meeting(base.industry_words, partner.industry_words, reach=False)
            if not up:
                down, up = _words_meeting(partner.industry_words, base.industry_words, reach=False)
                return f"产业链互补：{p}{_join(down) or '产业'} ↔ {b}{_join(up) or '产业'}"
            return f"产业链互补：{b}{_join(up)} ↔ {p}{_join(down) or '下游产业'}"
        case "resource_fit":
            resources, consumers = _words_meeting(
                base.resources, partner.industry_words, reach=True
            )
            return f"{b}{_resource_phrase(resources)} ↔ {p}{_join(consumers, 2) or '相关'}产业需求"
        case "market_product":
            people = (
                f"常住人口 {partner.population_10k:,.0f} 万人的" if partner.population_10k else ""
            )
            return f"{p}{people}消费市场 ↔ {b}特色产品（{_join([w for w, _ in base.products]) or '农特产品'}）"
        case "cost_proximity":
            return f"{b}要素成本较低且距{p}较近，适合承接生产基地"
        case "talent_supply":
            return f"{p}科教资源丰富（{partner.universities} 所高校，其中“双一流” {partner.double_first_class} 所）"
        case "manufacturing_fit":
            share = (
                f"第二产业占比 {base.secondary_share:.0f}%"
                if base.secondary_share
                else "制造业基础"
            )
            return f"{b}{share} ↔ {p}研发与人才供给"
        case "hq_economy":
            share = (
                f"第三产业占比 {partner.tertiary_share:.0f}%"
                if partner.tertiary_share
                else "服务业发达"
            )
            return f"{p}总部经济发达（{share}），{b}可作配套生产基地"
        case "same_province":
            return f"同在{base.province}，省内结对协调便利"
        case "province_tie":
            return f"{partner.province}与{base.province}已有东西部协作等结对关系"
        case "same_base_area":
            return "两市同属一个重点革命老区"
        case "partner_load":
            return f"{p}已对口支持其他老区城市，承载能力需统筹"
    return feature


def site_text(
    feature: str,
    enterprise_name: str,
    needs: Words,
    industry_words: Words,
    site: CityRecord,
    hq: CityRecord,
    km: float,
) -> str:
    """The sentence for one enterprise-site feature."""
    s = site.name
    match feature:
        case "log_distance":
            return f"距总部所在地{hq.name}约 {km:,.0f} 公里"
        case "resource_fit":
            resources, wanted = _words_meeting(site.resources, needs or industry_words, reach=True)
            return f"{s}{_resource_phrase(resources)} ↔ {enterprise_name}{_join(wanted) or '原材料'}需求"
        case "industry_cluster":
            return (
                f"{s}已有{_join([w for w, _ in site.industry_words]) or '相关'}产业集群，可就近配套"
            )
        case "chain_complement":
            return f"{s}产业与{enterprise_name}处于同一产业链上下游"
        case "cost_gap":
            return f"{s}人均GDP低于{hq.name}，用地与用工成本较低"
        case "labour_pool":
            people = f"{site.population_10k:,.0f} 万人" if site.population_10k else "较多人口"
            return f"{s}常住人口 {people}，劳动力供给充足"
        case "manufacturing_base":
            share = f"{site.secondary_share:.0f}%" if site.secondary_share else "较高"
            return f"{s}第二产业占比 {share}，制造业基础较好"
        case "talent_supply":
            return f"{s}有 {site.universities} 所高校，可提供技能人才"
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
            return f"{s}物流与开放平台：{_join(flags, 4) or '交通条件'}"
        case "market_product":
            return f"{s}特色产品（{_join([w for w, _ in site.products]) or '农特产品'}）可供{enterprise_name}加工销售"
        case "same_province":
            return f"与总部同在{site.province}，便于管理"
    return feature


def top_reasons(
    contributions: np.ndarray, features: Sequence[str], text_of: Callable[[str], str]
) -> list[Reason]:
    """The features that moved the score most (positive first), as readable reasons."""
    order = np.argsort(-contributions, kind="stable")
    chosen = [i for i in order if contributions[i] > 0.05][:REASONS_PER_ITEM]
    if not chosen:
        chosen = list(order[:1])
    return [
        Reason(features[i], text_of(features[i]), round(float(contributions[i]), 3)) for i in chosen
    ]

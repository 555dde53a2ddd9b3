"""The four cooperation modes of the Opinion §(四), as data.

Each mode names the clause it comes from, says in a sentence what must fit, and weighs the
pair features that express that fit. The weights are priors over standardised features: they
decide the mode scores, name each pair's best mode, and rank enterprise sites until feedback
has taught the ranker better.
"""

from dataclasses import dataclass

from matching.vocabulary import Mode

CLAUSE = "《关于加快革命老区振兴发展的意见》二（四）加强革命老区与发达地区产业合作"


@dataclass(frozen=True)
class ModeSpec:
    mode: Mode
    rationale: str
    city_weights: dict[str, float]  # over matching.features.CITY_FEATURES
    site_weights: dict[str, float]  # over matching.features.SITE_FEATURES
    clause: str = CLAUSE

    @property
    def label(self) -> str:
        return self.mode.label


MODES: dict[Mode, ModeSpec] = {
    spec.mode: spec
    for spec in (
        ModeSpec(
            Mode.enterprise_resource,
            "发达地区企业的资源需求 ↔ 老区城市的资源禀赋（矿产、能源、农林资源）",
            city_weights={
                "resource_fit": 1.0,
                "chain_complement": 0.5,
                "partner_scale": 0.3,
                "log_distance": -0.3,
            },
            site_weights={
                "resource_need": 1.0,
                "resource_chain": 0.6,
                "chain_complement": 0.5,
                "log_distance": -0.3,
                "gdp_per_capita_gap": 0.2,
            },
        ),
        ModeSpec(
            Mode.rnd_manufacturing,
            "发达地区的研发能力（高校、高新技术产业）↔ 老区城市的制造业基础",
            city_weights={
                "talent_supply": 0.8,
                "manufacturing_fit": 0.8,
                "industry_overlap": 0.6,
                "chain_complement": 0.4,
                "log_distance": -0.3,
            },
            site_weights={
                "industry_cluster": 0.7,
                "manufacturing_base": 0.6,
                "labour_pool": 0.5,
                "workforce_share": -0.3,
                "talent_supply": 0.4,
                "gdp_per_capita_gap": 0.3,
                "log_distance": -0.2,
            },
        ),
        ModeSpec(
            Mode.market_product,
            "发达地区的消费市场 ↔ 老区城市的特色产品、农产品与文旅资源",
            city_weights={"market_product": 1.0, "partner_scale": 0.5, "log_distance": -0.2},
            site_weights={"market_product": 1.0, "logistics": 0.4, "log_distance": -0.2},
        ),
        ModeSpec(
            Mode.hq_base,
            "发达地区的总部经济与上升的要素成本 ↔ 老区城市的土地、劳动力与物流条件",
            city_weights={
                "cost_proximity": 1.0,
                "hq_economy": 0.6,
                "partner_scale": 0.3,
                "log_distance": -0.5,
            },
            site_weights={
                "gdp_per_capita_gap": 0.8,
                "log_distance": -0.6,
                "paired_with_hq": 0.3,
                "logistics": 0.6,
                "labour_pool": 0.3,
                "workforce_share": -0.3,
            },
        ),
    )
}


def mode_of(value: str) -> Mode:
    """A mode from its slug or Chinese label (``ValueError`` naming the choices otherwise)."""
    try:
        return Mode(value)
    except ValueError:
        choices = ", ".join(f"{m.value} ({m.label})" for m in Mode)
        raise ValueError(f"unknown mode '{value}'; choose one of {choices}") from None

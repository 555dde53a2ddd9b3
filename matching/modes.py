"""The four cooperation modes of the Opinion §(四), as data.

Each mode names the clause it comes from, says in a sentence what must fit, and weighs the
pair features that express that fit (``data/mode_priors.csv``, which also fixes the sign of
every feature whose direction a mode's rationale settles). The weights are priors over standardised features: they
decide the mode scores, name each pair's best mode, and rank enterprise sites until feedback
has taught the ranker better.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

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


RATIONALES = {
    Mode.enterprise_resource: "发达地区企业的资源需求 ↔ 老区城市的资源禀赋（矿产、能源、农林资源）",
    Mode.rnd_manufacturing: "发达地区的研发能力（高校、高新技术产业）↔ 老区城市的制造业基础",
    Mode.market_product: "发达地区的消费市场 ↔ 老区城市的特色产品、农产品与文旅资源",
    Mode.hq_base: "发达地区的总部经济与上升的要素成本 ↔ 老区城市的土地、劳动力与物流条件",
}


def _priors() -> list[dict[str, str]]:
    text = (Path(__file__).parent / "data" / "mode_priors.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _weights(kind: str, mode: Mode) -> dict[str, float]:
    return {
        row["feature"]: float(row[mode.value])
        for row in _priors()
        if row["kind"] == kind and row[mode.value]
    }


def feature_signs(kind: str) -> dict[str, int]:
    """+1 / −1 where the modes' rationale fixes a feature's direction (``mode_priors.csv``)."""
    return {
        row["feature"]: {"+": 1, "-": -1}[row["sign"]]
        for row in _priors()
        if row["kind"] == kind and row["sign"]
    }


def sign_bounds(
    feature_names: tuple[str, ...], signs: dict[str, int], exclude: tuple[str, ...] = ()
) -> list[tuple[float | None, float | None]]:
    """L-BFGS-B bounds per weight: 0 for excluded features, one-sided where a sign is fixed."""
    bounds: list[tuple[float | None, float | None]] = []
    for name in feature_names:
        sign = signs.get(name, 0)
        if name in exclude:
            bounds.append((0.0, 0.0))
        else:
            bounds.append((0.0, None) if sign > 0 else (None, 0.0) if sign < 0 else (None, None))
    return bounds


MODES: dict[Mode, ModeSpec] = {
    mode: ModeSpec(mode, rationale, _weights("city", mode), _weights("site", mode))
    for mode, rationale in RATIONALES.items()
}


def mode_of(value: str) -> Mode:
    """A mode from its slug or Chinese label (``ValueError`` naming the choices otherwise)."""
    try:
        return Mode(value)
    except ValueError:
        choices = ", ".join(f"{m.value} ({m.label})" for m in Mode)
        raise ValueError(f"unknown mode '{value}'; choose one of {choices}") from None

"""Development zones and open platforms as every entry point asks for them: how complete the
catalogue's list is, zone-to-zone cooperation, and the best zone of a recommended site.

The shipped list (``fixtures/reference/zones.csv``) holds all 19 国家级新区 and only part of
the other kinds; ``completeness`` says so, kind by kind, against the national totals its README
gives (approximate where the README says so, unknown for 省级开发区).
"""

from typing import Literal

from pydantic import BaseModel, Field
from sqlmodel import Session

from fixtures.catalogue import zone_kind_counts
from matching.vocabulary import Mode, ZoneKind
from matching.zones import NotABaseAreaZone, ZoneMatch, ZoneRanker
from profiles import repository
from profiles.errors import InvalidReference
from profiles.ranking import EngineState
from profiles.recommending import DataGapOut, ReasonOut, mode_fields

ZONES_README = "fixtures/reference/zones_README.md"
# National totals as the reference README gives them (approximate unless exact).
NATIONAL_TOTALS: dict[ZoneKind, tuple[int | None, bool, str]] = {
    ZoneKind.national_new_area: (19, False, "全国 19 个国家级新区，已全部收录"),
    ZoneKind.national_htz: (
        178,
        True,
        "仅收录早期 53 个国家高新区（1988 年北京及 1991、1992 年两批与杨凌）",
    ),
    ZoneKind.national_etdz: (230, True, "仅收录 1984—1988 年沿海一批、2010 年排名前十及零星几个"),
    ZoneKind.free_trade_zone_area: (70, True, "仅收录 2015 年与 2019 年两批自贸试验区的片区"),
    ZoneKind.cbec_pilot_zone: (
        165,
        True,
        "仅收录杭州（首个，2015 年）与 2025 年新设的 3 个（全国约 165 个城市）",
    ),
    ZoneKind.comprehensive_bonded_zone: (160, True, "仅收录 3 个，远不完整"),
    ZoneKind.provincial_zone: (None, False, "参考资料未收录省级开发区，全国总数未知；可由各地导入"),
}


class KindCompleteness(BaseModel):
    kind: ZoneKind
    label: str
    stored: int = Field(description="live zones of this kind in the store (shipped + imported)")
    shipped: int = Field(description="rows of this kind in the shipped reference list")
    national_total: int | None = Field(description="the national total, where the source gives it")
    approximate: bool = Field(description="the national total is approximate (约)")
    share: float | None = Field(description="stored / national total, where a total is known")
    complete: bool
    note: str


class Completeness(BaseModel):
    items: list[KindCompleteness]
    source: str
    note: str


def completeness(session: Session) -> Completeness:
    """How complete the store's zones are, per kind, against the national totals."""
    stored, shipped = repository.zone_counts(session), zone_kind_counts()
    items = []
    for kind, (total, approximate, note) in NATIONAL_TOTALS.items():
        count = stored.get(kind.value, 0)
        items.append(
            KindCompleteness(
                kind=kind,
                label=kind.label,
                stored=count,
                shipped=shipped.get(kind.value, 0),
                national_total=total,
                approximate=approximate,
                share=round(min(count / total, 1.0), 3) if total else None,
                complete=total is not None and not approximate and count >= total,
                note=note,
            )
        )
    return Completeness(
        items=items,
        source=ZONES_README,
        note="开发区名录不完整：除国家级新区外，各类只收录了可查证来源的一部分；缺失的园区不代表不存在，"
        "可由各地合作办公室导入补全。",
    )


# ---------------------------------------------------------------- zone-to-zone cooperation
class ZoneBrief(BaseModel):
    id: int
    name: str
    kind: ZoneKind
    kind_label: str
    city: str
    city_name: str
    approved_year: int | None
    source: str | None
    confidence: str | None


class ZoneItem(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    mode: Mode
    mode_label: str
    clause: str
    mode_scores: dict[str, float]
    zone: ZoneBrief
    distance_km: float
    frameworks: list[str] = Field([], description="active frameworks tying the two cities")
    reasons: list[ReasonOut]
    data_gaps: list[DataGapOut] = []


class ZoneRecommendations(BaseModel):
    zone: ZoneBrief
    direction: Literal["partners", "base_zones"]
    mode: Mode | None
    model_version: str
    note: str
    items: list[ZoneItem]


NOTE = (
    "开发区之间没有可供学习的真实合作记录：得分 = 两地城市配对得分（城市模型）+ 《意见》（四）所列平台对接"
    "（权重 1.5）+ 园区自身产业匹配（权重 1.0，园区产业未录入时不计），是先验排序，不是概率。"
)


def _briefs(session: Session, ranker: ZoneRanker, ids: list[int]) -> dict[int, ZoneBrief]:
    zones = {z.id: z for z in repository.zones_by_id(session, ids)}
    cities = {
        c.adcode: c.name
        for c in repository.cities_by_adcode(session, [z.city for z in zones.values()])
    }
    return {
        i: ZoneBrief(
            id=i,
            name=z.name,
            kind=z.kind,
            kind_label=z.kind.label,
            city=z.city,
            city_name=cities.get(z.city, z.city),
            approved_year=z.approved_year,
            source=z.source,
            confidence=z.confidence.value if z.confidence else None,
        )
        for i, z in zones.items()
    }


def zone_cooperation(
    session: Session,
    state: EngineState,
    *,
    zone: str,
    mode: Mode | None = None,
    limit: int = 10,
    direction: Literal["partners", "base_zones"] | None = None,
) -> ZoneRecommendations:
    """Partner zones for a base-area zone, or (the reverse) base-area zones for a developed
    region's zone; by default the direction follows where the zone is."""
    stored = repository.resolve_zone(session, value=zone, field="zone")
    engine = state.get(session)
    ranker = state.zones(session, engine)
    zone_id = stored.id or 0
    try:
        direction = direction or ("partners" if ranker.is_base_area(zone_id) else "base_zones")
        matches = (
            ranker.partners(zone_id, mode=mode, limit=limit)
            if direction == "partners"
            else ranker.bases(zone_id, mode=mode, limit=limit)
        )
    except KeyError as error:
        raise InvalidReference(
            "zone", zone, f"{stored.name}的所在地不是地级城市，无法按城市配对排序"
        ) from error
    except NotABaseAreaZone as error:
        raise InvalidReference("zone", zone, str(error)) from error
    briefs = _briefs(session, ranker, [zone_id, *(m.zone.id for m in matches)])
    return ZoneRecommendations(
        zone=briefs[zone_id],
        direction=direction,
        mode=mode,
        model_version=engine.city_model.version,
        note=NOTE,
        items=[_zone_item(m, briefs[m.zone.id]) for m in matches],
    )


def _zone_item(match: ZoneMatch, brief: ZoneBrief) -> ZoneItem:
    return ZoneItem(
        **mode_fields(match.mode, match.score, match.mode_scores, match.reasons),
        rank=match.rank,
        zone=brief,
        distance_km=match.distance_km,
        frameworks=list(match.frameworks),
        data_gaps=[DataGapOut(feature=g.feature, text=g.text) for g in match.data_gaps],
    )

"""成效评估: what a base city's pairings produced, month by month, and which pairings went quiet.

For a base city (a prefecture covers its counties) and for each of its city pairings: the
opportunities posted, the interests expressed, the meetings held, the projects signed (with
their amounts), those landed, and the experts placed, per calendar month (UTC). A pairing with
no activity for ``COUNTERPART_PIPELINE_INACTIVE_MONTHS`` is flagged for review
(``profile_flag``, reason ``inactive``) with the partners the city recommender suggests instead.
"""

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import and_, insert
from sqlmodel import Session, col, select

from matching.engine import HelperCity, UnknownCity
from matching.vocabulary import PairingKind, PairingStatus, Stage
from profiles import recommending, repository
from profiles.cells import neutralise
from profiles.errors import InvalidReference, NotFound
from profiles.models import (
    City,
    Interest,
    Opportunity,
    Pairing,
    PipelineChange,
    PipelineEntry,
    ProfileFlag,
    TalentNeed,
    utcnow,
)
from profiles.pipeline import stem
from profiles.ranking import EngineState
from profiles.settings import get_pipeline_settings

INACTIVE = "inactive"
FIRST_MONTH = "1949-10"
MAX_MONTHS = 240
COLUMNS = {
    "month": "月份",
    "opportunities": "合作机会",
    "interests": "意向",
    "meetings": "会谈",
    "signed": "签约项目",
    "amount_100m": "签约金额（亿元）",
    "landed": "落地项目",
    "placed_experts": "选派专家",
}


class Month(BaseModel):
    month: str = Field(description="YYYY-MM (UTC)")
    opportunities: int | None = Field(
        description="posted in the base city; null on a pairing's own rows (an opportunity is the city's)"
    )
    interests: int
    meetings: int
    signed: int
    amount_100m: float = Field(description="signed amounts (亿元)")
    landed: int
    placed_experts: int


class PairingActivity(BaseModel):
    pairing_id: int
    base: str
    base_name: str
    partner: str
    partner_name: str
    scheme: str | None
    last_activity: datetime | None = Field(description="the latest recorded step between the two")
    inactive: bool = Field(description="no activity for the configured number of months")
    months: list[Month]


class CityReport(BaseModel):
    city: str
    name: str
    first_month: str
    last_month: str
    inactive_after_months: int
    months: list[Month] = Field(description="everything touching the city")
    pairings: list[PairingActivity]


def _month(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from ``first`` to ``last``, both included."""
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, month) <= end and len(months) <= MAX_MONTHS:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _shift(month: str, by: int) -> str:
    year, number = map(int, month.split("-"))
    total = year * 12 + number - 1 + by
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _under(column: object, adcode: str) -> object:
    return col(column).startswith(stem(adcode))  # type: ignore[arg-type]


Change = tuple[str, str, Stage, float | None, datetime]  # base, partner, stage, amount, when
Asked = tuple[str, str, datetime]  # base, partner, when


def _activity(session: Session, base: str, partner: str | None) -> tuple[list[Change], list[Asked]]:
    """The changes and interests of the entries whose base side lies under ``base`` (and
    partner side under ``partner``)."""
    where = [_under(PipelineEntry.base_city, base)]
    if partner:
        where.append(_under(PipelineEntry.partner_city, partner))
    changes = session.exec(
        select(
            PipelineEntry.base_city,
            PipelineEntry.partner_city,
            PipelineChange.to_stage,
            PipelineChange.amount_100m,
            PipelineChange.at,
        )
        .join(PipelineEntry, PipelineChange.entry_id == PipelineEntry.id)  # type: ignore[arg-type]
        .where(and_(*where))
    ).all()
    interests = session.exec(
        select(PipelineEntry.base_city, PipelineEntry.partner_city, Interest.created_at)
        .join(PipelineEntry, Interest.entry_id == PipelineEntry.id)  # type: ignore[arg-type]
        .where(and_(*where))
    ).all()
    return (
        [(b or "", p or "", s, a, _aware(t)) for b, p, s, a, t in changes],
        [(b or "", p or "", _aware(t)) for b, p, t in interests],
    )


def _opportunities(session: Session, base: str) -> list[datetime]:
    """When each opportunity in the base city (or its counties) was posted."""
    rows = session.exec(select(Opportunity.created_at).where(_under(Opportunity.city, base))).all()
    return [_aware(t) for t in rows]


def _placed(session: Session, base: str) -> list[datetime]:
    rows = session.exec(
        select(Pairing.created_at)
        .join(TalentNeed, Pairing.need_id == TalentNeed.id)  # type: ignore[arg-type]
        .where(Pairing.kind == PairingKind.expert_need, _under(TalentNeed.city, base))
    ).all()
    return [_aware(t) for t in rows]


def _months(
    months: list[str],
    changes: Iterable[Change],
    interests: Iterable[Asked],
    opportunities: list[datetime] | None = None,
    placed: Iterable[datetime] = (),
) -> list[Month]:
    count: dict[str, Counter] = defaultdict(Counter)
    amount: Counter = Counter()
    for _, _, stage, value, at in changes:
        count[_month(at)][stage] += 1
        if stage == Stage.signed:
            amount[_month(at)] += value or 0.0
    posted = Counter(_month(t) for t in opportunities or [])
    asked = Counter(_month(t) for *_, t in interests)
    experts = Counter(_month(t) for t in placed)
    return [
        Month(
            month=m,
            opportunities=posted[m] if opportunities is not None else None,
            interests=asked[m],
            meetings=count[m][Stage.meeting],
            signed=count[m][Stage.signed],
            amount_100m=round(amount[m], 4),
            landed=count[m][Stage.landed],
            placed_experts=experts[m],
        )
        for m in months
    ]


def city_report(
    session: Session, *, city: str, first: str | None = None, last: str | None = None
) -> CityReport:
    """A base city's activity by month (default: the last 12 months), and each pairing's."""
    adcode = repository.resolve_city(session, value=city, field="city")
    row = session.get(City, adcode)
    last = last or _month(utcnow())
    first = first or _shift(last, -11)
    if first > last:
        raise InvalidReference("first", first, "the first month comes after the last")
    if first < FIRST_MONTH:
        raise InvalidReference("first", first, f"months start at {FIRST_MONTH}")
    if len(month_range(first, last)) > MAX_MONTHS:
        raise InvalidReference("first", first, f"a report covers at most {MAX_MONTHS} months")
    months = month_range(first, last)
    changes, interests = _activity(session, adcode, None)
    patience = get_pipeline_settings().inactive_months
    pairings = _pairings(session, adcode)
    named = [a for p in pairings for a in (p.base_city, p.partner_city) if a]
    names = {c.adcode: c.name for c in repository.cities_by_adcode(session, named)}
    activity = []
    for pairing in pairings:
        sides = stem(pairing.base_city), stem(pairing.partner_city)  # type: ignore[arg-type]
        own = [c for c in changes if c[0].startswith(sides[0]) and c[1].startswith(sides[1])]
        asked = [i for i in interests if i[0].startswith(sides[0]) and i[1].startswith(sides[1])]
        last_at = last_activity(pairing, own, asked)
        activity.append(
            PairingActivity(
                pairing_id=pairing.id,  # type: ignore[arg-type]
                base=pairing.base_city,  # type: ignore[arg-type]
                base_name=names.get(pairing.base_city, pairing.base_city),  # type: ignore[arg-type]
                partner=pairing.partner_city,  # type: ignore[arg-type]
                partner_name=names.get(pairing.partner_city, pairing.partner_city),  # type: ignore[arg-type]
                scheme=pairing.scheme.label if pairing.scheme else None,
                last_activity=last_at,
                inactive=_quiet(last_at, patience),
                months=_months(months, own, asked),
            )
        )
    return CityReport(
        city=adcode,
        name=row.name,  # type: ignore[union-attr]
        first_month=first,
        last_month=last,
        inactive_after_months=patience,
        months=_months(
            months, changes, interests, _opportunities(session, adcode), _placed(session, adcode)
        ),
        pairings=activity,
    )


def _pairings(session: Session, base: str) -> list[Pairing]:
    """The active city pairings whose base side lies under ``base``."""
    return list(
        session.exec(
            select(Pairing)
            .where(
                Pairing.kind == PairingKind.city_city,
                Pairing.status == PairingStatus.active,
                Pairing.partner_city.is_not(None),  # type: ignore[union-attr]
                _under(Pairing.base_city, base),
            )
            .order_by(col(Pairing.id))
        ).all()
    )


def last_activity(
    pairing: Pairing,
    changes: Iterable[Change],
    interests: Iterable[Asked],
) -> datetime:
    """The latest step recorded between the two cities; the pairing's own record at the least."""
    times = [_aware(pairing.created_at), *(t for *_, t in changes), *(t for *_, t in interests)]
    return max(times)


def _quiet(last: datetime, months: int, now: datetime | None = None) -> bool:
    now = now or utcnow()
    elapsed = (now.year - last.year) * 12 + now.month - last.month - (now.day < last.day)
    return elapsed >= months


def report_csv(report: CityReport) -> str:
    """The report as CSV with Chinese headers: the city's rows, then each pairing's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["结对", *COLUMNS.values()])
    scopes = [(f"{report.name}（全部）", report.months)] + [
        (f"{p.base_name}—{p.partner_name}", p.months) for p in report.pairings
    ]
    for scope, months in scopes:
        for month in months:
            values = month.model_dump()
            writer.writerow(
                [neutralise(scope)] + ["" if values[k] is None else values[k] for k in COLUMNS]
            )
    return "\ufeff" + buffer.getvalue()


def alternatives(session: Session, state: EngineState, base: str, partner: str) -> list[str]:
    """Up to three partners the city recommender ranks for ``base``, other than its own."""
    try:
        answer = recommending.partners(session, state, city=base, limit=4, exclude_existing=True)
    except (InvalidReference, UnknownCity, HelperCity):  # a city the engine cannot rank for
        return []
    return [i.city.name for i in answer.items if i.city.adcode != partner][:3]


def flag_inactive(session: Session, state: EngineState, *, now: datetime | None = None) -> int:
    """Flag every active city pairing quiet for the configured months (once), naming the
    partners the recommender suggests instead. Returns how many were newly flagged."""
    now = now or utcnow()
    patience = get_pipeline_settings().inactive_months
    flagged = set(session.exec(select(ProfileFlag.key).where(ProfileFlag.reason == INACTIVE)).all())
    fresh = []
    for pairing in session.exec(
        select(Pairing).where(
            Pairing.kind == PairingKind.city_city,
            Pairing.status == PairingStatus.active,
            Pairing.base_city.is_not(None),  # type: ignore[union-attr]
            Pairing.partner_city.is_not(None),  # type: ignore[union-attr]
        )
    ).all():
        if str(pairing.id) in flagged:
            continue
        changes, interests = _activity(session, pairing.base_city, pairing.partner_city)  # type: ignore[arg-type]
        last = last_activity(pairing, changes, interests)
        if not _quiet(last, patience, now):
            continue
        others = alternatives(session, state, pairing.base_city, pairing.partner_city)  # type: ignore[arg-type]
        detail = f"{patience} 个月无合作进展（最近 {last:%Y-%m-%d}）" + (
            f"；可考虑：{'、'.join(others)}" if others else ""
        )
        fresh.append(
            {
                "kind": "pairings",
                "key": str(pairing.id),
                "reason": INACTIVE,
                "detail": detail[:400],
                "flagged_at": now,
            }
        )
    if fresh:
        session.execute(insert(ProfileFlag), fresh)
    return len(fresh)


def pairing_report(
    session: Session, *, pairing_id: int, first: str | None = None, last: str | None = None
) -> PairingActivity:
    """One city pairing's activity by month."""
    pairing = session.get(Pairing, pairing_id)
    if pairing is None or pairing.kind != PairingKind.city_city or not pairing.base_city:
        raise NotFound("pairing", pairing_id)
    report = city_report(session, city=pairing.base_city, first=first, last=last)
    for activity in report.pairings:
        if activity.pairing_id == pairing_id:
            return activity
    raise NotFound("pairing", pairing_id)  # ended or proposed: no activity report

"""The pairing pipeline: 推荐 → 意向 → 接洽 → 会谈 → 签约 → 落地, or 终止, for any two parties.

A party is a profile of any kind in ``profiles.kinds`` (an opportunity too, once that kind is
registered) or a city, named by ``PartyRef(kind, id)``. ``advance`` is the one way a pair
moves: it creates the entry on the pair's first step, records every change with its time and
who made it (``PipelineChange``), is audited (``profiles.audit``) and emits
``pipeline.advanced`` (``profiles.outbox``), all in the caller's transaction. It never moves
a pair back: asking for a stage the pair has already passed changes nothing, so a caller (an
event held, an interest accepted) may ask again safely.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from matching.training import outcome_label
from matching.vocabulary import Role, Stage
from profiles import outbox, repository
from profiles.access import Principal
from profiles.errors import Forbidden, InvalidReference, NotFound, StageClosed
from profiles.kinds import KINDS
from profiles.models import (
    MAX_ID,
    BaseAreaCity,
    ChangeOut,
    City,
    PartyOut,
    PipelineChange,
    PipelineEntry,
    PipelineEntryPublic,
    utcnow,
)
from profiles.settings import get_pipeline_settings

CITIES = "cities"
NOT_PARTIES = ("pairings",)  # kinds that are relations, not parties


@dataclass(frozen=True)
class PartyRef:
    """A party: a kind's slug (``cities`` or a profile kind) and its id (adcode or number)."""

    kind: str
    id: str | int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Party:
    """A loaded party: its row, name, city (adcode), owner and contact."""

    ref: PartyRef
    row: Any
    name: str | None
    city: str | None
    owner: str | None
    contact: str | None


def party_kinds() -> tuple[str, ...]:
    """The kinds a party may be: cities, and every registered profile kind but relations."""
    return (CITIES, *(slug for slug in KINDS if slug not in NOT_PARTIES))


def load_party(session: Session, ref: PartyRef, *, field: str = "party") -> Party:
    """The party ``ref`` names (a city by adcode or name), or a 422 / 404 naming ``field``."""
    if ref.kind == CITIES:
        adcode = repository.resolve_city(session, value=str(ref.id), field=f"{field}.id")
        city = session.get(City, adcode)
        return Party(PartyRef(CITIES, adcode), city, city.name, adcode, None, None)  # type: ignore[union-attr]
    if ref.kind not in party_kinds():
        raise InvalidReference(
            f"{field}.kind", ref.kind, f"a party is one of: {', '.join(party_kinds())}"
        )
    kind = KINDS[ref.kind]
    text = str(ref.id).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise InvalidReference(f"{field}.id", ref.id, f"{ref.kind} are named by a numeric id")
    row = repository.get_profile(session, kind=kind, id=int(text))
    return Party(
        ref=PartyRef(ref.kind, str(int(text))),
        row=row,
        name=getattr(row, kind.name_field) if kind.name_field else None,
        city=getattr(row, kind.city_fields[0]) if kind.city_fields else None,
        owner=getattr(row, "owner", None),
        contact=getattr(row, "contact", None),
    )


def acts_for(principal: Principal | None, party: Party) -> bool:
    """Whether ``principal`` speaks for ``party``: its owner, an office covering its city, or an
    admin. A city is spoken for by the offices that cover it."""
    if principal is None or principal.role == Role.viewer:
        return False
    if principal.role in (Role.admin, Role.office):
        return principal.covers(party.city)
    return party.ref.kind != CITIES and party.owner == principal.id


def pair_key(a: PartyRef, b: PartyRef) -> str:
    """The pair's name, the same whichever side comes first."""
    return "|".join(sorted((a.key, b.key)))


def _is_base(session: Session, adcode: str | None) -> bool:
    """Whether a city lies in a 重点革命老区 (itself or its prefecture), or is a key base city."""
    if not adcode:
        return False
    city = session.get(City, adcode)
    if city is None:
        return False
    if city.is_key_city:
        return True
    codes = [adcode, city.parent_adcode or adcode]
    return (
        session.exec(select(BaseAreaCity.adcode).where(col(BaseAreaCity.adcode).in_(codes))).first()
        is not None
    )


def sides(session: Session, a: Party, b: Party) -> tuple[str | None, str | None]:
    """(base city, partner city) of a pair: the base side is the party whose city lies in a base
    area; when both or neither do, a city party over a profile, then the second party."""
    a_base, b_base = _is_base(session, a.city), _is_base(session, b.city)
    if a_base != b_base:
        return (a.city, b.city) if a_base else (b.city, a.city)
    if (a.ref.kind == CITIES) != (b.ref.kind == CITIES):
        return (a.city, b.city) if a.ref.kind == CITIES else (b.city, a.city)
    return b.city, a.city


def _check(stage: Stage, amount: float | None, date: dt.date | None, reason: str | None) -> None:
    if stage == Stage.signed and amount is None:
        raise InvalidReference("amount_100m", amount, "签约 needs its amount (亿元)")
    if stage == Stage.landed and date is None:
        raise InvalidReference("landed_on", date, "落地 needs its date")
    if stage == Stage.terminated and not (reason or "").strip():
        raise InvalidReference("reason", reason, "终止 needs its reason")


def entry_between(session: Session, a: PartyRef, b: PartyRef) -> PipelineEntry | None:
    return session.exec(
        select(PipelineEntry).where(PipelineEntry.pair_key == pair_key(a, b))
    ).first()


def advance(
    session: Session,
    *,
    party_a: PartyRef,
    party_b: PartyRef,
    stage: Stage | str,
    actor: Principal | None,
    amount: float | None = None,
    date: dt.date | None = None,
    reason: str | None = None,
    source: str = "manual",
    note: str | None = None,
    at: dt.datetime | None = None,
) -> PipelineEntry:
    """Move the pair (``party_a``, ``party_b``) to ``stage``; the entry, created if new.

    ``actor`` must speak for one of the parties (``acts_for``); None is the system (a job).
    签约 needs ``amount`` (亿元), 落地 ``date``, 终止 ``reason``. A stage at or before the
    pair's current one changes nothing; a pair at 落地 or 终止 is closed (``StageClosed``).
    ``at`` is when it happened (default now). Flushed, not committed.
    """
    stage = Stage(stage)
    a = load_party(session, party_a, field="party_a")
    b = load_party(session, party_b, field="party_b")
    if a.ref == b.ref:
        raise InvalidReference("party_b", party_b.id, "a party cannot be paired with itself")
    _check(stage, amount, date, reason)
    if actor is not None and not (acts_for(actor, a) or acts_for(actor, b)):
        raise Forbidden(
            "only the two parties (their owners, the offices covering their cities) or an admin may move this pair"
        )
    when = at or utcnow()
    entry = entry_between(session, a.ref, b.ref)
    if entry is not None:
        if entry.stage.final:
            raise StageClosed(entry.id, entry.stage)
        if stage != Stage.terminated and stage.order <= entry.stage.order:
            return entry
    if entry is None:
        base, partner = sides(session, a, b)
        first, second = sorted((a, b), key=lambda p: p.ref.key)
        entry = PipelineEntry(
            pair_key=pair_key(a.ref, b.ref),
            a_kind=first.ref.kind,
            a_id=str(first.ref.id),
            b_kind=second.ref.kind,
            b_id=str(second.ref.id),
            a_city=first.city,
            b_city=second.city,
            base_city=base,
            partner_city=partner,
            a_owner=first.owner,
            b_owner=second.owner,
            stage=stage,
            source=source,
            opened_by=actor.id if actor else "system",
            created_at=when,
        )
        previous = None
    else:
        previous = entry.stage
    entry.stage, entry.stage_at, entry.updated_at = stage, when, utcnow()
    if amount is not None:
        entry.amount_100m = amount
    if date is not None:
        entry.landed_on = date
    if reason is not None:
        entry.reason = reason.strip()
    session.add(entry)
    session.flush()
    session.add(
        PipelineChange(
            entry_id=entry.id,  # type: ignore[arg-type]
            from_stage=previous,
            to_stage=stage,
            at=when,
            principal=actor.id if actor else "system",
            source=source,
            amount_100m=amount,
            landed_on=date,
            reason=reason,
            note=note,
        )
    )
    outbox.emit(
        session,
        outbox.PIPELINE_ADVANCED,
        {
            "entry_id": entry.id,
            "parties": [a.ref.key, b.ref.key],
            "cities": [c for c in (entry.base_city, entry.partner_city) if c],
            "from_stage": previous.value if previous else None,
            "stage": stage.value,
            "stage_label": stage.label,
            "amount_100m": entry.amount_100m,
            "landed_on": entry.landed_on.isoformat() if entry.landed_on else None,
            "source": source,
        },
    )
    session.flush()
    return entry


# ---------------------------------------------------------------- reading back
def stem(adcode: str) -> str:
    """The prefix every division under ``adcode`` shares (a province's 2 digits, a city's 4)."""
    if adcode.endswith("0000"):
        return adcode[:2]
    if adcode.endswith("00"):
        return adcode[:4]
    return adcode


def visible(statement: Any, principal: Principal) -> Any:
    """Entries ``principal`` may read: all for an admin; those touching its scope for an
    office; those it opened or whose parties it owns for anyone else."""
    if principal.role == Role.admin:
        return statement
    mine = [
        PipelineEntry.opened_by == principal.id,
        PipelineEntry.a_owner == principal.id,
        PipelineEntry.b_owner == principal.id,
    ]
    if principal.role == Role.office:
        mine += [
            col(column).startswith(stem(scope))
            for scope in principal.scopes
            for column in (PipelineEntry.a_city, PipelineEntry.b_city)
        ]
    return statement.where(or_(*mine))


def entries(
    session: Session,
    principal: Principal,
    *,
    mine: bool = False,
    city: str | None = None,
    stage: Stage | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    party: PartyRef | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[PipelineEntry]:
    """Entries by id, filtered: ``mine`` (opened by or owned by the caller), a city's (either
    side, a prefecture covering its counties), a stage, a period (by when the stage was
    reached), one party's; keyset-paged by ``after``."""
    statement = visible(select(PipelineEntry), principal)
    if mine:
        statement = statement.where(
            or_(
                PipelineEntry.opened_by == principal.id,
                PipelineEntry.a_owner == principal.id,
                PipelineEntry.b_owner == principal.id,
            )
        )
    if city:
        adcode = repository.resolve_city(session, value=city, field="city")
        statement = statement.where(
            or_(
                col(PipelineEntry.base_city).startswith(stem(adcode)),
                col(PipelineEntry.partner_city).startswith(stem(adcode)),
            )
        )
    if stage:
        statement = statement.where(PipelineEntry.stage == stage)
    if since:
        statement = statement.where(PipelineEntry.stage_at >= since)
    if until:
        statement = statement.where(PipelineEntry.stage_at < until)
    if party:
        loaded = load_party(session, party, field="party")
        key = loaded.ref.key
        statement = statement.where(
            or_(
                col(PipelineEntry.pair_key).startswith(f"{key}|"),
                col(PipelineEntry.pair_key).endswith(f"|{key}"),
            )
        )
    if after:
        statement = statement.where(col(PipelineEntry.id) > after)
    return list(session.exec(statement.order_by(col(PipelineEntry.id)).limit(limit)).all())


def entry(session: Session, principal: Principal, entry_id: int) -> PipelineEntry:
    """One entry the caller may read (otherwise 404, as if it did not exist)."""
    found = session.exec(
        visible(select(PipelineEntry), principal).where(PipelineEntry.id == entry_id)
    ).first()
    if found is None:
        raise NotFound("pipeline entry", entry_id)
    return found


def history(session: Session, entry_ids: list[int]) -> dict[int, list[PipelineChange]]:
    """Each entry's changes, oldest first."""
    rows = session.exec(
        select(PipelineChange)
        .where(col(PipelineChange.entry_id).in_(entry_ids))
        .order_by(col(PipelineChange.entry_id), col(PipelineChange.id))
    ).all()
    result: dict[int, list[PipelineChange]] = {i: [] for i in entry_ids}
    for row in rows:
        result[row.entry_id].append(row)
    return result


def party_out(party: Party) -> PartyOut:
    return PartyOut(kind=party.ref.kind, id=str(party.ref.id), name=party.name, city=party.city)


def _stored_party(session: Session, kind: str, id_: str) -> PartyOut:
    """A stored entry's party; one deleted since keeps its kind and id, without a name."""
    try:
        return party_out(load_party(session, PartyRef(kind, id_)))
    except NotFound:
        return PartyOut(kind=kind, id=id_, name=None)


def public(
    session: Session, rows: list[PipelineEntry], *, with_history: bool = False
) -> list[PipelineEntryPublic]:
    """Entries as the API shows them: parties named, stage labelled, history when asked."""
    changes = history(session, [r.id for r in rows]) if with_history else {}  # type: ignore[misc]
    return [
        PipelineEntryPublic(
            id=row.id,  # type: ignore[arg-type]
            party_a=_stored_party(session, row.a_kind, row.a_id),
            party_b=_stored_party(session, row.b_kind, row.b_id),
            base_city=row.base_city,
            partner_city=row.partner_city,
            stage=row.stage,
            stage_label=row.stage.label,
            stage_at=row.stage_at,
            amount_100m=row.amount_100m,
            landed_on=row.landed_on,
            reason=row.reason,
            source=row.source,
            opened_by=row.opened_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            history=[
                ChangeOut(**c.model_dump(), to_label=c.to_stage.label)
                for c in changes.get(row.id, [])  # type: ignore[arg-type]
            ],
        )
        for row in rows
    ]


# ---------------------------------------------------------------- outcomes as labels
def outcome_of(entry: PipelineEntry, now: dt.datetime | None = None) -> tuple[int, float] | None:
    """The graded label (label, weight) of an entry (``matching.training.outcome_label``);
    None while a 推荐 is younger than ``COUNTERPART_PIPELINE_IGNORED_AFTER_DAYS``."""
    reached = entry.stage_at if entry.stage_at.tzinfo else entry.stage_at.replace(tzinfo=dt.UTC)
    patience = dt.timedelta(days=get_pipeline_settings().ignored_after_days)
    return outcome_label(entry.stage, ignored=reached < (now or utcnow()) - patience)


def outcomes(
    session: Session, first_kind: str, second_kind: str
) -> list[tuple[PipelineEntry, int, float]]:
    """Every labelled entry between two kinds of party (e.g. ``cities`` and ``enterprises``,
    ``enterprises`` and ``opportunities``), with its label and weight, by id. The entry's
    ``a_*`` side is the kind that sorts first."""
    first, second = sorted((first_kind, second_kind))
    rows = session.exec(
        select(PipelineEntry)
        .where(PipelineEntry.a_kind == first, PipelineEntry.b_kind == second)
        .order_by(col(PipelineEntry.id))
    ).all()
    labelled = [(row, outcome_of(row)) for row in rows]
    return [(row, *label) for row, label in labelled if label is not None]

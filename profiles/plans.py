"""Plans as records: saved with inputs and outputs, approved into pairings in one transaction."""

import csv
import io
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, select

from matching.vocabulary import PairingKind, PairingStatus, PlanKind, PlanStatus, Scheme
from profiles import outbox
from profiles.access import Principal
from profiles.errors import Conflict, InvalidReference, NotFound
from profiles.models import Pairing, PairingCreate, Plan, PlanPublic, pairing_key, utcnow


class Approval(BaseModel):
    plan: PlanPublic
    pairings_created: int
    pairings_already_present: int


def save_plan(
    session: Session,
    *,
    kind: PlanKind,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    model_version: str | None,
    title: str | None = None,
    owner: str | None = None,
) -> Plan:
    plan = Plan(
        kind=kind,
        inputs=inputs,
        outputs=outputs,
        model_version=model_version,
        title=title,
        owner=owner,
    )
    session.add(plan)
    session.flush()
    return plan


def get_plan(session: Session, *, id: int) -> Plan:
    plan = session.get(Plan, id)
    if plan is None:
        raise NotFound("plan", id)
    return plan


def list_plans(
    session: Session,
    *,
    kind: PlanKind | None = None,
    status: PlanStatus | None = None,
    limit: int = 50,
) -> list[Plan]:
    """The newest plans first, optionally of one kind or status."""
    statement = select(Plan).order_by(Plan.id.desc()).limit(limit)  # type: ignore[union-attr]
    if kind:
        statement = statement.where(Plan.kind == kind)
    if status:
        statement = statement.where(Plan.status == status)
    return list(session.exec(statement).all())


def plan_csv(session: Session, *, id: int, solution: str) -> str:
    """One solution's pairs as CSV text (with a BOM, for spreadsheets), reasons joined last."""
    plan = get_plan(session, id=id)
    if solution not in plan.outputs:
        raise InvalidReference("solution", solution, f"plan {id} has {', '.join(plan.outputs)}")
    rows = plan.outputs[solution]["pairs"]
    columns = [c for c in rows[0] if c != "reasons"] + ["reasons"] if rows else ["empty"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                row.get(c) if c != "reasons" else "；".join(r["text"] for r in row["reasons"])
                for c in columns
            ]
        )
    return "\ufeff" + buffer.getvalue()


def approve_as(session: Session, principal: Principal, *, id: int, solution: str) -> Approval:
    """Approve a draft on behalf of ``principal``, who must cover one city of every pair.

    A plan outside the principal's scope answers as if it did not exist.
    """
    if not involves_only(get_plan(session, id=id), solution, principal.covers):
        raise NotFound("plan", id)
    plan, created, existing = approve_plan(session, id=id, solution=solution)
    return Approval(
        plan=PlanPublic.model_validate(plan),
        pairings_created=created,
        pairings_already_present=existing,
    )


def involves_only(plan: Plan, solution: str, covers: Callable[[str], bool]) -> bool:
    """Whether every pair of ``solution`` touches a division that ``covers`` accepts.

    An office may approve a plan when each pairing it would create involves one of its cities
    (赣州's office approves 赣州–深圳, not a plan that also pairs 吉安 with 广州).
    """
    pairs = plan.outputs.get(solution, {}).get("pairs", [])
    return all(
        any(covers(c) for c in (p.get("base"), p.get("partner"), p.get("city")) if c) for p in pairs
    )


def approve_plan(session: Session, *, id: int, solution: str) -> tuple[Plan, int, int]:
    """Approve a draft: create the pairings it names (or talent pairings), supersede the last
    approved plan of its kind. Returns (plan, pairings created, pairings already present)."""
    plan = get_plan(session, id=id)
    if plan.status != PlanStatus.draft:
        raise Conflict("plan", {"id": id, "status": plan.status.value}, id)
    if solution not in plan.outputs:
        raise NotFound("plan solution", solution)
    created = existing = 0
    for values in _pairings(plan, solution):
        key = pairing_key(PairingCreate.model_validate(values))
        if session.exec(select(Pairing.id).where(Pairing.natural_key == key)).first() is not None:
            existing += 1
            continue
        session.add(Pairing.model_validate(values | {"natural_key": key}))
        created += 1
    for older in session.exec(
        select(Plan).where(Plan.kind == plan.kind, Plan.status == PlanStatus.approved)
    ).all():
        older.status = PlanStatus.superseded
        older.updated_at = utcnow()
        session.add(older)
    cities = sorted(
        {
            c
            for p in plan.outputs[solution]["pairs"]
            for c in (p.get("base"), p.get("partner"), p.get("city"))
            if c
        }
    )
    outbox.emit(
        session,
        outbox.PLAN_APPROVED,
        {"plan_id": plan.id, "kind": plan.kind.value, "solution": solution, "cities": cities},
    )
    plan.status = PlanStatus.approved
    plan.approved_solution = solution
    plan.approved_at = plan.updated_at = utcnow()
    session.add(plan)
    session.flush()
    return plan, created, existing


def _pairings(plan: Plan, solution: str) -> list[dict[str, Any]]:
    source = f"方案 #{plan.id}（{solution}）批准生成"
    rows = plan.outputs[solution]["pairs"]
    if plan.kind == PlanKind.city_pairing:
        mode = plan.inputs.get("mode")
        return [
            {
                "kind": PairingKind.city_city,
                "scheme": Scheme.counterpart_cooperation,
                "base_city": p["base"],
                "partner_city": p["partner"],
                "status": PairingStatus.active,
                "source": source,
                "modes": [mode] if mode else [],
                "since": utcnow().year,
            }
            for p in rows
        ]
    return [
        {
            "kind": PairingKind.expert_need,
            "expert_id": p["expert"],
            "need_id": p["need"],
            "status": PairingStatus.active,
            "source": source,
        }
        for p in rows
    ]

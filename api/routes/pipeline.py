"""The pipeline and expressions of interest: record what became of a pairing, read it back."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.deps import SessionDep
from api.routes.common import ItemList
from api.security import WRITERS, allow
from matching.vocabulary import InterestStatus, Role, Stage
from profiles import interests, pipeline
from profiles.access import Principal
from profiles.models import (
    MAX_ID,
    AdvanceRequest,
    InterestAnswer,
    InterestCreate,
    InterestPublic,
    PipelineEntryPublic,
)
from profiles.pipeline import PartyRef
from profiles.shape import IsoDateTime

router = APIRouter(prefix="/pipeline", tags=["pipeline"])
interest_router = APIRouter(prefix="/interests", tags=["pipeline"])
Member = Annotated[Principal, allow(*Role)]
Party = Annotated[Principal, allow(*WRITERS)]
EntryId = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=12, pattern=r"^\d{1,10}$")]


def _page(items: list, ids: list[int | None], limit: int) -> dict:
    return {"items": items, "next_cursor": str(ids[-1]) if len(ids) == limit else None}


@router.get("", summary="合作进程 Pairings and their stages, filtered")
def list_entries(
    session: SessionDep,
    principal: Member,
    mine: Annotated[
        bool, Query(description="only pairs you opened or whose parties you own")
    ] = False,
    city: Annotated[
        str | None,
        Query(
            max_length=40,
            description="either side's city (adcode or name); a prefecture covers its counties",
        ),
    ] = None,
    stage: Stage | None = None,
    since: Annotated[
        IsoDateTime | None, Query(description="stage reached at or after (ISO 8601)")
    ] = None,
    until: Annotated[
        IsoDateTime | None, Query(description="stage reached before (ISO 8601)")
    ] = None,
    party_kind: Annotated[str | None, Query(max_length=20)] = None,
    party_id: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> ItemList[PipelineEntryPublic]:
    party = PartyRef(party_kind, party_id) if party_kind and party_id else None
    rows = pipeline.entries(
        session,
        principal,
        mine=mine,
        city=city,
        stage=stage,
        since=since,
        until=until,
        party=party,
        after=int(cursor) if cursor else None,
        limit=limit,
    )
    return ItemList(**_page(pipeline.public(session, rows), [r.id for r in rows], limit))


@router.get("/{entry_id:int}", summary="合作进程详情 One pairing with every change")
def get_entry(session: SessionDep, principal: Member, entry_id: EntryId) -> PipelineEntryPublic:
    row = pipeline.entry(session, principal, entry_id)
    return pipeline.public(session, [row], with_history=True)[0]


@router.post(
    "",
    status_code=status.HTTP_200_OK,
    summary="推进合作 Move a pair to a stage (推荐 意向 接洽 会谈 签约 落地 终止)",
)
def advance(session: SessionDep, principal: Party, body: AdvanceRequest) -> PipelineEntryPublic:
    row = pipeline.advance(
        session,
        party_a=PartyRef(body.party_a.kind, body.party_a.id),
        party_b=PartyRef(body.party_b.kind, body.party_b.id),
        stage=body.stage,
        actor=principal,
        amount=body.amount_100m,
        date=body.landed_on,
        reason=body.reason,
        note=body.note,
    )
    return pipeline.public(session, [row], with_history=True)[0]


@interest_router.post(
    "", status_code=status.HTTP_201_CREATED, summary="表达意向 Express interest in a party"
)
def express(session: SessionDep, principal: Party, body: InterestCreate) -> InterestPublic:
    return interests.public(session, principal, interests.express(session, principal, body))


@interest_router.get("", summary="意向列表 Interests you expressed or received")
def list_interests(
    session: SessionDep,
    principal: Member,
    status: InterestStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> ItemList[InterestPublic]:
    rows = interests.listed(
        session, principal, status=status, after=int(cursor) if cursor else None, limit=limit
    )
    shown = [interests.public(session, principal, r) for r in rows]
    return ItemList(**_page(shown, [r.id for r in rows], limit))


@interest_router.get("/{interest_id:int}", summary="意向详情 One interest")
def get_interest(session: SessionDep, principal: Member, interest_id: EntryId) -> InterestPublic:
    return interests.public(session, principal, interests.get(session, principal, interest_id))


@interest_router.post(
    "/{interest_id:int}/accept", summary="接受意向 Accept: both sides now see each other's contacts"
)
def accept(
    session: SessionDep, principal: Party, interest_id: EntryId, body: InterestAnswer
) -> InterestPublic:
    row = interests.respond(session, principal, interest_id, accept=True, answer=body)
    return interests.public(session, principal, row)


@interest_router.post(
    "/{interest_id:int}/decline", summary="拒绝意向 Decline (ends the pair: 终止)"
)
def decline(
    session: SessionDep, principal: Party, interest_id: EntryId, body: InterestAnswer
) -> InterestPublic:
    row = interests.respond(session, principal, interest_id, accept=False, answer=body)
    return interests.public(session, principal, row)


routers = (router, interest_router)

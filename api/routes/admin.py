"""Administration: API keys (create, list, revoke, rotate) and the audit log."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep
from api.routes.common import ItemList
from api.security import allow
from matching.vocabulary import Role
from profiles import access, audit
from profiles.models import MAX_ID, ApiKeyPublic, AuditEntry

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[allow(Role.admin)])
KeyId = Annotated[int, Path(ge=1, le=MAX_ID)]


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    principal: str = Field(
        min_length=1, max_length=100, description="who acts, e.g. 赣州市发改委 or 某某科技有限公司"
    )
    role: Role
    scopes: list[str] = Field([], max_length=50, description="adcodes an office may act on")
    days: int | None = Field(365, ge=1, le=3650, description="days until it expires (null: never)")


class NewKey(ApiKeyPublic):
    key: str  # shown once


@router.post("/keys", status_code=status.HTTP_201_CREATED, summary="新建密钥 Create an API key")
def create_key(session: SessionDep, body: KeyRequest) -> NewKey:
    row, key = access.create_key(
        session, principal=body.principal, role=body.role, scopes=body.scopes, days=body.days
    )
    return NewKey(**ApiKeyPublic.model_validate(row, from_attributes=True).model_dump(), key=key)


@router.get("/keys", summary="密钥列表 API keys (never the keys themselves)")
def list_keys(session: SessionDep) -> ItemList[ApiKeyPublic]:
    return ItemList(items=access.list_keys(session))


@router.post("/keys/{key_id}/revoke", summary="吊销密钥 Revoke a key")
def revoke_key(session: SessionDep, key_id: KeyId) -> ApiKeyPublic:
    return access.revoke_key(session, key_id=key_id)


@router.post("/keys/{key_id}/rotate", summary="轮换密钥 Revoke a key and issue its successor")
def rotate_key(session: SessionDep, key_id: KeyId) -> NewKey:
    row, key = access.rotate_key(session, key_id=key_id)
    return NewKey(**ApiKeyPublic.model_validate(row, from_attributes=True).model_dump(), key=key)


@router.get("/audit", summary="审计日志 Who changed what, before and after")
def audit_log(
    session: SessionDep,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    principal: Annotated[str | None, Query(max_length=100)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ItemList[AuditEntry]:
    return ItemList(
        items=audit.entries(session, kind=kind, principal=principal, since=since, limit=limit)
    )

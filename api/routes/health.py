from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import SessionDep
from api.security import ALL, allow
from profiles.repository import catalogue_counts

router = APIRouter(tags=["health"], dependencies=[allow(*ALL, read=True)])


class Health(BaseModel):
    status: str
    database: str
    counts: dict[str, int]


@router.get("/health", summary="服务状态 Service health and catalogue counts")
def health(session: SessionDep) -> Health:
    return Health(
        status="ok", database=session.get_bind().dialect.name, counts=catalogue_counts(session)
    )

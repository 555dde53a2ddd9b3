"""成效评估: a base city's and a pairing's activity by month, as JSON or CSV."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import SessionDep
from api.security import allow
from matching.vocabulary import Role
from profiles import effectiveness
from profiles.effectiveness import CityReport, PairingActivity
from profiles.models import ADCODE, MAX_ID, MONTH

router = APIRouter(
    prefix="/effectiveness",
    tags=["pipeline"],
    dependencies=[allow(Role.admin, Role.office, Role.viewer)],
)
Month = Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM (UTC)")]
CSV = {200: {"content": {"text/csv": {}}}}


@router.get(
    "/cities/{adcode}",
    summary="成效评估 A base city's pairings: opportunities, interests, meetings, signed, landed, experts by month",
    responses=CSV,
)
def city_report(
    session: SessionDep,
    adcode: Annotated[str, Path(pattern=ADCODE)],
    first: Month = None,
    last: Month = None,
    format: Literal["json", "csv"] = "json",
) -> CityReport:
    report = effectiveness.city_report(session, city=adcode, first=first, last=last)
    if format == "csv":
        return Response(  # type: ignore[return-value]
            effectiveness.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="effectiveness-{adcode}.csv"'},
        )
    return report


@router.get("/pairings/{pairing_id:int}", summary="成效评估 One city pairing's activity by month")
def pairing_report(
    session: SessionDep,
    pairing_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    first: Month = None,
    last: Month = None,
) -> PairingActivity:
    return effectiveness.pairing_report(session, pairing_id=pairing_id, first=first, last=last)

"""Enterprises, universities, experts, talent needs, pairings and opportunities: one router
per kind.

The routes are the same for every kind (list, export, import, get, create, update, delete);
what differs — models, filters, natural key — comes from ``profiles.kinds``.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile, status
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.sql import Select

from api.deps import SessionDep, SettingsDep, StreamingSessionDep
from api.errors import problem
from api.routes.common import IncludeArchived, ItemList, Removed, with_report, written
from api.security import ALL, allow
from matching.vocabulary import Role
from profiles import access, importer, repository
from profiles.access import Principal
from profiles.importer import (
    ImportReport,
    export_csv,
    export_json,
    export_xlsx,
)
from profiles.kinds import KINDS, Kind
from profiles.models import MAX_ID
from profiles.queries import (
    EnterpriseFilters,
    ExpertFilters,
    ListParams,
    NeedFilters,
    OpportunityFilters,
    PairingFilters,
    UniversityFilters,
    paginate,
    pairing_query,
    profile_query,
    stream,
)
from profiles.xlsx import MEDIA_TYPE as XLSX
from profiles.xlsx import TooManyRows, chunks

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="the profile's id")]
FILTERS: dict[str, type[ListParams]] = {
    "enterprises": EnterpriseFilters,
    "universities": UniversityFilters,
    "experts": ExpertFilters,
    "needs": NeedFilters,
    "pairings": PairingFilters,
    "opportunities": OpportunityFilters,
}
WRITE_ROLES = {
    "enterprises": (Role.admin, Role.office, Role.enterprise),
    "universities": (Role.admin, Role.office, Role.university),
    "experts": (Role.admin, Role.office, Role.university),
    "needs": (Role.admin, Role.office),
    "pairings": (Role.admin, Role.office),
    "opportunities": (Role.admin, Role.office, Role.enterprise, Role.university),
}
CITY_COLUMN = {
    "enterprises": "hq_city",
    "universities": "city",
    "experts": "city",
    "needs": "city",
    "opportunities": "city",
}


def _statement(kind: Kind, filters: Any) -> Select[Any]:
    if kind.slug == "pairings":
        return pairing_query(filters)
    return profile_query(kind.table, getattr(kind.table, CITY_COLUMN[kind.slug]), filters)


def profile_router(kind: Kind) -> APIRouter:
    """The routes of one kind of profile, under ``/{kind.slug}``."""
    router = APIRouter(prefix=f"/{kind.slug}", tags=[kind.slug])
    Filters, Public, Create, Update = FILTERS[kind.slug], kind.public, kind.create, kind.update
    Written = written(Public, Create)
    pk = kind.table.id  # type: ignore[attr-defined]
    label, noun = kind.label, kind.singular.lower()
    Reader = Annotated[Principal | None, allow(*ALL, read=True)]
    Writer = Annotated[Principal, allow(*WRITE_ROLES[kind.slug])]

    class ExportFilters(Filters):  # type: ignore[valid-type,misc]
        format: Literal["csv", "json", "xlsx"] = "csv"

    def shown(principal: Principal | None, row: Any) -> Any:
        return access.redact(principal, row, Public.model_validate(row))

    @router.get("", summary=f"{label}列表 List {kind.slug}")
    def list_profiles(
        session: SessionDep, principal: Reader, filters: Annotated[Filters, Query()]
    ) -> ItemList[Public]:  # type: ignore[valid-type]
        filters = repository.with_places_resolved(session, filters)
        page = paginate(
            session, _statement(kind, filters), pk=pk, sort=filters.sort, params=filters
        )  # type: ignore[attr-defined]
        return ItemList(
            items=[shown(principal, r) for r in page.items],
            next_cursor=page.next_cursor,
            total=page.total,
        )

    @router.get(
        "/export",
        summary=f"导出{label} Export {kind.slug} as CSV, .xlsx or JSON",
        description="CSV and .xlsx cells that would start with `=`, `+`, `-`, `@`, tab or CR "
        "get a leading apostrophe (OWASP CSV injection), which import removes again: an "
        "export re-imports to the same values.",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/csv": {}, "application/json": {}, XLSX: {}}}},
    )
    def export(
        session: StreamingSessionDep, principal: Reader, filters: Annotated[ExportFilters, Query()]
    ) -> StreamingResponse:
        filters = repository.with_places_resolved(session, filters)
        rows = (shown(principal, r) for r in stream(session, _statement(kind, filters), pk=pk))
        if filters.format == "json":
            return StreamingResponse(export_json(Public, rows), media_type="application/json")
        if filters.format == "xlsx":
            try:
                workbook = export_xlsx(Public, rows, kind.slug)
            except TooManyRows as error:
                return problem(422, "Too many rows", str(error), slug="too-many-rows")  # type: ignore[return-value]
            headers = {"Content-Disposition": f'attachment; filename="{kind.slug}.xlsx"'}
            return StreamingResponse(chunks(workbook), media_type=XLSX, headers=headers)
        headers = {"Content-Disposition": f'attachment; filename="{kind.slug}.csv"'}
        return StreamingResponse(
            export_csv(Public, rows), media_type="text/csv; charset=utf-8", headers=headers
        )

    @router.post(
        "/import",
        summary=f"批量导入{label} Import {kind.slug} (CSV, .xlsx or JSON, all or nothing)",
        responses={422: {"description": "bad rows: nothing was written"}},
    )
    def import_file(
        session: SessionDep,
        principal: Writer,
        settings: SettingsDep,
        file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030/GBK), .xlsx or JSON")],
        dry_run: Annotated[bool, Query(description="validate and report only")] = False,
    ) -> ImportReport:
        if file.size is not None and file.size > settings.import_max_bytes:
            return problem(
                413,
                "File too large",
                f"the import limit is {settings.import_max_bytes} bytes",
                slug="413",
            )  # type: ignore[return-value]
        report = importer.import_file(
            session,
            kind=kind,
            stream=file.file,
            filename=file.filename or "",
            principal=principal,
            dry_run=dry_run,
            max_rows=settings.import_max_rows,
        )
        if report.error_count:
            return _refused(report)  # type: ignore[return-value]
        return report

    @router.get("/{id:int}", summary=f"{label}详情 One {noun}")
    def get_profile(
        session: SessionDep, principal: Reader, id: Id, include_archived: IncludeArchived = False
    ) -> Public:  # type: ignore[valid-type]
        row = repository.get_profile(session, kind=kind, id=id, include_archived=include_archived)
        return shown(principal, row)

    @router.post("", status_code=status.HTTP_201_CREATED, summary=f"新增{label} Create")
    def create_profile(session: SessionDep, principal: Writer, body: Create) -> Written:  # type: ignore[valid-type]
        row = repository.create_profile(
            session,
            kind=kind,
            data=body,
            owner=access.owner_for(principal, kind.table),
            permit=lambda values: access.may_create(principal, kind.table, values),
        )
        return with_report(Public, row, body)

    @router.patch("/{id:int}", summary=f"修改{label} Update some fields")
    def update_profile(session: SessionDep, principal: Writer, id: Id, body: Update) -> Written:  # type: ignore[valid-type]
        access.editable(principal, repository.get_profile(session, kind=kind, id=id), noun, id)
        row = repository.update_profile(session, kind=kind, id=id, data=body)
        return with_report(Public, row, body)

    @router.delete(
        "/{id:int}",
        summary=f"删除{label} Delete (archived when a pairing refers to it)",
        description="After `deleted` or `archived`, GET, PATCH and DELETE of the id answer 404; "
        "an archived record stays readable with `include_archived=true`.",
    )
    def delete_profile(session: SessionDep, principal: Writer, id: Id) -> Removed:
        row = access.editable(
            principal, repository.get_profile(session, kind=kind, id=id), noun, id
        )
        references = repository.profile_references(session, kind=kind, id=id)
        return Removed(id=str(id), outcome=repository.remove(session, row, references=references))

    return router


def _refused(report: ImportReport) -> JSONResponse:
    first = report.errors[0]
    detail = (
        f"{report.error_count} bad row(s); nothing was written. "
        f"First: row {first.row}, {first.field}: {first.reason}"
    )
    errors = [
        {"field": f"row {e.row}.{e.field}", "message": e.reason, "row": e.row, "value": e.value}
        for e in report.errors
    ]
    return problem(
        422,
        "Import refused",
        detail,
        slug="import-refused",
        errors=errors,
        report=report.model_dump(mode="json"),
    )


routers = [profile_router(kind) for kind in KINDS.values()]

"""数据: lists with filters for every kind, create/edit forms, import with a dry run, export."""

import csv
import io
import typing
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SessionDep, SettingsDep
from api.routes.profiles import FILTERS
from console import downloads, forms, messages, render
from console.api_calls import endpoint
from console.deps import SignedInDep, ViewerDep
from console.policy import require
from console.routing import ConsoleRoute
from matching.vocabulary import Programme, ZoneKind
from profiles import access, importer, repository, zones
from profiles.errors import UnreadableFile
from profiles.kinds import KINDS
from profiles.models import MAX_ID

router = APIRouter(route_class=ConsoleRoute)
Kind = Literal["enterprises", "universities", "experts", "needs", "zones", "pairings"]
COLUMNS = {
    "enterprises": [
        ("name", "名称"),
        ("hq_city", "总部城市"),
        ("industry_codes", "行业代码"),
        ("employees", "员工"),
    ],
    "universities": [("name", "名称"), ("city", "城市"), ("type", "类型"), ("tags", "标签")],
    "experts": [
        ("name", "姓名"),
        ("affiliation", "单位"),
        ("city", "城市"),
        ("title", "职称"),
        ("degree", "学位"),
        ("programmes", "人才项目"),
    ],
    "needs": [
        ("title", "岗位"),
        ("city", "城市"),
        ("field", "专业"),
        ("programme", "人才项目"),
        ("headcount", "人数"),
    ],
    "zones": [
        ("name", "名称"),
        ("kind", "类型"),
        ("city", "所在城市"),
        ("approved_year", "批准年份"),
        ("confidence", "可信度"),
    ],
    "pairings": [
        ("scheme", "类型"),
        ("base_city", "老区城市"),
        ("partner_city", "合作方"),
        ("since", "起始"),
        ("status", "状态"),
    ],
}
CITY_FIELDS = {"hq_city", "city", "base_city", "partner_city"}
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
SERVER_OWNED = {
    "id",
    "owner",
    "is_demo",
    "archived",
    "duplicate_of",
    "natural_key",
    "created_at",
    "updated_at",
}


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_text(v) for v in value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return getattr(value, "label", None) or str(value)


def _filters(kind: str, request: Request) -> Any:
    params = {k: v for k, v in request.query_params.items() if v != "" and k != "cursor"}
    cursor = request.query_params.get("cursor")
    return FILTERS[kind].model_validate(
        params | ({"cursor": cursor} if cursor else {}) | {"limit": params.get("limit", 50)}
    )


@router.get("/data/{kind}")
def data_list(request: Request, db: SessionDep, principal: ViewerDep, kind: Kind) -> HTMLResponse:
    require(request, principal, "GET", f"/api/v1/{kind}")
    filters = _filters(kind, request)
    page = endpoint(request, "GET", f"/api/v1/{kind}")(
        session=db, principal=principal, filters=filters
    )
    cities = {getattr(r, f) for r in page.items for f, _ in COLUMNS[kind] if f in CITY_FIELDS}
    names = {c.adcode: c.name for c in repository.cities_by_adcode(db, [c for c in cities if c])}
    rows = [
        {
            "id": r.id,
            "cells": [
                names.get(getattr(r, f), _text(getattr(r, f)))
                if f in CITY_FIELDS
                else _text(getattr(r, f))
                for f, _ in COLUMNS[kind]
            ],
            "demo": getattr(r, "is_demo", False),
            "archived": getattr(r, "archived", False),
        }
        for r in page.items
    ]
    may = render.context(request)["may"]
    return render.page(
        request,
        "data_list.html",
        block="results",
        kind=kind,
        kinds=KINDS,
        columns=COLUMNS[kind],
        rows=rows,
        filters=filters,
        next_cursor=page.next_cursor,
        can_write=may("POST", f"/api/v1/{kind}"),
        can_import=may("POST", f"/api/v1/{kind}/import"),
        labels_programmes=list(Programme.labels().items()),
        zone_kinds=list(ZoneKind) if kind == "zones" else None,
        completeness=zones.completeness(db) if kind == "zones" else None,
    )


def _record(request: Request, db: Any, principal: Any, kind: str, id: int) -> Any:
    return endpoint(request, "GET", f"/api/v1/{kind}/{{id}}")(
        session=db, principal=principal, id=id
    )


def _edit_page(
    request: Request,
    kind: str,
    record: Any,
    values: dict[str, Any],
    problem: Any = None,
    status: int = 200,
) -> HTMLResponse:
    model = KINDS[kind].update if record is not None else KINDS[kind].create
    return render.page(
        request,
        "data_edit.html",
        status=status,
        kind=kind,
        kinds=KINDS,
        record=record,
        controls=forms.controls(model, values, skip=SERVER_OWNED),
        problem=problem,
        shown=forms.shown_text,
    )


@router.get("/data/{kind}/new")
def data_new(request: Request, principal: SignedInDep, kind: Kind) -> HTMLResponse:
    require(request, principal, "POST", f"/api/v1/{kind}")
    return _edit_page(request, kind, None, {})


@router.get("/data/{kind}/{id:int}")
def data_edit(
    request: Request, db: SessionDep, principal: ViewerDep, kind: Kind, id: Id
) -> HTMLResponse:
    record = _record(request, db, principal, kind, id)
    row = repository.get_profile(db, kind=KINDS[kind], id=id)
    editable = principal is not None and access.may_edit(principal, row)
    return (
        _edit_page(request, kind, record if editable else None, record.model_dump(), None)
        if editable
        else render.page(
            request,
            "data_view.html",
            kind=kind,
            kinds=KINDS,
            record=record,
            fields=[(forms.LABELS.get(k, k), _text(v)) for k, v in record.model_dump().items()],
        )
    )


def _invalid(error: ValidationError) -> messages.Problem:
    return messages.describe(error)


@router.post("/data/{kind}/new")
async def data_create(
    request: Request, db: SessionDep, principal: SignedInDep, kind: Kind
) -> Response:
    require(request, principal, "POST", f"/api/v1/{kind}")
    form = await request.form()
    data = forms.parse(KINDS[kind].create, form)
    try:
        body = KINDS[kind].create.model_validate(data)
        created = await run_in_threadpool(
            endpoint(request, "POST", f"/api/v1/{kind}"), session=db, principal=principal, body=body
        )
    except ValidationError as error:
        return _edit_page(request, kind, None, data, _invalid(error), 422)
    except Exception as error:  # domain errors shown on the form, next to the field
        problem = messages.describe(error)
        if problem.status >= 500:
            raise
        return _edit_page(request, kind, None, data, problem, problem.status)
    return RedirectResponse(f"/data/{kind}/{created.id}?saved=1", status_code=303)


@router.post("/data/{kind}/{id:int}")
async def data_update(
    request: Request, db: SessionDep, principal: SignedInDep, kind: Kind, id: Id
) -> Response:
    require(request, principal, "PATCH", f"/api/v1/{kind}/{{id}}")
    form = await request.form()
    record = await run_in_threadpool(_record, request, db, principal, kind, id)
    before = {
        c["name"]: forms.shown_text(c)
        for c in forms.controls(KINDS[kind].update, record.model_dump(), skip=SERVER_OWNED)
    }
    data = forms.parse(KINDS[kind].update, form, only_changed=before)
    try:
        body = KINDS[kind].update.model_validate(data)
        await run_in_threadpool(
            endpoint(request, "PATCH", f"/api/v1/{kind}/{{id}}"),
            session=db,
            principal=principal,
            id=id,
            body=body,
        )
    except Exception as error:
        problem = messages.describe(error)
        if problem.status >= 500:
            raise
        return _edit_page(
            request, kind, record, record.model_dump() | data, problem, problem.status
        )
    return RedirectResponse(f"/data/{kind}/{id}?saved=1", status_code=303)


@router.get("/data/{kind}/import")
def import_form(request: Request, principal: SignedInDep, kind: Kind) -> HTMLResponse:
    require(request, principal, "POST", f"/api/v1/{kind}/import")
    return render.page(
        request,
        "data_import.html",
        kind=kind,
        kinds=KINDS,
        report=None,
        problem=None,
        filename=None,
    )


@router.post("/data/{kind}/import")
def import_file(
    request: Request,
    db: SessionDep,
    principal: SignedInDep,
    settings: SettingsDep,
    kind: Kind,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    require(request, principal, "POST", f"/api/v1/{kind}/import")
    problem = None
    try:
        report = importer.import_file(
            db,
            kind=KINDS[kind],
            stream=file.file,
            filename=file.filename or "",
            principal=principal,
            dry_run=dry_run,
            max_rows=settings.import_max_rows,
        ).model_dump(mode="json")
    except UnreadableFile as error:
        report, problem = None, messages.Problem(422, f"无法读取文件：{error}")
    return render.page(
        request,
        "data_import.html",
        status=200 if problem is None else 422,
        kind=kind,
        kinds=KINDS,
        report=report,
        problem=problem,
        filename=file.filename,
    )


@router.get("/data/{kind}/export.{fmt}")
async def export(
    request: Request, db: SessionDep, principal: ViewerDep, kind: Kind, fmt: Literal["csv", "xlsx"]
) -> Response:
    require(request, principal, "GET", f"/api/v1/{kind}/export")
    params = {k: v for k, v in request.query_params.items() if v != ""}
    route = endpoint(request, "GET", f"/api/v1/{kind}/export")
    filters_type = typing.get_args(route.__annotations__["filters"])[0]  # the route's own filters
    filters = filters_type.model_validate(params | {"format": "csv"})
    answer = await run_in_threadpool(route, session=db, principal=principal, filters=filters)
    if fmt == "csv":
        return answer
    text = "".join([chunk async for chunk in answer.body_iterator]).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    return downloads.table(KINDS[kind].label, rows[0] if rows else [], rows[1:], "xlsx")

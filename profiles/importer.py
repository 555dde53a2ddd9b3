"""Bulk import and export of profiles: CSV (UTF-8 with or without BOM, or GB18030/GBK), .xlsx
or JSON.

An import validates every row and writes it inside one transaction; if any row is bad, the
caller rolls the whole file back (and a dry run always does). Rows are parsed and written in
batches, so memory stays flat however long the file. Headers may be the field names or their
Chinese labels; list cells are ``|``-separated.
"""

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from profiles import access, audit, outbox, xlsx
from profiles.access import Principal
from profiles.cells import neutralise, restore
from profiles.errors import InvalidReference, UnreadableFile
from profiles.industry_fields import INDUSTRY_FIELDS, RESOURCE_FIELDS, resolve_fields
from profiles.kinds import Kind
from profiles.models import utcnow
from profiles.names import OrgNames
from profiles.repository import (
    CityResolver,
    find_by_natural_keys,
    org_names,
    prepare_values,
    resource_words,
)
from profiles.shape import TEXT_CELLS

BATCH = 1_000
MAX_REPORTED = 1_000

# Chinese column headers accepted for each field (the field name itself is always accepted).
LABELS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "企业名称", "高校名称", "姓名"),
    "hq_city": ("总部城市", "总部所在地", "总部"),
    "city": ("城市", "所在城市", "所在地"),
    "industry_codes": ("行业代码", "行业分类代码"),
    "industry_keywords": ("行业", "行业关键词", "主营行业"),
    "employees": ("员工人数", "员工数"),
    "revenue_100m": ("营业收入（亿元）", "营业收入(亿元)", "营业收入"),
    "places": ("拟布局", "布局环节"),
    "needs_resources": ("资源需求",),
    "land_mu": ("用地需求（亩）", "用地需求(亩)", "用地（亩）", "用地"),
    "workers": ("用工需求", "用工"),
    "energy_intensity": ("能耗强度",),
    "target_markets": ("目标市场",),
    "preferred_modes": ("合作模式", "偏好合作模式"),
    "contact": ("联系方式", "联系人"),
    "english_name": ("英文名称",),
    "type": ("类型", "办学类型"),
    "tags": ("标签",),
    "first_class_disciplines": ("一流学科",),
    "main_fields": ("主要学科", "优势学科"),
    "source": ("来源",),
    "confidence": ("可信度",),
    "notes": ("备注",),
    "affiliation_type": ("单位类型",),
    "affiliation": ("工作单位", "单位"),
    "university_id": ("高校编号",),
    "fields": ("专业领域", "领域"),
    "title": ("职称", "岗位名称", "岗位", "标题", "机会名称"),
    "degree": ("学位",),
    "programmes": ("意向项目", "人才项目"),
    "available_from": ("可到岗时间",),
    "available_months": ("服务期（月）", "服务期(月)"),
    "field": ("专业", "需求领域"),
    "programme": ("项目",),
    "headcount": ("人数", "需求人数"),
    "period_months": ("期限（月）", "期限(月)"),
    "starts": ("开始时间",),
    "employer": ("用人单位",),
    "description": ("说明", "岗位说明"),
    "kind": ("关系类型",),
    "scheme": ("机制",),
    "base_city": ("老区城市", "受援方"),
    "partner_city": ("合作城市", "支援方"),
    "enterprise_id": ("企业编号",),
    "expert_id": ("专家编号",),
    "need_id": ("岗位编号",),
    "base_unit": ("老区单位",),
    "partner_unit": ("合作单位",),
    "modes": ("模式",),
    "since": ("起始年份",),
    "status": ("状态",),
    "mode": ("合作模式", "模式"),
    "keywords": ("关键词",),
    "quantity": ("数量", "金额", "数量或金额"),
    "unit": ("单位", "计量单位"),
    "closes_on": ("截止日期", "截止时间"),
    "buyer_type": ("采购方类型",),
}


class ImportProblem(BaseModel):
    row: int
    field: str
    value: str | None = None
    reason: str


class PossibleDuplicate(BaseModel):
    row: int
    name: str
    candidate: dict[str, Any]


class ImportReport(BaseModel):
    kind: str
    dry_run: bool
    applied: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[ImportProblem] = []
    error_count: int = 0
    duplicates: list[PossibleDuplicate] = []


@dataclass
class _Pending:
    number: int
    fields_set: set[str]
    values: dict[str, Any]


def _server_owned(kind: Kind) -> set[str]:
    """Columns an export carries that no client may set (id, owner, archived …): ignored on import."""
    return set(kind.public.model_fields) - set(kind.create.model_fields)


def _columns(kind: Kind, headers: Iterable[str]) -> dict[str, str | None]:
    """Map each header to a field of the kind's create model (None: server-owned, ignored);
    unknown headers are refused."""
    fields = kind.create.model_fields
    by_label = {
        label: name for name, labels in LABELS.items() for label in labels if name in fields
    }
    ignored = _server_owned(kind)
    mapping: dict[str, str | None] = {}
    for header in headers:
        clean = header.strip().lstrip("\ufeff")
        name = clean if clean in fields else by_label.get(clean)
        if name is None and clean not in ignored:
            raise UnreadableFile(
                f"unknown column '{clean}'; expected the fields of {kind.slug}: "
                + ", ".join(fields)
            )
        mapping[header] = name
    return mapping


def _cell(kind: Kind, name: str, value: str) -> Any:
    restored = restore(value)  # a neutralised cell stands exactly for what was exported
    value = restored if restored != value else value.strip()
    if value == "":
        return None
    annotation = str(kind.create.model_fields[name].annotation)
    if annotation.startswith("list"):
        return [part.strip() for part in value.split("|") if part.strip()]
    return value


def read_rows(kind: Kind, stream: IO[bytes], filename: str) -> Iterator[dict[str, Any]]:
    """Rows of the uploaded file as field dicts: CSV (UTF-8, or GB18030/GBK as Excel writes it
    in China) by default, JSON or .xlsx by name or content."""
    head = stream.read(4)
    stream.seek(0)
    name = filename.lower()
    if name.endswith(".json") or head[:1] in (b"[", b"{"):
        yield from _json_rows(stream, _server_owned(kind))
        return
    try:
        if name.endswith(".xlsx") or head == xlsx.ZIP_MAGIC:
            yield from _table_rows(kind, xlsx.read_sheet(stream))
            return
        encoding = _csv_encoding(stream)
        text = codecs.getreader(encoding)(stream, errors="strict")
        yield from _table_rows(kind, csv.reader(text))
    except UnicodeDecodeError as error:
        raise UnreadableFile("the file is neither UTF-8 nor GB18030 (GBK) text") from error
    except csv.Error as error:
        raise UnreadableFile(f"CSV: {error}") from error
    except ValueError as error:
        if isinstance(error, UnreadableFile):
            raise
        raise UnreadableFile(str(error)) from error


def _csv_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as such, else GB18030 (a
    superset of GBK and GB2312). Two passes over the spooled upload keep memory flat."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(1 << 16):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"
    finally:
        stream.seek(0)


def _table_rows(kind: Kind, rows: Iterator[list[str]]) -> Iterator[dict[str, Any]]:
    """Field dicts from a header row and data rows (CSV or a worksheet); blank rows skipped."""
    header = next(rows, None)
    if header is None:
        return
    while header and header[-1] == "":
        header = header[:-1]  # a worksheet's trailing empty header cells
    mapping = _columns(kind, header)
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise UnreadableFile(f"row {number} has more cells than the header")
        cells = ((mapping[h], v) for h, v in zip(header, row, strict=False) if mapping[h])
        yield {name: value for name, raw in cells if (value := _cell(kind, name, raw)) is not None}


def _json_rows(stream: IO[bytes], ignored: set[str] = frozenset()) -> Iterator[dict[str, Any]]:
    try:
        data = json.load(io.TextIOWrapper(stream, encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFile(f"JSON: {error}") from error
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise UnreadableFile('JSON must be a list of objects, or {"items": [...]}')
    for item in items:
        if not isinstance(item, dict):
            raise UnreadableFile("every JSON item must be an object")
        yield {k: v for k, v in item.items() if v is not None and k not in ignored}


class Importer:
    """Validates and writes one file's rows for one kind, collecting a report.

    Rows are validated one by one and written in batches: one query finds the stored rows of a
    batch's natural keys, one INSERT adds the new ones. After the first bad row nothing more is
    written (the caller rolls back), but validation goes on so the report names every bad row.
    """

    def __init__(
        self,
        session: Session,
        kind: Kind,
        *,
        dry_run: bool,
        owner: str | None,
        org_names: OrgNames | None,
        permit: Callable[[dict[str, Any], Any], bool] | None = None,
        max_rows: int | None = None,
    ) -> None:
        self.session = session
        self.kind = kind
        self.owner = owner
        self.report = ImportReport(kind=kind.slug, dry_run=dry_run)
        self._cities = CityResolver(session)
        self._seen: dict[tuple[Any, ...], int] = {}
        self._org_names = org_names
        self._cores: dict[str, tuple[int, str]] | None = None
        self._known: set[str] | None = None
        columns = set(kind.table.__table__.columns.keys()) - {"id"}  # type: ignore[attr-defined]
        fields = kind.table.model_fields
        self._defaults = {c: fields[c].get_default(call_default_factory=True) for c in columns}
        self._defaults["owner"] = owner
        self._permit = permit
        self._max_rows = max_rows

    def run(self, rows: Iterable[dict[str, Any]]) -> ImportReport:
        pending: list[_Pending] = []
        for number, row in enumerate(rows, start=1):
            self.report.rows = number
            if self._max_rows is not None and number > self._max_rows:
                raise UnreadableFile(
                    f"the file has more than {self._max_rows} rows, the import limit"
                )
            item = self._validate(number, row)
            if item is not None and not self.report.error_count:
                pending.append(item)
            if len(pending) >= BATCH:
                self._write(pending)
        self._write(pending)
        if self.report.rows == 0:
            raise UnreadableFile("the file holds no rows")
        return self.report

    def _error(self, row: int, field: str, value: Any, reason: str) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_REPORTED:
            shown = None if value is None else str(value)[:200]
            self.report.errors.append(
                ImportProblem(row=row, field=field, value=shown, reason=reason)
            )

    def _validate(self, number: int, row: dict[str, Any]) -> _Pending | None:
        try:
            data = self.kind.create.model_validate(row, context=TEXT_CELLS)
            values = prepare_values(
                self.session, self.kind, data, self._cities, self._resource_words
            )
        except ValidationError as error:
            for problem in error.errors():
                field = ".".join(str(p) for p in problem["loc"]) or "row"
                self._error(number, field, problem.get("input"), problem["msg"])
            self._word_errors(number, row, {str(p["loc"][0]) for p in error.errors() if p["loc"]})
            return None
        except InvalidReference as error:
            self._error(number, error.field, error.value, error.reason)
            return None
        key = tuple(values[f] for f in self.kind.natural_key)
        if key in self._seen:
            self._error(
                number,
                ",".join(self.kind.natural_key),
                "|".join(map(str, key)),
                f"repeats row {self._seen[key]}",
            )
            return None
        self._seen[key] = number
        return _Pending(number, set(data.model_fields_set), values)

    def _resource_words(self) -> set[str]:
        """The catalogue's resource words, read once per import."""
        if self._known is None:
            self._known = resource_words(self.session)
        return self._known

    def _word_errors(self, number: int, row: dict[str, Any], failed: set[str]) -> None:
        """The industry and resource words of a row that failed elsewhere are checked too, so
        the report names every bad field."""
        words = {
            f: row[f]
            for f in (*INDUSTRY_FIELDS, *RESOURCE_FIELDS)
            if f not in failed and isinstance(row.get(f), list)
        }
        try:
            resolve_fields(words, known=self._resource_words())
        except InvalidReference as error:
            self._error(number, error.field, error.value, error.reason)

    def _write(self, pending: list[_Pending]) -> None:
        if self.report.error_count:
            pending.clear()
            return
        keys = [tuple(p.values[f] for f in self.kind.natural_key) for p in pending]
        stored = find_by_natural_keys(self.session, self.kind, keys)
        if self._permit is not None:
            for item, key in zip(pending, keys, strict=True):
                if not self._permit(item.values, stored.get(key)):
                    self._error(
                        item.number, "row", None, "outside what your key may create or change"
                    )
            if self.report.error_count:
                pending.clear()
                return
        inserts = []
        now = utcnow()
        for item, key in zip(pending, keys, strict=True):
            existing = stored.get(key)
            if existing is None:
                self._note_duplicate(item.number, item.values)
                values = {k: v for k, v in item.values.items() if k in self._defaults}
                inserts.append(self._defaults | values | {"created_at": now, "updated_at": now})
                self.report.created += 1
            else:
                existing.sqlmodel_update(
                    {f: item.values[f] for f in item.fields_set if f in item.values}
                )
                existing.updated_at = now
                self.session.add(existing)
                self.report.updated += 1
        if inserts:
            self.session.execute(insert(self.kind.table), inserts)
        if self.kind.slug == "enterprises":
            self._announce(keys)
        self.session.flush()
        pending.clear()

    def _announce(self, keys: list[tuple[Any, ...]]) -> None:
        """One outbox event per created or updated enterprise, in the import's transaction."""
        self.session.flush()
        ids = [row.id for row in find_by_natural_keys(self.session, self.kind, keys).values()]
        outbox.emit_many(
            self.session, outbox.ENTERPRISE_UPSERTED, ({"enterprise_id": i} for i in ids)
        )

    def _note_duplicate(self, number: int, values: dict[str, Any]) -> None:
        if self._org_names is None or self.kind.name_field != "name":
            return
        if self._cores is None:
            self._cores = self._existing_cores()
        core = self._org_names.core(values["name"])
        hit = self._cores.get(core)
        if (
            hit is not None
            and hit[1] != values["name"]
            and len(self.report.duplicates) < MAX_REPORTED
        ):
            self.report.duplicates.append(
                PossibleDuplicate(
                    row=number, name=values["name"], candidate={"id": hit[0], "name": hit[1]}
                )
            )

    def _existing_cores(self) -> dict[str, tuple[int, str]]:
        table = self.kind.table
        rows = self.session.exec(select(table.id, table.name)).all()  # type: ignore[attr-defined]
        assert self._org_names is not None
        return {self._org_names.core(name): (row_id, name) for row_id, name in rows}


def import_rows(
    session: Session,
    *,
    kind: Kind,
    rows: Iterable[dict[str, Any]],
    dry_run: bool,
    owner: str | None = None,
    org_names: OrgNames | None = None,
    permit: Callable[[dict[str, Any], Any], bool] | None = None,
    max_rows: int | None = None,
) -> ImportReport:
    """Validate and write ``rows``; the caller commits only if ``report.applied``.

    ``permit(values, existing)`` may refuse a row (outside the caller's scope, not theirs).
    """
    importer = Importer(
        session,
        kind,
        dry_run=dry_run,
        owner=owner,
        org_names=org_names,
        permit=permit,
        max_rows=max_rows,
    )
    report = importer.run(rows)
    report.applied = not dry_run and report.error_count == 0
    return report


def import_file(
    session: Session,
    *,
    kind: Kind,
    stream: IO[bytes],
    filename: str,
    principal: Principal,
    dry_run: bool = False,
    max_rows: int | None = None,
) -> ImportReport:
    """Import a file all or nothing on behalf of ``principal``, recorded in the audit log.

    A refused or dry run leaves the session rolled back; ``UnreadableFile`` says why a file
    could not be read at all.
    """
    try:
        report = import_rows(
            session,
            kind=kind,
            rows=read_rows(kind, stream, filename),
            dry_run=dry_run,
            owner=access.owner_for(principal, kind.table),
            org_names=org_names(session),
            permit=access.row_permit(principal, kind.table),
            max_rows=max_rows,
        )
    except UnreadableFile:
        session.rollback()
        raise
    if not report.applied:
        session.rollback()
        return report
    audit.record(
        session,
        action="import",
        kind=kind.slug,
        key=f"{report.rows} rows",
        after={"created": report.created, "updated": report.updated},
    )
    return report


# ---------------------------------------------------------------- export
def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def export_csv(public: type[SQLModel], rows: Iterable[Any]) -> Iterator[str]:
    """CSV text in chunks: a BOM (for spreadsheet programs), a header of field names, rows."""
    columns = list(public.model_fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        record = public.model_validate(row).model_dump(mode="json")
        writer.writerow([neutralise(_csv_value(record[c])) for c in columns])
        yield buffer.getvalue()


def export_xlsx(public: type[SQLModel], rows: Iterable[Any], title: str) -> IO[bytes]:
    """An .xlsx workbook of the rows (same columns and neutralised text as the CSV export)."""
    records = (public.model_validate(row).model_dump(mode="json") for row in rows)
    return xlsx.write_workbook(list(public.model_fields), records, title)


def export_json(public: type[SQLModel], rows: Iterable[Any]) -> Iterator[str]:
    yield '{"items": ['
    for i, row in enumerate(rows):
        text = public.model_validate(row).model_dump_json()
        yield text if i == 0 else "," + text
    yield "]}"

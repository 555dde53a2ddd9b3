"""Downloads of exactly what a page shows: CSV (UTF-8 with BOM, for Excel) or .xlsx."""

import csv
import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "；".join(str(v) for v in value)
    return value


def table(
    filename: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str
) -> Response:
    """``rows`` under Chinese ``headers`` as ``filename.csv`` or ``filename.xlsx``."""
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = filename[:31]
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        book.save(buffer)
        body, media = buffer.getvalue(), XLSX
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows([[_cell(v) for v in row] for row in rows])
        body, media = ("\ufeff" + text.getvalue()).encode(), "text/csv; charset=utf-8"
    name = f"{filename}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    disposition = f"attachment; filename=\"download.{name.rsplit('.', 1)[1]}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media, headers={"content-disposition": disposition})

"""Excel workbooks (.xlsx) for export and import, with the cells of ``profiles.cells``.

Exports keep numbers as numbers and write text neutralised exactly as the CSV export does, so
the two formats read back the same. Imports read the first sheet in read-only (streaming) mode;
``defusedxml`` guards openpyxl's XML parsing against entity-expansion attacks.
"""

import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

from profiles.cells import neutralise

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576  # Excel's limit, the header row included
ZIP_MAGIC = b"PK\x03\x04"


# OOXML escapes characters XML would lose (a CR becomes LF when parsed) as _xHHHH_, and a
# literal "_xHHHH_" as "_x005F_xHHHH_"; Excel reads and writes them so, openpyxl does not.
ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    text = ESCAPED.sub(lambda m: "_x005F" + m.group(0), text)
    return text.replace("\r", "_x000D_")


def ooxml_unescape(text: str) -> str:
    return ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


class TooManyRows(ValueError):
    """More rows than a worksheet holds."""


def _cell(sheet: Any, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        value = None if value is None else ("true" if value else "false")
    elif isinstance(value, list):
        value = "|".join(str(v) for v in value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ooxml_escape(neutralise(value)))
        cell.data_type = "s"  # text, whatever it looks like
        return cell
    return value


def write_workbook(columns: list[str], records: Iterable[dict[str, Any]], title: str) -> IO[bytes]:
    """A workbook of one sheet (header, then one row per record), in a temporary file."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(columns)
    for count, record in enumerate(records, start=2):
        if count > MAX_ROWS:
            raise TooManyRows(f"an .xlsx sheet holds at most {MAX_ROWS - 1} rows; export as CSV")
        sheet.append([_cell(sheet, record[c]) for c in columns])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    book.save(output)
    output.seek(0)
    return output


def chunks(file: IO[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """The file's bytes in chunks, closing it at the end (a streamed response's body)."""
    with file:
        while chunk := file.read(size):
            yield chunk


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return ooxml_unescape(value) if isinstance(value, str) else str(value)


def read_sheet(stream: IO[bytes]) -> Iterator[list[str]]:
    """The rows of the workbook's first sheet as text cells (header first)."""
    try:
        book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ValueError(f"not a readable .xlsx workbook ({error})") from error
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_text(v) for v in row]
    finally:
        book.close()

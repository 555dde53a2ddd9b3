"""Spreadsheet cells that are safe to open, and that read back as they were written.

A cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is a formula (or
becomes one) in Excel, WPS and LibreOffice: OWASP's CSV-injection guidance neutralises it with
a leading apostrophe, which spreadsheets show as text. So that an export re-imports to the
same values, a value that already starts with an apostrophe in front of such a cell is escaped
the same way, and import removes exactly one apostrophe where export added one.
"""

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(value: str) -> bool:
    while value.startswith("'"):
        value = value[1:]
    return value.startswith(TRIGGERS)


def neutralise(value: str) -> str:
    """The cell text to write: ``=1+1`` → ``'=1+1``; everything else unchanged."""
    return "'" + value if _needs_quote(value) else value


def restore(cell: str) -> str:
    """The value an exported cell stood for (the inverse of ``neutralise``)."""
    return cell[1:] if cell.startswith("'") and _needs_quote(cell[1:]) else cell

"""The one rule for text that enters the service, whatever the store behind it.

Refused everywhere (bodies, query and path parameters, import files): NUL (PostgreSQL cannot
store it), every other C0 control character except tab, line feed and carriage return, DEL, the
C1 controls (U+0080–U+009F), and lone surrogates (not encodable as UTF-8). Tab, LF and CR stay
allowed: they belong in multi-line notes and descriptions.
"""

import re
from collections.abc import Iterator
from typing import Any

REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` is refused (naming the first bad character), or None."""
    found = REFUSED.search(value)
    if found is None:
        return None
    character = found.group()
    kind = "a lone surrogate" if "\ud800" <= character <= "\udfff" else "a control character"
    return f"contains {kind} (U+{ord(character):04X}) at position {found.start()}"


def text_problems(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, reason) for every refused string in ``value``, keys of mappings included."""
    if isinstance(value, str):
        reason = text_problem(value)
        if reason is not None:
            yield path, reason
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (reason := text_problem(key)) is not None:
                yield inner, f"key {reason}"
            yield from text_problems(item, inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            if not isinstance(item, str) or REFUSED.search(item) is not None:
                yield from text_problems(item, f"{path}[{index}]")


def check_text(value: Any) -> Any:
    """``value`` unchanged, or ValueError naming the first refused string inside it."""
    for path, reason in text_problems(value):
        raise ValueError(f"{path} {reason}" if path else reason)
    return value

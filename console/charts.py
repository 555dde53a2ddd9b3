"""Chart data in two generic shapes the page script draws with ECharts (no per-page JS).

map:  {"series": [{"name", "type": "points"|"lines", "items": [...]}]} on the China map
bars: {"categories": [...], "series": [{"name", "values"}], "unit": "..."}
Every item carries ``tip``: the text of its tooltip, with the figure's year and source.
"""

from typing import Any


def point(name: str, lonlat: list[float | None], tip: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": lonlat, "tip": tip, **extra}


def line(a: list[float | None], b: list[float | None], tip: str) -> dict[str, Any]:
    return {"coords": [a, b], "tip": tip}


def series(name: str, kind: str, items: list[dict[str, Any]], **style: Any) -> dict[str, Any]:
    placed = [i for i in items if None not in (i.get("value") or i["coords"][0] + i["coords"][1])]
    return {"name": name, "type": kind, "items": placed, **style}


def bars(
    categories: list[str], named: list[tuple[str, list[Any]]], unit: str = ""
) -> dict[str, Any]:
    return {
        "categories": categories,
        "series": [{"name": n, "values": v} for n, v in named],
        "unit": unit,
    }


def source_note(year: Any, source: Any, confidence: Any = None) -> str:
    """'2023 年 · 来源：… · 可信度 中' (confidence shown only where it is not high)."""
    parts = []
    if year:
        parts.append(f"{year} 年")
    if source:
        parts.append(f"来源：{source}")
    label = getattr(confidence, "label", None) or {"medium": "中", "low": "低"}.get(
        str(confidence or "")
    )
    if confidence and str(confidence) != "high" and label:
        parts.append(f"可信度 {label}")
    return " · ".join(parts)

"""Forms generated from a kind's create/update model: one labelled control per field, values
parsed back, and pydantic's errors shown beside their fields in Chinese."""

import re
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

from console.messages import FIELDS

SPLIT = re.compile(r"[，,、；;|\n]+")
LABELS = FIELDS | {
    "english_name": "英文名",
    "tags": "标签",
    "first_class_disciplines": "一流学科",
    "main_fields": "主要学科领域",
    "source": "来源",
    "confidence": "可信度",
    "notes": "备注",
    "places": "拟布局环节",
    "land_mu": "用地需求（亩）",
    "workers": "用工需求（人）",
    "energy_intensity": "能耗强度",
    "target_markets": "目标市场",
    "preferred_modes": "倾向的合作模式",
    "contact": "联系方式",
    "revenue_100m": "营业收入（亿元）",
    "university_id": "所属高校编号",
    "available_from": "可到岗月份（YYYY-MM）",
    "available_months": "可服务月数",
    "period_months": "服务期（月）",
    "starts": "开始月份（YYYY-MM）",
    "employer": "用人单位",
    "description": "说明",
    "also_cities": "其他所在城市",
    "level": "级别",
    "approved_year": "批准年份",
    "land_available_mu": "可供土地（亩）",
    "policies": "优惠政策",
    "base_zone": "老区园区（名称或编号）",
    "partner_zone": "合作园区（名称或编号）",
    "base_zone_id": "老区园区编号",
    "partner_zone_id": "合作园区编号",
    "base_unit": "老区单位",
    "partner_unit": "合作单位",
    "enterprise_id": "企业编号",
    "expert_id": "专家编号",
    "need_id": "岗位编号",
    "modes": "合作模式",
    "id": "编号",
    "owner": "所有者",
    "is_demo": "演示数据",
    "archived": "已归档",
}
LONG = {"description", "notes", "source"}


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the inner type, whether it is a list) of an optional/list annotation."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(inner[0]) if inner else (str, False)
    if origin is list:
        inner, _ = _unwrap(typing.get_args(annotation)[0])
        return inner, True
    return annotation, False


def controls(
    model: type[BaseModel], values: dict[str, Any], skip: set[str] = frozenset()
) -> list[dict[str, Any]]:
    """Each field of ``model`` as a control: name, label, widget, options, current text."""
    result = []
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        kind, many = _unwrap(info.annotation)
        control: dict[str, Any] = {
            "name": name,
            "label": LABELS.get(name, name),
            "required": info.is_required(),
            "hint": info.description or "",
        }
        current = values.get(name)
        if isinstance(kind, type) and issubclass(kind, Enum):
            control["options"] = [(m.value, getattr(m, "label", m.value)) for m in kind]
            control["widget"] = "checks" if many else "select"
            control["value"] = (
                [str(getattr(v, "value", v)) for v in current or []]
                if many
                else str(getattr(current, "value", current or ""))
            )
        elif kind is bool:
            control["widget"], control["value"] = (
                "bool",
                "" if current is None else ("true" if current else "false"),
            )
        elif kind in (int, float):
            control["widget"], control["value"] = "number", "" if current is None else str(current)
        elif many:
            control["widget"], control["value"] = "list", "、".join(str(v) for v in current or [])
        else:
            control["widget"] = "textarea" if name in LONG else "text"
            control["value"] = "" if current is None else str(current)
        result.append(control)
    return result


def parse(
    model: type[BaseModel], form: Any, *, only_changed: dict[str, str] | None = None
) -> dict[str, Any]:
    """The submitted values for ``model`` (empty fields left out; with ``only_changed``, the
    fields whose text differs from what the form showed)."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind, many = _unwrap(info.annotation)
        is_enum = isinstance(kind, type) and issubclass(kind, Enum)
        if is_enum and many:
            raw_list = form.getlist(name)
            text = ",".join(raw_list)
            value: Any = raw_list
        else:
            text = str(form.get(name, "") or "").strip()
            if many:
                value = [w.strip() for w in SPLIT.split(text) if w.strip()]
            elif kind is bool:
                value = {"true": True, "false": False}.get(text)
            else:
                value = text
        if only_changed is not None:
            if name not in only_changed or text == only_changed[name]:
                continue
        elif text == "":
            continue
        if text == "" and not many:
            value = None
        data[name] = value
    return data


def shown_text(control: dict[str, Any]) -> str:
    value = control["value"]
    return ",".join(value) if isinstance(value, list) else value

"""Errors as Chinese messages for people: a headline, and one line per field at fault.

The domain raises the same errors for the API and the console; the API answers problem+json
(``api/errors.py``), the console answers these sentences. Never a stack trace.
"""

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError

from matching.engine import UnknownCity
from profiles.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidReference,
    NotFound,
)

log = logging.getLogger("counterpart.console")

FIELDS = {
    "name": "名称",
    "title": "标题",
    "city": "城市",
    "hq_city": "总部城市",
    "base_city": "老区城市",
    "partner_city": "合作城市",
    "base_cities": "老区城市",
    "partners": "合作城市",
    "capacity": "容量",
    "keep": "保留",
    "forbid": "排除",
    "industry_codes": "行业代码",
    "industry_keywords": "行业关键词",
    "needs_resources": "所需资源",
    "employees": "员工人数",
    "affiliation": "工作单位",
    "affiliation_type": "单位类型",
    "fields": "专业领域",
    "degree": "学位",
    "programme": "人才项目",
    "programmes": "人才项目",
    "headcount": "人数",
    "field": "专业",
    "type": "类型",
    "kind": "类别",
    "scheme": "结对类型",
    "mode": "合作模式",
    "url": "回调地址",
    "event": "事件",
    "min_score": "最低分",
    "max_distance_km": "最远距离",
    "provinces": "限定省份",
    "exclude_provinces": "排除省份",
    "min_population_10k": "最少常住人口",
    "q": "查询",
    "file": "文件",
    "api_key": "API 密钥",
    "since": "起始年份",
    "status": "状态",
    "limit": "条数",
}
KINDS = {
    "city": "城市",
    "enterprise": "企业",
    "university": "高校",
    "expert": "专家",
    "talent need": "人才需求",
    "need": "人才需求",
    "pairing": "结对关系",
    "opportunity": "合作机会",
    "plan": "方案",
    "subscription": "订阅",
    "job": "任务",
    "api key": "密钥",
    "duplicate candidate": "疑似重复",
}
REASONS = [
    (
        r"no plan satisfies the request: (.*) listed as both base and partner",
        "没有满足条件的方案：{0} 既是老区城市又是合作城市",
    ),
    (r"no plan satisfies the request: (.*)", "没有满足条件的方案：{0}"),
    (r"^unknown adcode '(.+)'$", "没有行政区划代码「{0}」"),
    (r"^no place matches '(.+)'$", "没有与「{0}」相符的地名"),
    (r"no place is named '(.+)'", "没有名为「{0}」的地方"),
    (r"unknown GB/T 4754 industry code '(.+)'", "GB/T 4754 中没有行业代码「{0}」"),
    (r"unknown id (\d+)", "没有编号 {0}"),
    (r"unknown university", "没有这所高校"),
    (r"unknown column '(.+?)'", "不认识的列「{0}」"),
    (r"not a cursor this service issued", "翻页参数无效，请从第一页重新开始"),
    (r"a (.+) pairing needs (.+)", "这类结对需要填写 {1}"),
    (r"not a prefecture-level city the engine ranks", "不是参与评分的地级城市"),
    (r"not a prefecture-level city", "不是地级城市"),
    (r"not among the partners", "不在所选合作城市之中"),
    (r"^ambiguous", "有多个可能的地名，请选一个"),
    (r"unknown industry code '(.+)'", "没有行业代码「{0}」"),
    (r"give exactly one of need or expert", "请只选择一个岗位或一位专家"),
]
PYDANTIC = {
    "missing": "必填",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "int_parsing": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为是或否",
    "enum": "须为以下之一：{expected}",
    "string_pattern_mismatch": "格式不对",
    "extra_forbidden": "不认识的字段",
    "url_parsing": "须为网址",
}


@dataclass
class Problem:
    status: int
    headline: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    candidates: list[dict[str, Any]] = field(default_factory=list)


def field_label(name: str) -> str:
    parts = [p for p in str(name).split(".") if p]
    label = FIELDS.get(parts[0], parts[0]) if parts else ""
    rest = [str(int(p) + 1) if p.isdigit() else FIELDS.get(p, p) for p in parts[1:]]
    return " · ".join([label, *rest]) if rest else label


def reason_text(reason: str) -> str:
    for pattern, text in REASONS:
        match = re.search(pattern, reason)
        if match:
            return text.format(*match.groups())
    return reason


def _pydantic(errors: list[dict[str, Any]]) -> list[tuple[str, str]]:
    result = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "form")]
        template = PYDANTIC.get(error.get("type", ""))
        context = error.get("ctx") or {}
        try:
            message = template.format(**context) if template else error.get("msg", "")
        except (KeyError, IndexError):
            message = error.get("msg", "")
        result.append((".".join(location), message))
    return result


def describe(error: BaseException) -> Problem:
    """The Chinese account of ``error`` (logged with its trace when it was not expected)."""
    if isinstance(error, ValidationError | RequestValidationError):
        return Problem(422, "请修改标红的内容后再提交。", _pydantic(list(error.errors())))
    if isinstance(error, NotFound):
        return Problem(404, f"找不到{KINDS.get(error.kind, error.kind)}「{error.key}」。")
    if isinstance(error, UnknownCity):
        return Problem(404, f"城市 {error.adcode} 不是参与评分的地级城市。")
    if isinstance(error, Conflict):
        return Problem(
            409, f"已有相同的{KINDS.get(error.kind, error.kind)}（编号 {error.existing}）。"
        )
    if isinstance(error, InvalidReference):
        return Problem(
            422,
            "请修改标红的内容后再提交。",
            [(error.field, reason_text(error.reason))],
            error.candidates,
        )
    if isinstance(error, AuthenticationFailed):
        return Problem(401, "密钥无效、已过期或已吊销，请重新登录。")
    if isinstance(error, Forbidden):
        return Problem(403, f"无权执行此操作：{error}。")
    if isinstance(error, DomainError):
        return Problem(422, f"无法完成：{reason_text(str(error))}")
    if isinstance(error, IntegrityError):
        log.warning("integrity error: %s", error.orig)
        return Problem(409, "与已有记录冲突，未作修改。")
    if isinstance(error, OperationalError):
        log.error("database error: %s", error.orig)
        return Problem(503, "数据库暂时无法应答，请稍后再试。")
    log.exception("console error", exc_info=error)
    return Problem(500, "服务器出错，未作修改；错误已记录。")

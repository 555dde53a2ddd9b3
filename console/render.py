"""Templates: one per page; an htmx request gets only the page's named block (same template).

Every console response carries a Content-Security-Policy that allows the service's own origin
only (no inline script or style), and the session cookie when it changed.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from console import charts, policy
from console.messages import field_label, reason_text
from console.session import load, remember
from matching.vocabulary import Scheme

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# (label, href, API route whose policy decides whether the entry is offered)
NAV = [
    ("总览", "/", ("GET", "/api/v1/health")),
    ("城市", "/cities", ("GET", "/api/v1/cities/{adcode}")),
    ("企业选址", "/sites", ("POST", "/api/v1/recommendations/sites")),
    ("招商", "/invest", ("GET", "/api/v1/recommendations/enterprises")),
    ("人才", "/talent", ("GET", "/api/v1/recommendations/talent")),
    ("方案", "/plans", ("GET", "/api/v1/plans")),
    ("数据", "/data/enterprises", ("GET", "/api/v1/enterprises")),
    ("审核", "/review", ("GET", "/api/v1/review/duplicates")),
    ("任务", "/jobs", ("GET", "/api/v1/jobs")),
    ("订阅", "/subscriptions", ("GET", "/api/v1/subscriptions")),
]


LABELS = {
    "jobs": {
        "retrain": "重新训练",
        "refresh": "刷新推荐",
        "dedupe-audit": "查找重复",
        "stale-profiles": "过期档案",
        "deliver": "推送事件",
    },
    "status": {"running": "运行中", "succeeded": "成功", "failed": "失败"},
}


def number(value: Any, digits: int = 0) -> str:
    """Thousands separators; an empty value as a dash."""
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{digits}f}" if digits else f"{round(float(value)):,}"


def percent(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


def query(request: Request, **changes: Any) -> str:
    """The current URL's query with some parameters changed (None removes one)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        params.extend((key, str(v)) for v in values)
    return "?" + urlencode(params) if params else request.url.path


def json_script(element_id: str, data: Any) -> Markup:
    """Data for the page's own script, as an inert JSON block (allowed by the CSP)."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return Markup(f'<script type="application/json" id="{element_id}">{text}</script>')


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=number,
        percent=percent,
        scheme_label=lambda v: Scheme(v).label,
        first_part=lambda v: str(v).split(".")[0],
        reason=reason_text,
    )
    env.globals.update(
        json_script=json_script,
        field_label=field_label,
        source_note=charts.source_note,
        labels=LABELS,
    )
    return env


ENV = _environment()


def context(request: Request, **values: Any) -> dict[str, Any]:
    current = load(request)
    principal = current.principal

    def may(method: str, path: str) -> bool:
        return policy.may(request, principal, method, path)

    nav = [(label, href) for label, href, (m, p) in NAV if may(m, p)]
    return {
        "request": request,
        "principal": principal,
        "session": current,
        "csrf": current.csrf,
        "may": may,
        "nav": nav,
        "query": lambda **changes: query(request, **changes),
        "public_read": request.app.state.settings.public_read,
        **values,
    }


def page(
    request: Request, template: str, *, block: str | None = None, status: int = 200, **values: Any
) -> HTMLResponse:
    """The whole page, or only ``block`` when htmx asks (``HX-Request``)."""
    compiled = ENV.get_template(template)
    ctx = context(request, **values)
    if block and request.headers.get("hx-request") and block in compiled.blocks:
        html = "".join(compiled.blocks[block](compiled.new_context(ctx)))
    else:
        html = compiled.render(ctx)
    return finish(request, HTMLResponse(html, status_code=status))


def finish(request: Request, response: Response) -> Response:
    response.headers["content-security-policy"] = CSP
    remember(response, load(request))
    return response


Renderer = Callable[..., HTMLResponse]

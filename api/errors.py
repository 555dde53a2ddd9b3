"""Every error answers ``application/problem+json`` (RFC 9457), mapped here and only here."""

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from api.security.ratelimit import RateLimited
from matching.engine import HelperCity, UnknownCity
from profiles.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    Forbidden,
    InvalidReference,
    NotFound,
    UnreadableFile,
)

log = logging.getLogger("counterpart.api")
PROBLEM = "application/problem+json"
TYPES = "https://counterpart.example/problems/"


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def _documented(status: int, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM: {"schema": Problem.model_json_schema()}},
    }


COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented(400, "Malformed request"),
    401: _documented(401, "No valid API key"),
    403: _documented(403, "The key's role may not do this, or it is outside its scope"),
    404: _documented(404, "Not found (or not yours)"),
    405: _documented(405, "Method not allowed"),
    409: _documented(
        409, "Conflicts with a stored record, or a request with this Idempotency-Key is in flight"
    ),
    413: _documented(413, "Body too large"),
    431: _documented(431, "Request headers too large"),
    422: _documented(422, "Invalid request; `errors` names each field"),
    429: _documented(429, "Too many requests; see Retry-After"),
    503: _documented(503, "The store is unavailable or could not answer in time; see Retry-After"),
}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The one problem+json answer: exception handlers return it, ASGI middleware awaits it."""
    body = {"type": TYPES + slug, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {
            "field": _field_path(tuple(e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid request", detail, slug="validation", errors=errors)


def _not_found(_: Request, error: NotFound) -> JSONResponse:
    return problem(
        404, "Not found", str(error), slug="not-found", kind=error.kind, key=str(error.key)
    )


def _conflict(_: Request, error: Conflict) -> JSONResponse:
    return problem(
        409,
        "Conflict",
        str(error),
        slug="conflict",
        kind=error.kind,
        conflicting={"id": error.existing, **error.fields},
    )


def _invalid_reference(_: Request, error: InvalidReference) -> JSONResponse:
    errors = [{"field": error.field, "message": error.reason, "type": "invalid_reference"}]
    return problem(
        422,
        "Invalid reference",
        str(error),
        slug="invalid-reference",
        errors=errors,
        candidates=error.candidates,
    )


def _unknown_city(_: Request, error: UnknownCity) -> JSONResponse:
    detail = (
        f"{error.adcode} is not a {error.role} the engine ranks (prefecture-level cities, and"
        " the county-level units a pairing names)"
    )
    return problem(404, "Not found", detail, slug="not-found", kind="city", key=error.adcode)


def _helper_city(_: Request, error: HelperCity) -> JSONResponse:
    errors = [{"field": "city", "message": str(error), "type": "helper_city"}]
    return problem(
        422,
        "Helper city",
        str(error),
        slug="helper-city",
        errors=errors,
        see="/api/v1/recommendations/base-cities?city=" + error.adcode,
    )


def _unauthenticated(_: Request, error: AuthenticationFailed) -> JSONResponse:
    return problem(
        401, "Unauthorized", str(error), slug="unauthorized", headers={"WWW-Authenticate": "Bearer"}
    )


def rate_limited(_: Request | None, error: RateLimited) -> JSONResponse:
    return problem(
        429,
        "Too many requests",
        str(error),
        slug="429",
        headers={"retry-after": str(error.wait)},
    )


def _forbidden(_: Request, error: Forbidden) -> JSONResponse:
    return problem(403, "Forbidden", str(error), slug="forbidden")


def _unreadable(_: Request, error: UnreadableFile) -> JSONResponse:
    return problem(422, "Unreadable file", str(error), slug="unreadable-file")


def _domain(_: Request, error: DomainError) -> JSONResponse:
    return problem(422, "Unprocessable", str(error), slug="unprocessable")


def method_table(routes: list[tuple[str, Any]]) -> list[tuple[re.Pattern[str], set[str]]]:
    """(path regex, methods) for every (full path, route) of the API."""
    return [(compile_path(path)[0], set(route.methods)) for path, route in routes]


def allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (Starlette names only the first)."""
    table = getattr(request.app.state, "method_table", [])
    path = request.url.path
    methods = {m for pattern, served in table if pattern.match(path) for m in served}
    return ", ".join(sorted(methods))


def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
    titles = {
        404: "Not found",
        405: "Method not allowed",
        413: "Payload too large",
        429: "Too many requests",
    }
    detail = str(error.detail)
    if error.status_code == 404 and detail == "Not Found":
        detail = f"nothing is served at {request.url.path}"
    elif error.status_code == 405:
        detail = f"{request.method} is not served at {request.url.path}"
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return problem(
        error.status_code,
        titles.get(error.status_code, "Error"),
        detail,
        slug=str(error.status_code),
        headers=headers,
    )


def _integrity(_: Request, error: IntegrityError) -> JSONResponse:
    log.warning("integrity error: %s", error.orig)
    return problem(409, "Conflict", "the change conflicts with a stored record", slug="conflict")


def _unexpected(_: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    return problem(500, "Internal error", "an unexpected error occurred", slug="internal")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(NotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(Conflict, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidReference, _invalid_reference)  # type: ignore[arg-type]
    app.add_exception_handler(UnreadableFile, _unreadable)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(AuthenticationFailed, _unauthenticated)  # type: ignore[arg-type]
    app.add_exception_handler(Forbidden, _forbidden)  # type: ignore[arg-type]
    app.add_exception_handler(RateLimited, rate_limited)  # type: ignore[arg-type]
    app.add_exception_handler(UnknownCity, _unknown_city)  # type: ignore[arg-type]
    app.add_exception_handler(HelperCity, _helper_city)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)

"""The console's route class: CSRF on every unsafe request, Chinese error pages, CSP, cookie."""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from console import messages, render
from console.policy import SignInNeeded
from console.session import CSRF_FIELD, CSRF_HEADER, csrf_ok

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def _sent_token(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def error_page(request: Request, error: BaseException) -> Response:
    problem = messages.describe(error)
    return render.page(request, "error.html", block="main", status=problem.status, problem=problem)


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            if request.method in UNSAFE and not csrf_ok(request, await _sent_token(request)):
                problem = messages.Problem(
                    403, "表单已过期或来源不明（缺少 CSRF 令牌），请刷新页面后重试。"
                )
                response = render.page(
                    request, "error.html", block="main", status=403, problem=problem
                )
                return response
            try:
                response = await handler(request)
            except SignInNeeded:
                target = quote(
                    str(request.url.path) + ("?" + request.url.query if request.url.query else "")
                )
                response = RedirectResponse(f"/signin?next={target}", status_code=303)
            except Exception as error:  # every failure becomes a Chinese page
                response = error_page(request, error)
            return render.finish(request, response)

        return guarded

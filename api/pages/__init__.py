"""The web pages people use, server-rendered (Jinja2 templates, htmx where interaction helps, no build step).

Under ``/pages``: the public verify page (``/pages/verify/{tx_hash}``: what a transaction was, its flow graph
drawn by Graphviz, every step with its proof and the JSON-RPC calls to check it), and a page per role:
donor, charity, bank, third party, regulator, government (department and local government). Each page calls
the same domain code as the API's routes (the routes' own functions, the read model :mod:`api.indexer`,
:mod:`api.verify`, :mod:`api.audit`), never a second path to the chain. Sign-in is the API's password sign-in, its session token kept in a cookie. Labels
are in Chinese and English (:mod:`api.pages.labels`), chosen with ``?lang=zh|en``. See ``docs/pages.md``.

:func:`install_pages` is the app factory's one line: the pages' routes, their static files (vendored htmx,
the style sheet) and the answers to a page that needs a sign-in or is denied.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.pages.context import PREFIX, PageDenied, PageRedirect, page_context
from api.pages.rendering import STATIC, render
from api.pages.views import ROUTERS

__all__ = ["PREFIX", "install_pages"]


def install_pages(app: FastAPI) -> None:
    """Mount the pages on ``app`` (``/pages``, ``/pages/static``; ``/`` leads to ``/pages``)."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="pages_static")

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse(PREFIX, status_code=307)

    async def redirect(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRedirect)
        return RedirectResponse(exc.url, status_code=303)

    async def denied(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageDenied)
        ctx = page_context(request, request.app.state.platform)
        return render(ctx, "error.html", message=ctx.t(exc.key, **exc.params), status=exc.status)

    app.add_exception_handler(PageRedirect, redirect)
    app.add_exception_handler(PageDenied, denied)

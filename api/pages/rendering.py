"""Rendering pages: one Jinja2 environment (autoescaped, strict about undefined names) and the helpers every
template gets (``t``/``tv`` for labels, formatting of amounts, times, hashes)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.indexer.amounts import Amount
from api.pages.context import PREFIX, PageContext
from api.pages.i18n import LANGUAGE_COOKIE, LANGUAGES, Translator

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"

environment: Final = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

_MONEY_UNITS: Final = frozenset({"dCNY"})


def short(value: str | None, keep: int = 6) -> str:
    """``0x1234ab…9f0e``: a hash or an address shortened for reading (the full value stays in ``title``)."""
    if not value:
        return ""
    return value if len(value) <= 2 + 2 * keep else f"{value[: 2 + keep]}…{value[-4:]}"


def when(timestamp: int | None) -> str:
    """A block time (unix seconds) as ``YYYY-MM-DD HH:MM UTC``."""
    if timestamp is None:
        return ""
    moment = datetime.datetime.fromtimestamp(int(timestamp), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def rounded(value: str, places: int) -> str:
    """A decimal string cut to ``places`` decimals, marked ``≈`` when that dropped digits."""
    whole, _, fraction = value.partition(".")
    if len(fraction) <= places:
        return value
    kept = fraction[:places].rstrip("0")
    return f"≈{whole}.{kept}" if kept else f"≈{whole}"


def amount_text(t: Translator, amount: Amount | dict[str, Any] | None, places: int | None = None) -> str:
    """``500 dCNY``, ``400 积分``/``400 points``, ``200 件``/``200 units``; with ``places``, the value cut to
    that many decimals (``≈130.43 dCNY``) for reading, the exact value staying in the API's answers."""
    if amount is None:
        return ""
    value = amount.value if isinstance(amount, Amount) else str(amount["value"])
    unit = amount.unit if isinstance(amount, Amount) else str(amount["unit"])
    if places is not None:
        value = rounded(value, places)
    label = unit if unit in _MONEY_UNITS else t.value("unit", unit) if t.has(f"unit.{unit}") else unit
    return f"{value} {label}"


def lang_url(ctx: PageContext, language: str) -> str:
    """This page in ``language`` (a page answering a form post: the home page)."""
    request = ctx.request
    if request.method != "GET":
        return f"{PREFIX}?lang={language}"
    params = {key: value for key, value in request.query_params.items() if key != "lang"}
    params["lang"] = language
    return f"{request.url.path}?{urlencode(params)}"


def render(ctx: PageContext, template: str, *, status: int = 200, **data: Any) -> HTMLResponse:
    """``template`` rendered for ``ctx``'s viewer and language."""
    t = ctx.t
    viewer = ctx.viewer
    page = environment.get_template(template).render(
        t=t,
        tv=t.value,
        lang=ctx.language,
        languages=LANGUAGES,
        viewer=viewer,
        roles=sorted(viewer.roles.roles) if viewer is not None else [],
        csrf=ctx.csrf,
        prefix=PREFIX,
        path=ctx.request.url.path,
        query=str(ctx.request.url.query),
        short=short,
        when=when,
        amount=lambda value, places=None: amount_text(t, value, places),
        lang_url=lambda language: lang_url(ctx, language),
        **data,
    )
    response = HTMLResponse(page, status_code=status)
    if ctx.language_chosen:
        response.set_cookie(LANGUAGE_COOKIE, ctx.language, max_age=365 * 86_400, samesite="lax")
    return response

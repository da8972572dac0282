"""The app factory: ``create_app()`` builds the FastAPI service over one :class:`Platform`.

``uvicorn --factory api.main:create_app`` (or ``python -m api serve``) opens the platform from the
settings at start-up (the configured chain and its recorded ledger) and, as the settings say, runs the
indexer's and the order matcher's ``run_forever()`` loops in background threads, stopping them at shutdown.
Tests pass a ready ``platform`` (an in-process chain) and no loops run unless they ask.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.core.errors import ErrorBody, install_error_handlers
from api.core.platform import BackgroundLoop, Platform
from api.pages import install_pages
from api.routes import ROUTERS
from chain_client.config import Settings, load_settings

log = structlog.get_logger(__name__)

DESCRIPTION = """\
The HTTP API of the welfare-aid ledger: a permissioned chain run by banks on which charities raise money
and goods for relief plans and pay suppliers and hospitals only through escrowed payment orders.

* **Reading and verifying need no sign-in.** Everything else needs a session token
  (`Authorization: Bearer …`) from `POST /auth/password` (an organisation's keystore held by the platform)
  or `POST /auth/eip4361` (Sign-In with Ethereum: you sign a challenge with your own key).
* **Roles come from the chain** at request time (the Consortium's grants, the InstitutionRegistry's
  active institutions), never from a table of this service.
* **Amounts** are decimal strings in token units with the token's decimals stated; ids that may exceed
  2^53 are strings.
* **Errors** answer `{"error", "reason", "detail"}`; a contract refusal names the contract's custom error
  and quotes its NatSpec notice.
"""

TAGS = [
    {"name": "auth", "description": "Sign in with a password or with an EIP-4361 signature; who am I."},
    {
        "name": "institutions",
        "description": "Onboarding: application with certificates, OCR, attestation, audit.",
    },
    {
        "name": "plans",
        "description": "Relief plans: launch, audit, government decision, close, wind up, refunds.",
    },
    {"name": "donations", "description": "Money, points and rights, goods pledges."},
    {"name": "deposit-tokens", "description": "The bank-issued deposit token: mint, redeem, balances."},
    {"name": "orders", "description": "Payment orders: issue, sealed copies, signatures, matching."},
    {"name": "lots", "description": "Goods lots and their custody checkpoints."},
    {"name": "regulator", "description": "Suspend, reinstate, freeze, decide disputes."},
    {"name": "transactions", "description": "Relay a transaction signed in your own wallet; receipts."},
    {"name": "verify", "description": "Verify by transaction hash (no sign-in)."},
    {"name": "ledger", "description": "The deployment and the chain this service is bound to."},
    {"name": "accounts", "description": "Roles read from the chain; the Consortium allow-list."},
]


def create_app(
    settings: Settings | None = None,
    *,
    platform: Platform | None = None,
    background: bool | None = None,
    platform_factory: Callable[[Settings], Platform] | None = None,
) -> FastAPI:
    """The FastAPI app. With ``platform``, it serves that one (tests); otherwise it opens one from
    ``settings`` at start-up. ``background`` (default: only when the app opens its own platform) starts
    the platform's background loops (indexer, matcher) for the app's lifetime."""
    settings = settings or (platform.settings if platform is not None else load_settings())
    run_loops = background if background is not None else platform is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A platform given to the factory, or set on the app before start-up, is served as it is.
        given = platform or getattr(app.state, "platform", None)
        owned = given is None
        current = given or (platform_factory or Platform.open)(settings)
        app.state.platform = current
        stop = threading.Event()
        threads = [_start(loop, stop) for loop in current.background] if run_loops else []
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            if owned:
                current.close()

    app = FastAPI(
        title="Welfare-aid ledger API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    if platform is not None:
        app.state.platform = platform
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_pages(app)
    _document_errors(app)
    return app


def _start(loop: BackgroundLoop, stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=loop.run_forever, args=(stop,), name=type(loop).__name__, daemon=True)
    thread.start()
    log.info("background loop started", loop=type(loop).__name__)
    return thread


def _document_errors(app: FastAPI) -> None:
    """Make the OpenAPI document say what errors really answer: one :class:`ErrorBody` for every 4xx,
    the request-validation 422 included (FastAPI's own ``HTTPValidationError`` shape is not used)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components["ErrorBody"] = error_schema
        components["HTTPValidationError"] = error_schema
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

"""The API's errors: one :class:`ApiError` base, and the one place every error becomes an HTTP answer.

Domain code raises its own errors (``ContractReverted`` from chain_client, ``OrderError``, ``AuditError``,
``IntakeError``, ``DocumentStoreError``, ``OracleError``); :func:`install_error_handlers` maps each family to
a 4xx once, so routes never translate errors themselves. Every error answer has the same body,
:class:`ErrorBody`: ``error`` (a stable name: the API error's class, or the contract's custom error),
``reason`` (a sentence for people) and optional ``detail`` (the contract error's arguments and NatSpec
notice, or the invalid fields).
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any, Final

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.audit.institution_audit import AttestationNotUsable, AuditError
from api.core.natspec import error_inputs, error_notice
from api.documents.store import DocumentNotFound, DocumentStoreError
from api.indexer import IndexerError, InvalidQuery
from api.intake.errors import IntakeError, OcrEngineUnavailable
from api.orders.errors import DeliveryNotFound, EnvelopeUnreadable, OrderError, OrderRejected
from api.verify import InvalidTransactionHash, TransactionNotIndexed, VerifyError
from chain_client import contracts as contract_types
from chain_client.errors import (
    BackendUnavailable,
    ContractReverted,
    TransactionRejected,
    TransactionTimeout,
)
from oracle.errors import OracleError, RegistryUnavailable

log = structlog.get_logger(__name__)


class ErrorBody(BaseModel):
    """What every 4xx (and the rare 5xx) answers."""

    error: str = Field(description="stable name: the API error, or the contract's custom error")
    reason: str = Field(description="what went wrong, for people")
    detail: Any = Field(None, description="structured detail: contract error arguments, invalid fields")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "error": "PoolNotOpen",
                    "reason": "PoolNotOpen(7, 1): Plan `poolId` is not open for donations.",
                    "detail": {"contract_error": "PoolNotOpen", "args": ["7", "1"]},
                }
            ]
        }
    }


class ApiError(Exception):
    """Base of the API's own errors: ``status_code`` and a reason; subclasses name the case."""

    status_code = 400

    def __init__(self, reason: str, *, detail: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    @property
    def name(self) -> str:
        return type(self).__name__


class NotSignedIn(ApiError):
    """The route needs a session token (``Authorization: Bearer …``) and there is none, or it is invalid."""

    status_code = 401


class SignInFailed(ApiError):
    """The password, the keystore name, the EIP-4361 message or its signature did not hold."""

    status_code = 401


class RoleRequired(ApiError):
    """The signed-in account does not hold the role the route needs (read from the chain)."""

    status_code = 403


class NotYourResource(ApiError):
    """The resource belongs to another account (another charity's order, another holder's lot)."""

    status_code = 403


class KeyNotHeld(ApiError):
    """The session signed in with its own wallet: the platform holds no key to sign for it."""

    status_code = 403


class NotFound(ApiError):
    status_code = 404


class InvalidInput(ApiError):
    """A value is well-formed JSON but not acceptable (an amount with too many decimals, a bad signature)."""

    status_code = 422


class Conflict(ApiError):
    """The request does not fit the current state (already applied, nothing to audit)."""

    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class ReadModelUnavailable(ApiError):
    """The read model (indexer) is not configured in this process."""

    status_code = 503


_FORBIDDEN = re.compile(
    r"(Unauthorized|NotCharity|NotCharityOrBank|NotEscrow|NotWarehouse|NotTransferRecipient|NotPayee|"
    r"NotIssuerOrCharity|NotABank|NotIssuer|NotSponsor|SignerNotOracle|SignerNotParty|SelfAudit|NotHeld|"
    r"AccountNotAllowed|IssuerNotEligible|LauncherKindNotAllowed|LauncherNotActive)$"
)
_NOT_FOUND = re.compile(r"Unknown$")


def contract_error_status(error_name: str) -> int:
    """403 for who-may-act errors, 404 for unknown ids, 409 for everything else the state refused."""
    if _FORBIDDEN.search(error_name):
        return 403
    if _NOT_FOUND.search(error_name):
        return 404
    return 409


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)  # uint256 values do not fit a JSON number
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return str(value)


def _answer(status: int, error: str, reason: str, detail: Any = None) -> JSONResponse:
    body = ErrorBody(error=error, reason=reason, detail=detail)
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


def _contract_reverted(exc: ContractReverted) -> JSONResponse:
    notice = error_notice(exc.error_name)
    reason = contract_error_reason(exc.error_name, exc.args, notice)
    detail = {"contract_error": exc.error_name, "args": _jsonable(list(exc.args)), "notice": notice}
    return _answer(contract_error_status(exc.error_name), exc.error_name, reason, detail)


_NATSPEC_REFERENCE: Final = re.compile(r"\{(\w+)\}")
"""``{MAX_PLAN_DURATION}``: NatSpec's reference to a declaration, shown without braces."""


def contract_error_reason(error_name: str, args: tuple[Any, ...], notice: str | None) -> str:
    """A custom error for people: its call with enum arguments by name (``PoolNotOpen(9, wound_up)``), then
    its NatSpec notice with each `` `parameter` `` replaced by its value and ``{CONSTANT}`` references
    unbraced (``"Plan 9 is wound_up: it takes no donations."``)."""
    inputs = error_inputs(error_name)
    shown = [_shown(arg, inputs[index][1] if index < len(inputs) else "") for index, arg in enumerate(args)]
    call = f"{error_name}({', '.join(shown)})"
    if not notice:
        return call
    text = notice
    for (name, _), value in zip(inputs, shown, strict=False):
        text = text.replace(f"`{name}`", value)
    return call + ": " + _NATSPEC_REFERENCE.sub(r"\1", text)


def _shown(value: Any, internal_type: str) -> str:
    if internal_type.startswith("enum ") and isinstance(value, int):
        enum = getattr(contract_types, internal_type.removeprefix("enum ").split(".")[-1], None)
        if isinstance(enum, type) and issubclass(enum, IntEnum) and value in enum._value2member_map_:
            return enum(value).name.lower()
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _status_of_domain_error(exc: Exception) -> int:
    if isinstance(exc, DeliveryNotFound | DocumentNotFound | TransactionNotIndexed):
        return 404
    if isinstance(exc, EnvelopeUnreadable | InvalidTransactionHash | InvalidQuery):
        return 422
    if isinstance(exc, OrderRejected | OrderError | AttestationNotUsable | AuditError):
        return 409
    if isinstance(exc, OcrEngineUnavailable | RegistryUnavailable):
        return 503
    if isinstance(exc, IntakeError):
        return 422
    if isinstance(exc, OracleError):
        return 409
    if isinstance(exc, IndexerError):
        return 503  # the read model cannot answer now (a reorganisation under way, another chain's model)
    return 400


def install_error_handlers(app: FastAPI) -> None:
    """Map every error family to its answer, once for the whole app."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _answer(exc.status_code, exc.name, exc.reason, exc.detail)

    async def contract_reverted(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ContractReverted)
        return _contract_reverted(exc)

    async def domain_error(_: Request, exc: Exception) -> JSONResponse:
        reasons = getattr(exc, "reasons", None)
        return _answer(_status_of_domain_error(exc), type(exc).__name__, str(exc), reasons)

    async def node_refused(_: Request, exc: Exception) -> JSONResponse:
        # The node refused the transaction before mining it (an account not allow-listed, a bad nonce
        # or signature): nothing was queued.
        return _answer(403, "TransactionRejected", str(exc))

    async def node_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("chain node unavailable", error=str(exc))
        return _answer(503, type(exc).__name__, f"the chain node is unavailable: {exc}")

    async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        unparsed = [error for error in exc.errors() if error.get("type") == "json_invalid"]
        if unparsed:
            # FastAPI reports a body that is not JSON as a validation error whose loc ends in the character
            # offset where parsing stopped: answer it as the documented 400, naming that offset.
            where = unparsed[0].get("loc", ())
            offset = f" (parsing stopped at character {where[-1]})" if len(where) > 1 else ""
            reason = f"the body cannot be parsed: it is not valid JSON{offset}"
            return _answer(400, "HTTPError", reason, unparsed[0].get("ctx", {}).get("error"))
        errors = [
            {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
            for error in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(error['loc'])}: {error['msg']}" for error in errors)
        return _answer(422, "RequestInvalid", summary or "the request is invalid", errors)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return _answer(exc.status_code, "HTTPError", str(exc.detail))

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(ContractReverted, contract_reverted)
    for family in (
        OrderError,
        AuditError,
        IntakeError,
        DocumentStoreError,
        OracleError,
        IndexerError,
        VerifyError,
    ):
        app.add_exception_handler(family, domain_error)
    app.add_exception_handler(TransactionRejected, node_refused)
    app.add_exception_handler(BackendUnavailable, node_unavailable)
    app.add_exception_handler(TransactionTimeout, node_unavailable)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "the request cannot be parsed (a body that is not JSON, a malformed upload)"),
        (401, "not signed in, or the session has expired"),
        (403, "the account may not do this (role read from the chain, or not its resource)"),
        (404, "no such resource"),
        (409, "the ledger's state refuses it (the contract's custom error is named)"),
        (413, "an upload is larger than the service accepts"),
        (422, "the request is invalid"),
        (503, "the chain node, the registry or the read model is unavailable"),
    )
}
"""The error answers every route documents (added to each router)."""

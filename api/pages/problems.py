"""What a page says when an action is refused: the same error names and reasons the API answers.

The pages call the routes' own functions (:mod:`api.routes`), which raise the API's errors, the contracts'
custom errors (``ContractReverted``) and the domain errors; a page shows the refusal next to the form
(stable name, the reason, and a contract error's NatSpec notice) instead of the API's JSON body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pydantic import ValidationError

from api.audit.institution_audit import AuditError
from api.core.errors import ApiError, contract_error_status
from api.core.natspec import error_notice
from api.documents.store import DocumentStoreError
from api.indexer import IndexerError
from api.intake.errors import IntakeError
from api.orders.errors import OrderError
from api.verify import VerifyError
from chain_client.errors import BackendUnavailable, ContractReverted, TransactionRejected, TransactionTimeout
from oracle.errors import OracleError

ACTION_ERRORS: Final = (
    ApiError,
    ContractReverted,
    OrderError,
    AuditError,
    IntakeError,
    DocumentStoreError,
    OracleError,
    IndexerError,
    VerifyError,
    TransactionRejected,
    BackendUnavailable,
    TransactionTimeout,
    ValidationError,
    ValueError,
)
"""Every error an action can end in that is the user's to read (anything else is a bug: a 500)."""


@dataclass(frozen=True)
class Problem:
    status: int
    name: str
    reason: str


def problem_of(exc: BaseException) -> Problem:
    """The refusal ``exc`` as the API would name it."""
    if isinstance(exc, ApiError):
        return Problem(exc.status_code, exc.name, exc.reason)
    if isinstance(exc, ContractReverted):
        notice = error_notice(exc.error_name)
        return Problem(
            contract_error_status(exc.error_name),
            exc.error_name,
            str(exc) + (f": {notice}" if notice else ""),
        )
    if isinstance(exc, ValidationError):
        reason = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        return Problem(422, "RequestInvalid", reason)
    if isinstance(exc, TransactionRejected):
        return Problem(403, "TransactionRejected", str(exc))
    if isinstance(exc, BackendUnavailable | TransactionTimeout):
        return Problem(503, type(exc).__name__, f"the chain node is unavailable: {exc}")
    reasons = getattr(exc, "reasons", None)
    text = str(exc) if not reasons else f"{exc}: {'; '.join(str(reason) for reason in reasons)}"
    return Problem(409 if not isinstance(exc, ValueError) else 422, type(exc).__name__, text)

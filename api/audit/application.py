"""An institution's application: documents stored encrypted, key information read, digests on-chain.

The platform keeps the certificate images off-chain (sealed in the :class:`DocumentStore`, addressed
by digest), reads the *first key information* from them by OCR, and submits on the applicant's
behalf the certificate digests and a salted hash of that information: enough for anyone holding the
documents and the salt to prove what was submitted, nothing that discloses it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.audit.institution_audit import comparable
from api.documents.store import DocumentStore
from api.intake.errors import IntakeError
from api.intake.key_info import DocumentKind, FieldName, KeyInformation
from api.intake.ocr import extract_key_information
from chain_client.client import TxResult
from chain_client.contracts.institution_registry import InstitutionKind, InstitutionRegistry, encryption_key

log = structlog.get_logger(__name__)

SALT_BYTES = 32

_CODE_DOCUMENTS = (DocumentKind.REGISTRATION, DocumentKind.LEGAL_PERSON)
"""The certificates that print the unified social credit code."""


class CreditCodeUnreadable(IntakeError):
    """No certificate yielded a credit code that passes its checks: the application is not filed.

    ``resend`` names the uploaded documents that should have shown the code (by name), or, when none
    of the uploads was recognised as such a certificate, the kinds of certificate to send.
    """

    def __init__(self, resend: tuple[str, ...]) -> None:
        super().__init__(
            "the unified social credit code (统一社会信用代码) could not be read; please send a sharper, "
            f"complete image of: {', '.join(resend)}"
        )
        self.resend = resend


def documents_to_resend(key_info: KeyInformation) -> tuple[str, ...]:
    """Which uploads to send again so that the credit code can be read."""
    printed = tuple(name for name, kind in key_info.documents.items() if kind in _CODE_DOCUMENTS)
    if printed:
        return printed
    return ("registration certificate (登记证书 / 营业执照)",)


def key_info_hash(key_info: KeyInformation, salt: bytes) -> bytes:
    """keccak256(salt ‖ canonical JSON of the normalised fields): the salted hash that goes on-chain."""
    fields = {
        field.value: comparable(field, value) if (value := key_info.value(field)) is not None else None
        for field in FieldName
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return keccak(salt + text.encode("utf-8"))


@dataclass(frozen=True)
class SubmittedApplication:
    account: str
    kind: InstitutionKind
    key_info: KeyInformation
    certificate_digests: tuple[bytes, ...]
    salt: bytes
    key_info_hash: bytes
    application_digest: bytes
    tx: TxResult


class ApplicationIntake:
    """Takes an institution's certificate images and files its application in the registry."""

    def __init__(self, registry: InstitutionRegistry, store: DocumentStore) -> None:
        self.registry = registry
        self.store = store

    def submit(
        self,
        applicant: LocalAccount,
        kind: InstitutionKind,
        documents: Sequence[bytes],
        *,
        key_info: KeyInformation | None = None,
        salt: bytes | None = None,
    ) -> SubmittedApplication:
        """Read ``documents`` (unless ``key_info`` was already read), store them and apply on-chain.

        Raises :class:`CreditCodeUnreadable` (and files nothing, stores nothing) when no credit code
        could be read: an application without one could never be attested or audited.
        """
        info = key_info if key_info is not None else extract_key_information(list(documents))
        if info.credit_code is None:
            resend = documents_to_resend(info)
            log.info("application_refused", account=applicant.address, resend=list(resend))
            raise CreditCodeUnreadable(resend)
        digests = tuple(self.store.put(document) for document in documents)
        salt = salt if salt is not None else os.urandom(SALT_BYTES)
        hashed = key_info_hash(info, salt)
        tx = self.registry.apply_for_registration(applicant, kind, digests, hashed, encryption_key(applicant))
        application_digest = bytes(tx.event("InstitutionApplied")["applicationDigest"])
        log.info("institution_applied", account=applicant.address, kind=kind.name, documents=len(digests))
        return SubmittedApplication(
            applicant.address, kind, info, digests, salt, hashed, application_digest, tx
        )

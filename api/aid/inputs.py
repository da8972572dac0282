"""A decision's canonical inputs: everything the rule needs, in one JSON document whose digest goes on-chain.

The inputs are what was known when the bank decided: the application as filed (its id, the salted identity
hash, the document digests, the plan), what the applicant stated on the form (name, ID number, amount asked),
the day of the decision, the second key information read from the documents, the registry's answers about
the hospital and the invoice, and the bank's investigation record. Given these and the rule, the scores and
the outcome follow without any OCR or lookup (:func:`api.aid.engine.assess`), so anyone holding the inputs
can recompute the decision.

The encoding is canonical: JSON with sorted keys, no insignificant whitespace, UTF-8 text (not ``\\u``
escapes), dates as ``YYYY-MM-DD``, amounts as integers in 分. The on-chain ``inputDigest`` is keccak256 of
exactly these bytes, so changing any byte changes the digest. The document holds personal data and stays
off-chain (sealed in the document store under its digest).
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Final, Literal

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api.aid.errors import InputsInvalid
from api.aid.key_info import SecondKeyInformation
from oracle.aid.investigation import InvestigationRecord
from oracle.aid.invoices import InvoiceRecord
from oracle.registry.records import RegistryRecord

INPUTS_SCHEMA: Final = "welfare-aid-ledger/aid-decision-inputs/v1"

_HEX32 = r"^0x[0-9a-f]{64}$"


class StatedApplication(BaseModel):
    """What the applicant stated on the application form (checked against the documents)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    id_number: str = Field(min_length=1, max_length=40)
    amount_asked_fen: int = Field(gt=0)


class HospitalEvidence(BaseModel):
    """What the registry and the ledger say about the hospital named on the documents."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """The name looked up (as read from the invoice), exactly."""
    record: RegistryRecord | None
    """The government-registry record of exactly that name, if any."""
    account: str | None
    """The ledger account registered under the record's credit code, if any."""
    kind: str | None
    """That account's institution kind on the ledger (``Hospital``, ...)."""
    active: bool
    """Whether that account is an active institution on the ledger."""


class DecisionInputs(BaseModel):
    """The canonical inputs of one aid decision."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_: Literal["welfare-aid-ledger/aid-decision-inputs/v1"] = Field(INPUTS_SCHEMA, alias="schema")
    application_id: int = Field(gt=0)
    identity_hash: str = Field(pattern=_HEX32)
    document_digests: tuple[str, ...]
    pool_id: int = Field(ge=0)
    stated: StatedApplication
    today: datetime.date
    """The day of the decision (China Standard Time), against which dates and validity are checked."""
    documents: SecondKeyInformation
    hospital: HospitalEvidence
    invoice_registry: InvoiceRecord | None
    """The invoice registry's record under the code and number read, or ``None`` when it has none."""
    investigation: InvestigationRecord | None
    """The bank's record of the applicant, or ``None`` when the bank does not know them."""

    def canonical_json(self) -> bytes:
        """The canonical encoding: the bytes whose keccak256 is the decision's ``inputDigest``."""
        return canonical(self.model_dump(mode="json", by_alias=True))

    def digest(self) -> bytes:
        return keccak(self.canonical_json())

    @classmethod
    def from_canonical(cls, raw: bytes) -> DecisionInputs:
        """Parse canonical bytes; raises :class:`InputsInvalid` if they are not the canonical encoding of
        valid inputs (so that two different byte strings never stand for the same inputs)."""
        try:
            parsed = cls.model_validate(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputsInvalid(f"not UTF-8 JSON: {error}") from None
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "inputs"
            raise InputsInvalid(f"{where}: {first['msg']}") from None
        if parsed.canonical_json() != raw:
            raise InputsInvalid("not in canonical form (sorted keys, no whitespace, UTF-8)")
        return parsed


def canonical(value: Any) -> bytes:
    """``value`` as canonical JSON: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

"""The government registry's record of one institution, and the digest oracles sign over it.

The record is what the bank's onboarding audit compares the OCR'd *first key information* against
(name, credit code, legal representative, account bank and location), plus what decides eligibility
(non-profit, active). Oracles attest to a record by signing :meth:`RegistryRecord.digest`; the
contract stores the digest, so its encoding must never change for the same record: it is keccak256
over a canonical JSON text (sorted keys, no whitespace, UTF-8, schema tag included) rather than over
anything that depends on pydantic's or Python's serialisation defaults.
"""

from __future__ import annotations

import datetime
import json
from enum import StrEnum
from typing import Annotated, Any

from eth_utils import keccak
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from oracle.registry.credit_code import validate as validate_credit_code

RECORD_SCHEMA = "welfare-aid-ledger/registry-record/v1"
"""Tag inside every canonical encoding, so that a digest can never be replayed as another type's."""


class OrgType(StrEnum):
    """What kind of institution the registry says it is."""

    SOCIAL_ORGANIZATION = "social_organization"
    FOUNDATION = "foundation"
    GOVERNMENT_AGENCY = "government_agency"
    ENTERPRISE = "enterprise"
    HOSPITAL = "hospital"
    LOGISTICS = "logistics"
    LOCAL_GOVERNMENT = "local_government"


class RegistrationStatus(StrEnum):
    """The registration's standing: only an ``active`` institution may be onboarded."""

    ACTIVE = "active"
    DEREGISTERED = "deregistered"
    REVOKED = "revoked"


CreditCode = Annotated[str, AfterValidator(validate_credit_code)]
"""A string that is a valid unified social credit code (GB 32100-2015)."""

_Text = Annotated[str, Field(min_length=1, max_length=200)]


class RegistryRecord(BaseModel):
    """One institution as the government registry files it under its unified social credit code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    credit_code: CreditCode
    name: _Text
    org_type: OrgType
    non_profit: bool
    status: RegistrationStatus
    legal_representative: _Text
    registered_address: _Text
    account_bank: _Text
    account_location: _Text
    registered_on: datetime.date

    def canonical_fields(self) -> dict[str, Any]:
        """The record as plain JSON values, with the schema tag, in the form that is digested."""
        fields: dict[str, Any] = self.model_dump(mode="json")
        fields["schema"] = RECORD_SCHEMA
        return fields

    def canonical_json(self) -> bytes:
        """The canonical encoding: JSON with sorted keys, no insignificant whitespace, UTF-8 text."""
        return json.dumps(
            self.canonical_fields(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    def digest(self) -> bytes:
        """keccak256 of :meth:`canonical_json`: the 32 bytes an oracle signs and the chain stores."""
        return keccak(self.canonical_json())

    @property
    def eligible_for_onboarding(self) -> bool:
        """Whether the registry alone allows onboarding as a charity: active and non-profit."""
        return self.status is RegistrationStatus.ACTIVE and self.non_profit

"""Scene 2 [seed]: an approved applicant's hospital is paid through a matched payment order, and the aid
succeeds only when the applicant signs that the treatment was received.

The approved applicant picks, or a bank assigns, a registered hospital (the contract checks it is an active
Hospital). The charity's plan then pays it the way every third party is paid (flow 4): the bank issues the
first payment order to the charity and the hospital, sealed to each one's key, and the contract records that
the order belongs to the application. The hospital treats the patient and answers with its signed copy, the
charity with its own; on a match the escrow pays the hospital. Only then can the applicant sign off.

The order document (sealed, never on-chain; its digest is the order's ``purposeDigest``) tells the hospital
which application and which invoice the payment is for; it carries a random reference so that its digest
cannot be confirmed by guessing its contents.
"""

from __future__ import annotations

import secrets

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.aid.errors import ApplicationInvalid
from api.aid.inputs import canonical
from api.orders.issuance import IssuedOrder, OrderIssuer, OrderRequest
from chain_client.client import TxResult
from chain_client.contracts.aid_decisions import AidDecisions, AidStatus

ORDER_DOCUMENT_SCHEMA = "welfare-aid-ledger/aid-treatment-order/v1"


def treatment_order_document(
    application_id: int, invoice_code: str, invoice_number: str, amount_fen: int
) -> bytes:
    """The order document of a treatment payment (sealed to the charity and the hospital only)."""
    return canonical(
        {
            "schema": ORDER_DOCUMENT_SCHEMA,
            "application_id": application_id,
            "invoice": {"code": invoice_code, "number": invoice_number},
            "amount_fen": amount_fen,
            "reference": secrets.token_hex(16),
        }
    )


class TreatmentPayments:
    """Assign the hospital, pay it through a payment order linked to the application, take the sign-off."""

    def __init__(self, aid: AidDecisions, issuer: OrderIssuer) -> None:
        self.aid = aid
        self.issuer = issuer

    def assign_hospital(self, sender: LocalAccount, application_id: int, hospital: str) -> TxResult:
        """The applicant picks, or a bank assigns, the registered hospital of an approved application."""
        return self.aid.assign_hospital(sender, application_id, hospital)

    def pay_hospital(
        self, application_id: int, amount: int, document: bytes, *, pool_id: int | None = None
    ) -> IssuedOrder:
        """Issue the payment order of ``amount`` (token units) from the application's plan (or ``pool_id`` for
        an application to the platform) to its hospital, and link it to the application.

        Raises :class:`ApplicationInvalid` when the application is not approved with a hospital, or has no plan
        and none is given; ``ContractReverted`` for what the escrow or the aid contract refuses.
        """
        application = self.aid.application_of(application_id)
        problems = []
        if application.status is not AidStatus.APPROVED:
            problems.append(f"application {application_id} is {application.status.name}, not APPROVED")
        if application.hospital is None:
            problems.append(f"application {application_id} has no hospital assigned")
        plan = application.pool_id or pool_id
        if not plan:
            problems.append("the application names no plan: give the pool that pays")
        if problems or application.hospital is None or not plan:
            raise ApplicationInvalid(problems)
        issued = self.issuer.issue(OrderRequest(plan, application.hospital, amount, document))
        self.aid.link_order(self.issuer.bank, application_id, issued.order)
        return issued

    def confirm_treatment(self, applicant: LocalAccount, application_id: int, receipt: bytes) -> TxResult:
        """The applicant signs that the treatment was received; ``receipt`` (kept off-chain) is digested."""
        return self.aid.confirm_treatment(applicant, application_id, keccak(receipt))

"""The world the individual-aid tests share: the escrow world plus AidDecisions and an applicant.

Built on :mod:`tests.escrow_support` (registered charity, suppliers and a hospital; real registry, pools, tracker
and escrow) with :class:`AidDecisions` deployed over the escrow, and an applicant account with gas (a person: an
account and nothing else on-chain).

Its fixtures (registered for every test module in ``tests/conftest.py``): ``aid_world``, the module's world, and
``aw``, the same world on the test's chain snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.aid.reading import DocumentReader, ocr_reader
from chain_client import ChainClient
from chain_client.contracts import AidDecisions, AidRuleTerms, AidStrategy, deploy_aid_decisions
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, GAS_MONEY, named_account
from tests.escrow_support import EscrowWorld, build_escrow_world

APPLICANT = named_account("aid applicant")
SECOND_APPLICANT = named_account("aid second applicant")

EVERY_ITEM_TERMS = AidRuleTerms(
    strategy=AidStrategy.EVERY_ITEM,
    pass_threshold=0,
    item_codes=("ID_NUMBER", "INVOICE", "INCOME"),
    thresholds=(5_000, 5_000, 4_000),
    weights=(1, 1, 1),
)
WEIGHTED_TERMS = AidRuleTerms(
    strategy=AidStrategy.WEIGHTED_AVERAGE,
    pass_threshold=6_000,
    item_codes=("ID_NUMBER", "INVOICE", "INCOME"),
    thresholds=(5_000, 5_000, 4_000),
    weights=(2, 2, 1),
)
RULE_A = keccak(text="test rule A")
RULE_B = keccak(text="test rule B")


@dataclass(frozen=True)
class AidWorld:
    escrow_world: EscrowWorld
    aid: AidDecisions

    @property
    def client(self) -> ChainClient:
        return self.escrow_world.client


def build_aid_world(client: ChainClient, foundation: Foundation) -> AidWorld:
    ew = build_escrow_world(client, foundation)
    for person in (APPLICANT, SECOND_APPLICANT):
        if client.balance(person.address) < GAS_MONEY // 2:
            client.send_value(ACCOUNTS.admin, person.address, GAS_MONEY)
    aid = deploy_aid_decisions(client, ACCOUNTS.admin, ew.escrow)
    return AidWorld(ew, aid)


def documents(label: str, count: int = 3) -> list[bytes]:
    return [keccak(text=f"{label} document {index}") for index in range(count)]


def identity(label: str) -> bytes:
    return keccak(text=f"salted identity of {label}")


def register_test_rules(world: AidWorld, bank: LocalAccount | None = None) -> None:
    for digest, terms in ((RULE_A, EVERY_ITEM_TERMS), (RULE_B, WEIGHTED_TERMS)):
        world.aid.register_rule(bank or ACCOUNTS.bank, digest, terms)


@pytest.fixture(scope="session")
def aid_reader() -> DocumentReader:
    """The OCR reader of aid documents, one per session (its engine and its cache of readings are shared)."""
    return ocr_reader()


@pytest.fixture(scope="module")
def aid_world(session_client: ChainClient, session_foundation: Foundation) -> AidWorld:
    return build_aid_world(session_client, session_foundation)


@pytest.fixture
def aw(aid_world: AidWorld, chain: ChainClient) -> AidWorld:
    return aid_world

"""Shared fixtures: one world per backend and session, reverted to a snapshot after every test.

Contract and chain_client tests take the ``chain`` fixture and so run twice: on the embedded py-evm
chain and, marked ``anvil``, on a real anvil process started here. ``-m "not anvil"`` skips the
second run.

Time is the chain's, never the wall clock's: both chains start at :data:`GENESIS_TIME` with a frozen
clock (each block one second after its parent) that only ``backend.advance_time`` moves further, so a
test gives the same verdict on a busy machine as on an idle one.

Hypothesis runs under the ``deterministic`` profile by default (derandomized: the same examples on every
run and machine, a failure printed with its ``@reproduce_failure`` blob); ``--hypothesis-profile=explore``
draws fresh examples and keeps failures in the local example database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

os.environ.setdefault("ETH_HASH_BACKEND", "pysha3")

import pytest
import structlog
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_canonical_address
from hypothesis import settings

from chain_client import ChainClient, compile_contracts
from chain_client.anvil import AnvilProcess, start_anvil
from chain_client.backends import EmbeddedBackend, JsonRpcBackend
from chain_client.config import DEV_OPERATOR_KEY
from chain_client.contracts import BANK_ROLE, GOVERNMENT_ROLE, ORACLE_ROLE, REGULATOR_ROLE
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.node import EmbeddedNode, Genesis

# The worlds of the pools and escrow tests: fixtures ``pools_world``/``world`` and ``escrow_world``/``ew``.
pytest_plugins = ("tests.pools_support", "tests.escrow_support", "tests.aid_support")

CHAIN_ID = 1337
GAS_MONEY = 10**20
GENESIS_TIME = 2_000_000_000
"""The test chains' genesis time (2033-05-18): ahead of any wall clock the suite runs under, so that a
deadline taken from the wall clock instead of the chain fails at once instead of now and then."""

settings.register_profile("deterministic", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", print_blob=True, deadline=None)
settings.load_profile("deterministic")

structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def named_account(name: str) -> LocalAccount:
    """A deterministic test account: the same address in every run and on every backend."""
    account: LocalAccount = Account.from_key(keccak(text=f"welfare-aid-ledger test account {name}"))
    return account


@dataclass(frozen=True)
class Accounts:
    """The cast of the tests, each funded with gas money."""

    admin: LocalAccount
    bank: LocalAccount
    bank2: LocalAccount
    regulator: LocalAccount
    oracle1: LocalAccount
    oracle2: LocalAccount
    oracle3: LocalAccount
    government: LocalAccount
    charity: LocalAccount
    supplier: LocalAccount
    alice: LocalAccount
    bob: LocalAccount
    carol: LocalAccount
    outsider: LocalAccount


ACCOUNTS = Accounts(
    admin=Account.from_key(DEV_OPERATOR_KEY),
    **{name: named_account(name) for name in Accounts.__dataclass_fields__ if name != "admin"},
)


@pytest.fixture(scope="session", autouse=True)
def _compiled() -> None:
    compile_contracts()


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilProcess]:
    with start_anvil(chain_id=CHAIN_ID, timestamp=GENESIS_TIME) as process:
        yield process


def open_embedded_client(path: object = None) -> ChainClient:
    """A client over a fresh embedded chain whose genesis funds the admin, with a frozen clock."""
    node = EmbeddedNode(
        path,  # type: ignore[arg-type]
        Genesis(
            chain_id=CHAIN_ID,
            alloc={to_canonical_address(ACCOUNTS.admin.address): 10**27},
            timestamp=GENESIS_TIME,
        ),
        frozen_clock=True,
    )
    return ChainClient(EmbeddedBackend(node))


@pytest.fixture(
    scope="session",
    params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)],
)
def session_client(request: pytest.FixtureRequest) -> Iterator[ChainClient]:
    if request.param == "embedded":
        client = open_embedded_client()
    else:
        anvil: AnvilProcess = request.getfixturevalue("anvil")
        client = ChainClient(JsonRpcBackend(anvil.url))
    for account in vars(ACCOUNTS).values():
        if account is not ACCOUNTS.admin:
            client.send_value(ACCOUNTS.admin, account.address, GAS_MONEY)
    yield client
    client.close()


@pytest.fixture(scope="session")
def accounts() -> Accounts:
    return ACCOUNTS


@pytest.fixture(scope="session")
def session_foundation(session_client: ChainClient) -> Foundation:
    """Consortium and DepositToken, with a bank, a second bank, a regulator, oracles and a government,
    and the admin, banks, charity, supplier, alice and bob on the allow-list (carol and outsider not)."""
    a = ACCOUNTS
    foundation = deploy_foundation(session_client, a.admin)
    consortium = foundation.consortium
    for role, holder in [
        (BANK_ROLE, a.bank),
        (BANK_ROLE, a.bank2),
        (REGULATOR_ROLE, a.regulator),
        (ORACLE_ROLE, a.oracle1),
        (ORACLE_ROLE, a.oracle2),
        (ORACLE_ROLE, a.oracle3),
        (GOVERNMENT_ROLE, a.government),
    ]:
        consortium.grant_role(a.admin, role, holder.address)
    for member in (a.admin, a.bank, a.bank2, a.charity, a.supplier, a.alice, a.bob):
        consortium.allow_account(a.admin, member.address)
    return foundation


@pytest.fixture
def chain(session_client: ChainClient, session_foundation: Foundation) -> Iterator[ChainClient]:
    """The session's client, with the chain put back as it was after the test."""
    snapshot = session_client.backend.snapshot()
    yield session_client
    session_client.backend.revert(snapshot)


@pytest.fixture
def foundation(chain: ChainClient, session_foundation: Foundation) -> Foundation:
    return session_foundation

"""The world of the route tests: the whole ledger on an in-process embedded chain, served by the real app.

Built once per session: every contract deployed with ``deploy_ledger``, the consortium's roles granted,
institutions registered through the real InstitutionRegistry (oracle attestations, bank audits), and one
encrypted keystore per member of the cast so that each test signs in with a password as that member. Each
test gets a fresh :class:`~api.core.platform.Platform` (new sessions, in-memory delivery and application
tables) over the same chain, which is put back to its snapshot afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from fastapi.testclient import TestClient

from api.core.platform import Platform
from api.indexer import Indexer, ReadModel
from api.main import create_app
from chain_client import ChainClient
from chain_client.config import ApiSettings, ChainSettings, OracleSettings, Settings
from chain_client.contracts import (
    BANK_ROLE,
    GOVERNMENT_ROLE,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    AssetKind,
    AuditDecision,
    InKindItem,
    InstitutionKind,
    InstitutionRegistry,
    PlanTerms,
    UnspentTerms,
)
from chain_client.contracts.institution_registry import encryption_key
from chain_client.deploy import Ledger, deploy_ledger
from chain_client.keys import Keystore
from oracle.registry.adapters import FileRegistryAdapter
from oracle.registry.dataset import generate_registry, write_registry
from oracle.registry.records import RegistryRecord
from tests.conftest import ACCOUNTS, GAS_MONEY, named_account, open_embedded_client
from tests.registry_support import DAY, attestation_for, chain_time, signatures

PASSWORD = "route-test password"
TOKEN = 10**18
RICE = "rice 25 kg"
SESSION_SECRET = b"route tests: a fixed 32-byte key!"


@dataclass(frozen=True)
class Cast:
    """Who acts in the route tests; the keystore name of each is its field name with '-' for '_'."""

    admin: LocalAccount
    bank: LocalAccount
    bank2: LocalAccount
    regulator: LocalAccount
    government: LocalAccount
    charity: LocalAccount
    charity2: LocalAccount
    agency: LocalAccount
    supplier: LocalAccount
    hospital: LocalAccount
    local_government: LocalAccount
    warehouse: LocalAccount
    carrier: LocalAccount
    alice: LocalAccount
    bob: LocalAccount
    applicant: LocalAccount
    outsider: LocalAccount


CAST = Cast(
    admin=ACCOUNTS.admin,
    bank=ACCOUNTS.bank,
    bank2=ACCOUNTS.bank2,
    regulator=ACCOUNTS.regulator,
    government=ACCOUNTS.government,
    charity=ACCOUNTS.charity,
    charity2=named_account("routes charity2"),
    agency=named_account("routes agency"),
    supplier=ACCOUNTS.supplier,
    hospital=named_account("routes hospital"),
    local_government=named_account("routes local government"),
    warehouse=named_account("routes warehouse"),
    carrier=named_account("routes carrier"),
    alice=ACCOUNTS.alice,
    bob=ACCOUNTS.bob,
    applicant=named_account("routes applicant"),
    outsider=ACCOUNTS.outsider,
)


def keystore_name(field: str) -> str:
    return field.replace("_", "-")


@dataclass(frozen=True)
class RouteWorld:
    client: ChainClient
    ledger: Ledger
    settings: Settings
    records: list[RegistryRecord]
    points: int
    """A points asset issued by the supplier (a merchant)."""
    indexer: Indexer
    read_model: ReadModel

    def indexed(self) -> ReadModel:
        """The read model, caught up with the chain (the indexer's ``run_once()`` until it is)."""
        while True:
            report = self.indexer.run_once()
            if report.indexed_to is not None and report.indexed_to >= self.client.block_number():
                return self.read_model


def _register(registry: InstitutionRegistry, who: LocalAccount, kind: InstitutionKind, code: str) -> None:
    client = registry.client
    registry.apply_for_registration(
        who, kind, [keccak(text=f"{code} certificate")], keccak(text=f"{code} key info"), encryption_key(who)
    )
    attestation = attestation_for(client, code)
    recorded = registry.attest(
        ACCOUNTS.oracle1, attestation, signatures(registry, attestation, [ACCOUNTS.oracle1, ACCOUNTS.oracle2])
    )
    registry.audit(
        ACCOUNTS.bank,
        who.address,
        AuditDecision(
            application_digest=registry.application_digest_of(who.address),
            attestation_id=recorded.event("RegistryAttested")["attestationId"],
            passed=True,
            rule_version=1,
            expires_at=chain_time(client) + 365 * DAY,
        ),
    )


def _build_world(client: ChainClient, data_dir: Path) -> RouteWorld:
    admin = CAST.admin
    members = [*vars(CAST).values(), ACCOUNTS.oracle1, ACCOUNTS.oracle2, ACCOUNTS.oracle3]
    for member in members:
        if member is not admin:
            client.send_value(admin, member.address, GAS_MONEY)
    ledger = deploy_ledger(client, admin)
    consortium = ledger.foundation.consortium
    for role, holder in [
        (BANK_ROLE, CAST.bank),
        (BANK_ROLE, CAST.bank2),
        (REGULATOR_ROLE, CAST.regulator),
        (GOVERNMENT_ROLE, CAST.government),
        (ORACLE_ROLE, ACCOUNTS.oracle1),
        (ORACLE_ROLE, ACCOUNTS.oracle2),
        (ORACLE_ROLE, ACCOUNTS.oracle3),
    ]:
        consortium.grant_role(admin, role, holder.address)
    for member in members:
        if member is not CAST.outsider:
            consortium.allow_account(admin, member.address)
    registry = ledger.registry
    for who, kind, code in [
        (CAST.charity, InstitutionKind.CHARITY, "ROUTES-CHARITY-1"),
        (CAST.charity2, InstitutionKind.CHARITY, "ROUTES-CHARITY-2"),
        (CAST.agency, InstitutionKind.GOVERNMENT_AGENCY, "ROUTES-AGENCY-1"),
        (CAST.supplier, InstitutionKind.SUPPLIER, "ROUTES-SUPPLIER-1"),
        (CAST.hospital, InstitutionKind.HOSPITAL, "ROUTES-HOSPITAL-1"),
        (CAST.local_government, InstitutionKind.LOCAL_GOVERNMENT, "ROUTES-LOCALGOV-1"),
    ]:
        _register(registry, who, kind, code)
    points, _ = ledger.welfare.assets.define_asset(
        CAST.supplier, AssetKind.POINTS, keccak(text="points terms")
    )

    records = generate_registry(40)
    write_registry(records, data_dir / "registry.jsonl")
    keystore = Keystore(data_dir / "keys", scrypt_n=2**10)
    for field, account in vars(CAST).items():
        keystore.import_key(keystore_name(field), bytes(account.key), PASSWORD)
    settings = Settings(
        data_dir=data_dir,
        chain=ChainSettings(chain_id=client.chain_id, keystore_scrypt_n=2**10),
        oracle=OracleSettings(
            oracle_keys=[
                "0x" + bytes(account.key).hex()
                for account in (ACCOUNTS.oracle1, ACCOUNTS.oracle2, ACCOUNTS.oracle3)
            ]
        ),
        api=ApiSettings(public_url="http://testserver"),
    )
    indexer = Indexer.from_settings(client, settings.indexer, dict(ledger.addresses()))
    return RouteWorld(
        client, ledger, settings, records, points, indexer, ReadModel.open(settings.indexer.url)
    )


@pytest.fixture(scope="session")
def route_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RouteWorld]:
    client = open_embedded_client()
    try:
        yield _build_world(client, tmp_path_factory.mktemp("route-world"))
    finally:
        client.close()


@pytest.fixture
def world(route_world: RouteWorld) -> Iterator[RouteWorld]:
    """The session's world, with the chain put back as it was after the test."""
    snapshot = route_world.client.backend.snapshot()
    yield route_world
    route_world.client.backend.revert(snapshot)


@pytest.fixture
def platform(world: RouteWorld, tmp_path: Path) -> Platform:
    settings = world.settings
    platform = Platform.build(
        settings,
        world.client,
        world.ledger,
        in_memory=True,
        registry_source=FileRegistryAdapter(settings.oracle.registry_file),
        session_secret=SESSION_SECRET,
    )
    platform.read_model = world.read_model
    return platform


class Api:
    """The app under test, and sign-in as any member of the cast."""

    def __init__(self, http: TestClient, world: RouteWorld, platform: Platform) -> None:
        self.http = http
        self.world = world
        self.platform = platform
        self._tokens: dict[str, str] = {}

    def token(self, who: str) -> str:
        if who not in self._tokens:
            answer = self.http.post(
                "/auth/password", json={"organisation": keystore_name(who), "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            self._tokens[who] = answer.json()["token"]
        return self._tokens[who]

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of a password session of cast member ``who`` (e.g. ``"bank"``)."""
        return {"Authorization": f"Bearer {self.token(who)}"}


@pytest.fixture
def api(world: RouteWorld, platform: Platform) -> Iterator[Api]:
    with TestClient(create_app(platform=platform), raise_server_exceptions=True) as http:
        yield Api(http, world, platform)


class Unchanged:
    """Asserts on exit that no block was added: the chain is exactly as before (nothing sent)."""

    def __init__(self, client: ChainClient) -> None:
        self.client = client

    def __enter__(self) -> Unchanged:
        self.before = self.client.backend.get_block("latest")
        return self

    def __exit__(self, *exc: object) -> None:
        after = self.client.backend.get_block("latest")
        assert self.before is not None
        assert after is not None
        assert (after.number, after.hash) == (self.before.number, self.before.hash), "the chain changed"


@pytest.fixture
def unchanged(world: RouteWorld) -> Unchanged:
    return Unchanged(world.client)


# ---------------------------------------------------------------------- helpers to set up state directly


def plan_terms(client: ChainClient, **changes: object) -> PlanTerms:
    fields: dict[str, object] = {
        "purpose_digest": keccak(text="flood relief"),
        "deadline": chain_time(client) + 30 * DAY,
        "money_target": 1_000 * TOKEN,
        "in_kind": (InKindItem(keccak(text=RICE), 500),),
        "needs_government_approval": False,
        "government_transfer_allowed": True,
        "unspent": UnspentTerms.REFUND,
        "warehouse": CAST.warehouse.address,
    }
    fields.update(changes)
    return PlanTerms(**fields)  # type: ignore[arg-type]


def open_plan(world: RouteWorld, charity: LocalAccount | None = None, **changes: object) -> int:
    """An open plan of the charity (launched and audited directly on the chain)."""
    pools = world.ledger.welfare.pools
    pool_id = pools.launch_plan(charity or CAST.charity, plan_terms(world.client, **changes)).id
    pools.audit_plan(CAST.bank, pool_id, True, keccak(text=f"audit {pool_id}"))
    return pool_id


def fund(world: RouteWorld, who: LocalAccount, amount: int) -> None:
    """The bank mints ``amount`` deposit tokens to ``who`` (a fresh reference each time)."""
    reference = keccak(text=f"fund {who.address} {amount} {os.urandom(8).hex()}")
    world.ledger.foundation.deposit_token.mint(CAST.bank, who.address, amount, reference)

"""chain_client/consortium/deploy.py: deploy the ledger to the consortium's JSON-RPC node with the banks' keys.

anvil stands in for the Besu network (Besu cannot be installed here): same chain id as the kit, the
same chain_client code path. anvil charges gas, so the test first gives the banks' accounts gas money;
on the consortium's free-gas network they need none. Then scene 1 of flow 4 (a charity buys goods
through a matched payment order) runs against that deployment, the consortium's second bank issuing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from api.orders import (
    RELEASED,
    Expectation,
    OrderIssuer,
    OrderMatcher,
    OrderParticipant,
    OrderRequest,
    open_delivery_store,
)
from chain_client import ChainClient, ChainSettings, KeystoreError, connect, load_settings
from chain_client.anvil import AnvilProcess, start_anvil
from chain_client.backends import JsonRpcBackend
from chain_client.config import DEV_OPERATOR_KEY
from chain_client.consortium import (
    DeploymentMismatch,
    OnchainPermissioning,
    bank_account,
    besu_permissioning,
    deploy_consortium,
    load_network,
)
from chain_client.consortium.network import Network
from chain_client.contracts import (
    BANK_ROLE,
    DEFAULT_ADMIN_ROLE,
    ORACLE_ROLE,
    AuditDecision,
    Checkpoint,
    InstitutionKind,
    Ledger,
    LotStatus,
    OrderParty,
    OrderStatus,
)
from chain_client.contracts.consortium import Enode
from chain_client.deploy import LEDGER_CONTRACTS, ledger_at, load_deployment
from chain_client.deploy import Ledger as DeployedLedger
from tests.chain_client.consortium.conftest import CHAIN_ID, PASSWORD, init_args, run_cli
from tests.conftest import ACCOUNTS
from tests.pools_support import CAST, RICE, TOKEN, terms
from tests.registry_support import DAY, apply, attestation_for, chain_time, signatures

pytestmark = pytest.mark.anvil

GAS_MONEY = 10**20
ANVIL_FUNDER: LocalAccount = Account.from_key(DEV_OPERATOR_KEY)  # funded by anvil, no role in the ledger


@dataclass(frozen=True)
class Deployed:
    kit: Path
    node: AnvilProcess
    client: ChainClient
    network: Network
    output: str

    def bank(self, index: int) -> LocalAccount:
        return bank_account(self.kit, self.network.banks[index].name, PASSWORD)

    def ledger(self) -> DeployedLedger:
        addresses = load_deployment(self.kit / "deployment.json", self.client)
        assert addresses is not None
        return ledger_at(self.client, addresses)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    kit = tmp_path_factory.mktemp("deploy") / "kit"
    run_cli(*init_args(kit), input_text=f"{PASSWORD}\n{PASSWORD}\n")
    network = load_network(kit)
    with start_anvil(chain_id=CHAIN_ID) as node:
        client = ChainClient(JsonRpcBackend(node.url))
        for bank in network.banks:  # anvil is not a free-gas network
            client.send_value(ANVIL_FUNDER, bank.account, GAS_MONEY)
        output = run_cli(
            "consortium", "deploy", "--kit", str(kit), "--rpc", node.url, input_text=f"{PASSWORD}\n"
        )
        yield Deployed(kit, node, client, network, output)
        client.close()


@pytest.fixture
def chain(deployed: Deployed) -> Iterator[Deployed]:
    snapshot = deployed.client.backend.snapshot()
    yield deployed
    deployed.client.backend.revert(snapshot)


def test_the_first_bank_deploys_every_contract_and_every_bank_gets_its_role(chain: Deployed) -> None:
    record = json.loads((chain.kit / "deployment.json").read_text())
    assert record["chainId"] == CHAIN_ID
    assert set(record["contracts"]) == set(LEDGER_CONTRACTS)
    assert all(chain.client.backend.get_code(address) for address in record["contracts"].values())
    assert record["deployedBy"] == "bank-1"
    # The service finds the deployment with the same settings as for anvil: a URL and the kit as data dir.
    settings = load_settings(
        data_dir=chain.kit, chain=ChainSettings(backend="jsonrpc", rpc_url=chain.node.url)
    ).chain
    service_client = connect(settings)
    try:
        assert load_deployment(settings.deployment_path, service_client) == record["contracts"]
    finally:
        service_client.close()

    consortium = chain.ledger().foundation.consortium
    first = chain.network.banks[0]
    assert consortium.has_role(DEFAULT_ADMIN_ROLE, first.account)
    assert not consortium.has_role(DEFAULT_ADMIN_ROLE, ANVIL_FUNDER.address)
    for bank in chain.network.banks:
        assert consortium.has_role(BANK_ROLE, bank.account), bank.name
        assert consortium.is_allowed(bank.account), bank.name
        assert consortium.node_allowed(Enode.from_url(bank.enode)), bank.name
        assert record["banks"][bank.name] == bank.account
    assert chain.client.backend.get_nonce(first.account) > len(LEDGER_CONTRACTS)  # it sent the deployments
    assert f"bank-1 ({first.account}) deploys the ledger's contracts" in chain.output


def test_deploying_again_reuses_the_recorded_ledger_and_sends_nothing(chain: Deployed) -> None:
    before = chain.client.block_number()
    result = deploy_consortium(chain.kit, chain.node.url, PASSWORD)
    assert chain.client.block_number() == before
    assert result.contracts == json.loads((chain.kit / "deployment.json").read_text())["contracts"]


def test_a_node_of_another_chain_or_a_wrong_password_is_refused_before_anything_is_sent(
    chain: Deployed, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    run_cli(*init_args(other, "--dev-password", "--chain-id", str(CHAIN_ID + 1)))
    before = chain.client.block_number()
    with pytest.raises(DeploymentMismatch, match=f"is chain {CHAIN_ID}, the kit is chain {CHAIN_ID + 1}"):
        deploy_consortium(other, chain.node.url, "welfare-aid development kit")
    with pytest.raises(KeystoreError, match="wrong password"):
        deploy_consortium(chain.kit, chain.node.url, "not the password")
    assert chain.client.block_number() == before
    assert not (other / "deployment.json").exists()


def test_besu_permissioning_is_configured_only_for_the_interfaces_besu_calls(chain: Deployed) -> None:
    address = chain.ledger().foundation.consortium.address

    def function(name: str, *types: str) -> dict[str, object]:
        return {"type": "function", "name": name, "inputs": [{"type": t} for t in types]}

    accounts = function("transactionAllowed", "address", "address", "uint256", "uint256", "uint256", "bytes")
    v1 = function("connectionAllowed", *["bytes32", "bytes32", "bytes16", "uint16"] * 2)
    v2 = function("connectionAllowed", "string", "string", "uint16")
    four_arguments = function("connectionAllowed", "bytes32", "bytes32", "bytes16", "uint16")
    assert besu_permissioning([accounts, v2], address) == OnchainPermissioning(address, address, 2)
    assert besu_permissioning([v1], address) == OnchainPermissioning(None, address, 1)
    assert besu_permissioning([accounts, four_arguments], address) == OnchainPermissioning(address, None, 2)
    assert besu_permissioning([four_arguments], address) is None
    record = json.loads((chain.kit / "deployment.json").read_text())
    onchain_configs = sorted((chain.kit / "nodes").glob("*/config.onchain.toml"))
    if record["besuPermissioning"] is None:  # today's Consortium: the nodes keep the local allowlists
        assert onchain_configs == []
        assert "keep the local allowlists" in chain.output
    else:
        assert len(onchain_configs) == len(chain.network.banks)


def _register(
    ledger: DeployedLedger, bank: LocalAccount, institution: LocalAccount, kind: InstitutionKind, code: str
) -> None:
    """``institution`` applies; two oracles attest its registry record; ``bank`` approves."""
    registry, client = ledger.registry, ledger.registry.client
    apply(registry, institution, kind)
    attestation = attestation_for(client, code)
    recorded = registry.attest(
        ACCOUNTS.outsider,
        attestation,
        signatures(registry, attestation, [ACCOUNTS.oracle1, ACCOUNTS.oracle2]),
    )
    decision = AuditDecision(
        application_digest=registry.application_digest_of(institution.address),
        attestation_id=recorded.event("RegistryAttested")["attestationId"],
        passed=True,
        rule_version=1,
        expires_at=chain_time(client) + 365 * DAY,
    )
    registry.audit(bank, institution.address, decision)


def test_scene_1_runs_on_the_consortium_deployment_through_the_banks_accounts(chain: Deployed) -> None:
    a, client, ledger = ACCOUNTS, chain.client, chain.ledger()
    admin, bank = chain.bank(0), chain.bank(1)  # the first bank administers, the second issues the order
    consortium, registry = ledger.foundation.consortium, ledger.registry
    pools, escrow, tracker = ledger.welfare.pools, ledger.escrow, ledger.welfare.tracker
    token = ledger.foundation.deposit_token
    for person in (
        a.charity,
        a.supplier,
        a.alice,
        a.outsider,
        CAST.carrier,
        CAST.warehouse,
        CAST.beneficiary,
    ):
        client.send_value(ANVIL_FUNDER, person.address, GAS_MONEY)
    for oracle in (a.oracle1, a.oracle2):
        consortium.grant_role(admin, ORACLE_ROLE, oracle.address)
    for customer in (a.charity, a.supplier, a.alice):  # the bank brings its customers onto the allow-list
        consortium.allow_account(bank, customer.address)
    _register(ledger, bank, a.charity, InstitutionKind.CHARITY, "CHARITY-1")
    _register(ledger, bank, a.supplier, InstitutionKind.SUPPLIER, "SUPPLIER-1")

    # Donors fill the charity's relief pool: the bank mints deposit tokens against alice's deposit.
    pool_id = pools.launch_plan(a.charity, terms(client)).id
    pools.audit_plan(bank, pool_id, True, keccak(text=f"audit {pool_id}"))
    token.mint(bank, a.alice.address, 100 * TOKEN, keccak(text="deposit slip 0001"))
    pools.donate_with_permit(a.alice, pool_id, 100 * TOKEN)

    # The bank issues the first order; the merchant checks it, stocks and ships, and answers.
    store = open_delivery_store()
    document = "采购单 PO-2026-0801: 大米 25kg × 200 袋".encode()
    issued = OrderIssuer(escrow, registry, pools, bank, store).issue(
        OrderRequest(pool_id, a.supplier.address, 30 * TOKEN, document)
    )
    seller = OrderParticipant(a.supplier, OrderParty.PAYEE, escrow, consortium, store)
    [received] = seller.inbox()
    quote = Expectation(
        pool_id=pool_id, charity=a.charity.address, amount=30 * TOKEN, purpose_digest=keccak(document)
    )
    seller.check(received.envelope, quote)
    lot_id, _ = escrow.open_purchase_lot(a.supplier, issued.order, RICE, 200)
    waybill = keccak(text="waybill SF-0801")
    tracker.record_checkpoint(a.supplier, lot_id, Checkpoint.SHIPPED, CAST.carrier.address, waybill)
    tracker.record_checkpoint(CAST.carrier, lot_id, Checkpoint.IN_TRANSIT, CAST.warehouse.address, waybill)
    tracker.record_checkpoint(CAST.warehouse, lot_id, Checkpoint.RECEIVED, None, keccak(text="receipt note"))
    seller.answer(received.envelope, quote)
    matcher = OrderMatcher(escrow, store, a.outsider)
    assert matcher.run_once() == []  # the charity has not answered: nothing is paid

    # The charity signs its copy; the copies match; the escrow pays the merchant.
    buyer = OrderParticipant(a.charity, OrderParty.CHARITY, escrow, consortium, store)
    [mine] = buyer.inbox()
    buyer.answer(mine.envelope, Expectation(pool_id=pool_id, payee=a.supplier.address, amount=30 * TOKEN))
    [outcome] = matcher.run_once()
    assert outcome.outcome == RELEASED
    assert token.balance_of(a.supplier.address) == 30 * TOKEN
    assert pools.ledger_of(pool_id) == Ledger(donated=100 * TOKEN, balance=70 * TOKEN, paid_out=30 * TOKEN)
    assert escrow.order_of(issued.order.order_id).status == OrderStatus.RELEASED

    # The goods reach the beneficiary, who signs for them.
    tracker.record_checkpoint(
        CAST.warehouse, lot_id, Checkpoint.HANDED_TO_BENEFICIARY, CAST.beneficiary.address
    )
    tracker.record_checkpoint(CAST.beneficiary, lot_id, Checkpoint.SIGNED_OFF, None, keccak(text="signature"))
    assert tracker.lot_of(lot_id).status == LotStatus.DELIVERED
    issued_by = [e for e in escrow.events("OrderIssued") if e["orderId"] == issued.order.order_id]
    assert [client.backend.get_transaction(e.log.transaction_hash)["from"].lower() for e in issued_by] == [
        bank.address.lower()
    ]

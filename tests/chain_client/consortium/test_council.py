"""chain_client/consortium/council.py: a bank joins and a bank leaves on-chain by a majority of the banks.

anvil stands in for the Besu network, as in test_deploy.py: the kit is deployed for 4 banks through the command
line, the first bank hands the consortium over to the banks' council, then every step is the command an
operator runs, each bank signing with its own account key. anvil charges gas, so the banks get gas money first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from chain_client import ChainClient
from chain_client.anvil import AnvilProcess, free_port, start_anvil
from chain_client.backends import JsonRpcBackend
from chain_client.config import DEV_OPERATOR_KEY
from chain_client.consortium import (
    BankChangeInvalid,
    CouncilRefused,
    KitInvalid,
    NodeUnreachable,
    NotEnoughApprovals,
    approve_bank_change,
    bank_change_status,
    execute_bank_change,
    load_network,
    propose_bank_change,
)
from chain_client.consortium.network import BankNode
from chain_client.contracts import BANK_ROLE, DEFAULT_ADMIN_ROLE, Consortium, ConsortiumCouncil
from chain_client.contracts.consortium import Enode
from chain_client.deploy import ledger_at, load_deployment
from tests.chain_client.consortium.conftest import CHAIN_ID, FAST_SCRYPT, PASSWORD, init_args, run_cli

pytestmark = pytest.mark.anvil

GAS_MONEY = 10**20
ANVIL_FUNDER: LocalAccount = Account.from_key(DEV_OPERATOR_KEY)  # funded by anvil, no role in the ledger


@dataclass(frozen=True)
class Chain:
    node: AnvilProcess
    client: ChainClient

    def fund(self, kit: Path) -> None:
        for bank in load_network(kit).banks:  # anvil is not a free-gas network
            if self.client.balance(bank.account) == 0:
                self.client.send_value(ANVIL_FUNDER, bank.account, GAS_MONEY)

    def deploy(self, kit: Path, *, hand_over: bool = True) -> str:
        self.fund(kit)
        output = run_cli(
            "consortium", "deploy", "--kit", str(kit), "--rpc", self.node.url, input_text=f"{PASSWORD}\n"
        )
        if hand_over:
            output += run_cli(
                "consortium",
                "council",
                "hand-over",
                "--kit",
                str(kit),
                "--rpc",
                self.node.url,
                input_text=f"{PASSWORD}\n",
            )
        return output

    def contracts(self, kit: Path) -> tuple[Consortium, ConsortiumCouncil]:
        addresses = load_deployment(kit / "deployment.json", self.client)
        assert addresses is not None
        ledger = ledger_at(self.client, addresses)
        return ledger.foundation.consortium, ledger.council


@pytest.fixture(scope="module")
def chain() -> Iterator[Chain]:
    with start_anvil(chain_id=CHAIN_ID) as node:
        client = ChainClient(JsonRpcBackend(node.url))
        yield Chain(node, client)
        client.close()


def council(chain: Chain, kit: Path, command: str, bank: str, *change: str) -> str:
    """``python -m chain_client consortium council COMMAND --bank BANK --add/--remove NAME``, password typed in."""
    return run_cli(
        "consortium",
        "council",
        command,
        "--kit",
        str(kit),
        "--rpc",
        chain.node.url,
        "--bank",
        bank,
        *change,
        input_text=f"{PASSWORD}\n",
    )


def member(consortium: Consortium, bank: BankNode) -> tuple[bool, bool, bool]:
    """(holds BANK_ROLE, allow-listed, node on the list), as the chain answers."""
    return (
        consortium.has_role(BANK_ROLE, bank.account),
        consortium.is_allowed(bank.account),
        consortium.node_allowed(Enode.from_url(bank.enode)),
    )


def votes_printed(output: str, voters: list[str], validator: str, *, add: bool) -> bool:
    """Every voter's ``qbft_proposeValidatorVote`` call for ``validator`` is in ``output``."""
    vote = f'"method": "qbft_proposeValidatorVote", "params": ["{validator}", {"true" if add else "false"}]'
    return vote in output and all(f"on {voter}'s server:" in output for voter in voters)


def test_a_fifth_bank_joins_and_one_leaves_only_once_a_majority_of_the_banks_approved(
    chain: Chain, tmp_path: Path
) -> None:
    kit = tmp_path / "kit"
    run_cli(*init_args(kit), input_text=f"{PASSWORD}\n{PASSWORD}\n")
    deployed = chain.deploy(kit)
    consortium, council_contract = chain.contracts(kit)
    assert consortium.role_members(DEFAULT_ADMIN_ROLE) == [council_contract.address]  # no single party
    assert "renounced DEFAULT_ADMIN_ROLE" in deployed

    # The joining bank makes its keys; the kit lists it; the chain does not know it yet.
    run_cli(
        "consortium", "add-bank", "--kit", str(kit), "--name", "bank-5", "--scrypt-n", str(FAST_SCRYPT),
        input_text=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    chain.fund(kit)
    network = load_network(kit)
    bank5 = network.bank("bank-5")
    assert member(consortium, bank5) == (False, False, False)

    proposed = council(chain, kit, "propose", "bank-1", "--add", "bank-5")
    assert "approvals 1 of 3 needed (4 banks now" in proposed
    assert "2 more bank(s) must approve" in proposed
    assert proposed.count("tx 0x") == 3  # grant, allow-list, node list: one proposal each
    assert member(consortium, bank5) == (False, False, False)

    approved = council(chain, kit, "approve", "bank-2", "--add", "bank-5")
    assert "approvals 2 of 3 needed" in approved
    assert "1 more bank(s) must approve" in approved
    assert member(consortium, bank5) == (False, False, False)  # 2 of 4 banks are not a majority

    # Refusals change nothing: bank-2 again, an early execution, an unknown bank.
    block = chain.client.block_number()
    before = bank_change_status(kit, chain.node.url, "bank-5", joining=True)
    with pytest.raises(CouncilRefused, match="CouncilAlreadyApproved") as again:
        approve_bank_change(kit, chain.node.url, "bank-2", PASSWORD, "bank-5", joining=True)
    assert again.value.error_name == "CouncilAlreadyApproved"
    with pytest.raises(NotEnoughApprovals, match="1 more bank") as early:
        execute_bank_change(kit, chain.node.url, "bank-1", PASSWORD, "bank-5", joining=True)
    assert (early.value.approvals, early.value.needed, early.value.missing) == (2, 3, 1)
    with pytest.raises(KitInvalid, match="no bank named 'bank-9'"):
        approve_bank_change(kit, chain.node.url, "bank-9", PASSWORD, "bank-5", joining=True)
    with pytest.raises(KitInvalid, match="run `consortium add-bank --name bank-6` first"):
        propose_bank_change(kit, chain.node.url, "bank-1", PASSWORD, "bank-6", joining=True)
    with pytest.raises(NodeUnreachable, match="no node answers"):
        approve_bank_change(
            kit, f"http://127.0.0.1:{free_port()}", "bank-3", PASSWORD, "bank-5", joining=True
        )
    assert chain.client.block_number() == block
    assert bank_change_status(kit, chain.node.url, "bank-5", joining=True) == before
    assert member(consortium, bank5) == (False, False, False)

    # The third of four banks makes the majority: its approval executes the three calls.
    joined = council(chain, kit, "approve", "bank-3", "--add", "bank-5")
    assert "approvals 3 of 3 needed" in joined
    assert joined.count("bank-3 executed proposal") == 3
    assert member(consortium, bank5) == (True, True, True)
    assert consortium.sponsor_of(bank5.account) == council_contract.address  # allowed by the council
    assert council_contract.threshold() == 3  # 5 banks
    assert votes_printed(joined, ["bank-1", "bank-2", "bank-3", "bank-4"], bank5.validator, add=True)
    assert "qbft_discardValidatorVote" in joined
    with pytest.raises(BankChangeInvalid, match=r"every call .* is in effect"):
        propose_bank_change(kit, chain.node.url, "bank-1", PASSWORD, "bank-5", joining=True)

    # bank-2 leaves: the new bank proposes (it sits on the council now), two more approve.
    bank2 = network.bank("bank-2")
    council(chain, kit, "propose", "bank-5", "--remove", "bank-2")
    waiting = council(chain, kit, "approve", "bank-1", "--remove", "bank-2")
    assert "approvals 2 of 3 needed (5 banks now" in waiting
    assert member(consortium, bank2) == (True, True, True)
    left = council(chain, kit, "approve", "bank-4", "--remove", "bank-2")
    assert member(consortium, bank2) == (False, False, False)
    assert member(consortium, bank5) == (True, True, True)
    assert consortium.role_member_count(BANK_ROLE) == 4
    assert votes_printed(left, ["bank-1", "bank-3", "bank-4", "bank-5"], bank2.validator, add=False)
    assert "consortium remove-bank --name bank-2" in left

    # Then the kit: bank-2 goes off every allowlist; the on-chain step can no longer name it.
    run_cli("consortium", "remove-bank", "--kit", str(kit), "--name", "bank-2")
    with pytest.raises(KitInvalid, match="already off the kit"):
        propose_bank_change(kit, chain.node.url, "bank-1", PASSWORD, "bank-2", joining=False)


def test_the_last_bank_cannot_leave_and_nothing_moves_before_the_hand_over(
    chain: Chain, tmp_path: Path
) -> None:
    kit = tmp_path / "one-bank"
    args = init_args(kit)
    args[args.index("--banks") + 1] = "1"
    run_cli(*args, input_text=f"{PASSWORD}\n{PASSWORD}\n")
    chain.deploy(kit, hand_over=False)
    consortium, council_contract = chain.contracts(kit)
    bank1 = load_network(kit).bank("bank-1")
    block = chain.client.block_number()

    with pytest.raises(BankChangeInvalid, match="council hand-over"):
        propose_bank_change(kit, chain.node.url, "bank-1", PASSWORD, "bank-1", joining=False)
    assert chain.client.block_number() == block

    run_cli(
        "consortium",
        "council",
        "hand-over",
        "--kit",
        str(kit),
        "--rpc",
        chain.node.url,
        input_text=f"{PASSWORD}\n",
    )
    assert council_contract.threshold() == 1
    block = chain.client.block_number()
    # One bank is a majority of one, but the Consortium keeps its last bank: its named error, nothing sent.
    with pytest.raises(
        CouncilRefused, match=r"revoke BANK_ROLE from bank-1 .*ConsortiumLastMember"
    ) as refused:
        propose_bank_change(kit, chain.node.url, "bank-1", PASSWORD, "bank-1", joining=False)
    assert refused.value.error_name == "ConsortiumLastMember"
    assert chain.client.block_number() == block
    assert council_contract.proposal_count() == 0
    assert member(consortium, bank1) == (True, True, True)

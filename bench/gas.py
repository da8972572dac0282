"""``python -m bench gas``: gas used by each contract operation, on a fresh embedded chain.

Each scenario is a function of a :class:`GasWorld` returning ``{operation: gas}``; their figures are
reported under the scenario's name. To report a new contract's gas, write a scenario and append it to
:data:`SCENARIOS`. Figures are deterministic (same chain, same inputs), so ``--quick`` changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_canonical_address

from chain_client import ChainClient, compile_contracts
from chain_client.backends import EmbeddedBackend
from chain_client.config import DEV_OPERATOR_KEY
from chain_client.contracts import (
    BANK_ROLE,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    AuditDecision,
    InstitutionKind,
    deploy_institution_registry,
)
from chain_client.contracts.institution_registry import (
    RegistryAttestation,
    credit_code_hash,
    encryption_key,
    short_code,
)
from chain_client.deploy import Foundation, deploy_foundation
from chain_client.embedded.node import EmbeddedNode, Genesis

CHAIN_ID = 1337
GAS_MONEY = 10**20


def _account(name: str) -> LocalAccount:
    account: LocalAccount = Account.from_key(keccak(text=f"bench gas {name}"))
    return account


@dataclass(frozen=True)
class GasWorld:
    """A fresh chain with the foundation deployed and a cast holding the consortium's roles."""

    client: ChainClient
    foundation: Foundation
    admin: LocalAccount
    bank: LocalAccount
    regulator: LocalAccount
    oracles: tuple[LocalAccount, ...]
    institution: LocalAccount
    holder: LocalAccount


Scenario = Callable[[GasWorld], dict[str, int]]


def _progress(message: str) -> None:
    sys.stderr.write(f"  {message}\n")
    sys.stderr.flush()


def open_world(client: ChainClient | None = None) -> GasWorld:
    """The foundation and the cast (bank, regulator, oracles, ...), funded and given their roles.

    On ``client`` if given (any chain whose genesis funds the dev operator), otherwise on a fresh embedded chain.
    """
    compile_contracts()
    admin: LocalAccount = Account.from_key(DEV_OPERATOR_KEY)
    if client is None:
        node = EmbeddedNode(
            None, Genesis(chain_id=CHAIN_ID, alloc={to_canonical_address(admin.address): 10**27})
        )
        client = ChainClient(EmbeddedBackend(node))
    world = GasWorld(
        client=client,
        foundation=deploy_foundation(client, admin),
        admin=admin,
        bank=_account("bank"),
        regulator=_account("regulator"),
        oracles=tuple(_account(f"oracle{index}") for index in range(3)),
        institution=_account("institution"),
        holder=_account("holder"),
    )
    consortium = world.foundation.consortium
    for account in (world.bank, world.regulator, *world.oracles, world.institution, world.holder):
        client.send_value(admin, account.address, GAS_MONEY)
    consortium.grant_role(admin, BANK_ROLE, world.bank.address)
    consortium.grant_role(admin, REGULATOR_ROLE, world.regulator.address)
    for oracle in world.oracles:
        consortium.grant_role(admin, ORACLE_ROLE, oracle.address)
    return world


def foundation_gas(world: GasWorld) -> dict[str, int]:
    """Consortium and DepositToken: allow-list, mint, transfer, redeem, pause."""
    consortium, token = world.foundation.consortium, world.foundation.deposit_token
    gas = {"allowAccount": consortium.allow_account(world.admin, world.holder.address).receipt.gas_used}
    consortium.allow_account(world.admin, world.bank.address)
    gas["mint"] = token.mint(
        world.bank, world.holder.address, 10**21, keccak(text="deposit 1")
    ).receipt.gas_used
    gas["transfer"] = token.transfer(world.holder, world.bank.address, 10**18).receipt.gas_used
    gas["redeem"] = token.redeem(
        world.holder, 10**18, world.bank.address, keccak(text="payout 1")
    ).receipt.gas_used
    gas["pause"] = token.pause(world.admin).receipt.gas_used
    gas["unpause"] = token.unpause(world.admin).receipt.gas_used
    gas["disallowAccount"] = consortium.disallow_account(world.admin, world.holder.address).receipt.gas_used
    return gas


def institution_registry_gas(world: GasWorld) -> dict[str, int]:
    """InstitutionRegistry: apply (3 certificates), attest (2 of 3), audit, suspend, flag, credit grade."""
    from oracle.attestation import sign_attestation  # the oracle package signs; bench only measures

    client = world.client
    registry = deploy_institution_registry(client, world.admin, world.foundation.consortium.address, 2)
    world.foundation.consortium.allow_account(world.admin, world.institution.address)
    gas: dict[str, int] = {}
    certificates = [keccak(text=f"certificate {index}") for index in range(3)]
    applied = registry.apply_for_registration(
        world.institution,
        InstitutionKind.CHARITY,
        certificates,
        keccak(text="key info"),
        encryption_key(world.institution),
    )
    gas["applyForRegistration_3_certificates"] = applied.receipt.gas_used
    block = client.backend.get_block("latest")
    now = block.timestamp if block is not None else 0

    def attest(record: str, observed_at: int) -> tuple[bytes, int]:
        attestation = RegistryAttestation(
            credit_code_hash("CODE"), keccak(text=record), observed_at, now + 86_400
        )
        signatures = [
            sign_attestation(oracle, attestation, client.chain_id, registry.address)
            for oracle in world.oracles[:2]
        ]
        result = registry.attest(world.oracles[0], attestation, signatures)
        return bytes(result.event("RegistryAttested")["attestationId"]), result.receipt.gas_used

    attestation_id, gas["attest_2_of_3"] = attest("record v1", now)
    decision = AuditDecision(
        registry.application_digest_of(world.institution.address), attestation_id, True, 1, now + 365 * 86_400
    )
    gas["audit_pass"] = registry.audit(world.bank, world.institution.address, decision).receipt.gas_used
    gas["suspend"] = registry.suspend(
        world.regulator, world.institution.address, short_code("INQUIRY")
    ).receipt.gas_used
    gas["reinstate"] = registry.reinstate(world.regulator, world.institution.address).receipt.gas_used
    changed_id, gas["attest_2_of_3_again"] = attest("record v2", now + 1)
    gas["flag"] = registry.flag(
        world.oracles[2], world.institution.address, changed_id, short_code("DEREGISTERED")
    ).receipt.gas_used
    rejection = AuditDecision(
        registry.application_digest_of(world.institution.address),
        changed_id,
        False,
        1,
        0,
        (short_code("NOT_ACTIVE"),),
    )
    gas["audit_reject_1_reason"] = registry.audit(
        world.bank, world.institution.address, rejection
    ).receipt.gas_used
    gas["attestCreditGrade"] = registry.attest_credit_grade(
        world.bank, credit_code_hash("SUPPLIER"), "AA", keccak(text="rating")
    ).receipt.gas_used
    return gas


def welfare_pools_gas(world: GasWorld) -> dict[str, int]:
    """WelfarePools, WelfareAssets, ResourceTracker: see :func:`bench.pools.pools_gas`."""
    from bench.pools import pools_gas

    return pools_gas(world)


def payment_order_escrow_gas(world: GasWorld) -> dict[str, int]:
    """PaymentOrderEscrow: issue, settle, submit signature, release, refund, expire: see :func:`bench.orders.escrow_gas`."""
    from bench.orders import escrow_gas

    return escrow_gas(world)


SCENARIOS: dict[str, Scenario] = {
    "Consortium+DepositToken": foundation_gas,
    "InstitutionRegistry": institution_registry_gas,
    "WelfarePools": welfare_pools_gas,
    "PaymentOrderEscrow": payment_order_escrow_gas,
}
"""Scenario name -> scenario; add a contract's scenario here to have its gas reported."""


def run(quick: bool) -> dict[str, object]:
    """Gas of every scenario's operations, ``{scenario: {operation: gas}}``."""
    world = open_world()
    figures: dict[str, object] = {}
    try:
        for name, scenario in SCENARIOS.items():
            _progress(f"gas: {name}")
            figures[name] = scenario(world)
    finally:
        world.client.close()
    return figures

"""Separation of duties: no party decides about what it is party to (docs/contracts.md, "Separation of duties").

One test per row of the table, each with the named error and a check that nothing changed, on every backend; then a
hypothesis state machine (embedded chain) in which two banks, one of them also a registered charity, act on random
plans, transfers and orders, and every role action the charity-bank tries on its own objects is refused while the
same action by the other bank goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from chain_client import ChainClient, ContractReverted
from chain_client.backends import EmbeddedBackend
from chain_client.contracts import (
    BANK_ROLE,
    MONEY,
    AuditDecision,
    InstitutionKind,
    InstitutionRegistry,
    Ledger,
    OrderStatus,
    PlanStatus,
)
from chain_client.contracts.institution_registry import credit_code_hash
from chain_client.deploy import Foundation
from tests.conftest import ACCOUNTS, GAS_MONEY, Accounts
from tests.escrow_support import EscrowWorld, build_escrow_world, make_order
from tests.pools_support import CAST, TOKEN, ZERO32, fund, open_plan, register, terms
from tests.registry_support import DAY, apply, attestation_for, chain_time, signatures

pytestmark = pytest.mark.contract

DECISION = keccak(text="a decision")


def _reverts(call: Callable[[], Any], name: str, *args: object) -> None:
    with pytest.raises(ContractReverted) as raised:
        call()
    assert (raised.value.error_name, *raised.value.args) == (name, *args)


def _register_with(
    registry: InstitutionRegistry,
    auditor: LocalAccount,
    institution: LocalAccount,
    kind: InstitutionKind,
    code: str,
) -> None:
    """As ``pools_support.register``, audited by ``auditor`` (a bank cannot audit itself)."""
    client = registry.client
    apply(registry, institution, kind)
    attestation = attestation_for(client, code)
    recorded = registry.attest(
        ACCOUNTS.outsider,
        attestation,
        signatures(registry, attestation, [ACCOUNTS.oracle2, ACCOUNTS.oracle3]),
    )
    decision = AuditDecision(
        application_digest=registry.application_digest_of(institution.address),
        attestation_id=recorded.event("RegistryAttested")["attestationId"],
        passed=True,
        rule_version=1,
        expires_at=chain_time(client) + 365 * DAY,
    )
    registry.audit(auditor, institution.address, decision)


@pytest.fixture(scope="module")
def sod_world(session_client: ChainClient, session_foundation: Foundation) -> EscrowWorld:
    """The escrow world, in which bank2 is also a Charity, the bank also a Supplier, the regulator and the government
    also charities: each role holder is party to something it might be asked to decide."""
    world = build_escrow_world(session_client, session_foundation)
    consortium, registry = session_foundation.consortium, world.world.registry
    for member in (ACCOUNTS.regulator, ACCOUNTS.government):
        if not consortium.is_allowed(member.address):
            consortium.allow_account(ACCOUNTS.admin, member.address)
    register(registry, ACCOUNTS.bank2, InstitutionKind.CHARITY, "SOD-BANK2-CHARITY")
    _register_with(registry, ACCOUNTS.bank2, ACCOUNTS.bank, InstitutionKind.SUPPLIER, "SOD-BANK-SUPPLIER")
    register(registry, ACCOUNTS.regulator, InstitutionKind.CHARITY, "SOD-REGULATOR-CHARITY")
    register(registry, ACCOUNTS.government, InstitutionKind.CHARITY, "SOD-GOVERNMENT-CHARITY")
    return world


@pytest.fixture
def sw(sod_world: EscrowWorld, chain: ChainClient) -> EscrowWorld:
    return sod_world


def _funded(sw: EscrowWorld, charity: LocalAccount, **overrides: Any) -> int:
    pool_id = open_plan(sw.world, terms(sw.client, **overrides), charity=charity)
    fund(sw.world, ACCOUNTS.alice, 100 * TOKEN, f"sod fund {pool_id}-{chain_time(sw.client)}")
    sw.pools.donate_with_permit(ACCOUNTS.alice, pool_id, 100 * TOKEN)
    return pool_id


# ---------------------------------------------------------------- the table, row by row


def test_a_bank_never_audits_its_own_institution(sw: EscrowWorld, accounts: Accounts) -> None:
    registry, consortium = sw.world.registry, sw.world.foundation.consortium
    applicant = accounts.carol  # a new bank that applies as a charity
    consortium.allow_account(accounts.admin, applicant.address)
    consortium.grant_role(accounts.admin, BANK_ROLE, applicant.address)
    apply(registry, applicant, InstitutionKind.CHARITY)
    before = registry.institution_of(applicant.address)
    decision = AuditDecision(before.application_digest, ZERO32, False, 1, 0, (keccak(text="SELF"),))
    _reverts(
        lambda: registry.audit(applicant, applicant.address, decision),
        "InstitutionSelfAudit",
        applicant.address,
    )
    assert registry.institution_of(applicant.address) == before


def test_the_regulator_never_suspends_or_reinstates_itself(sw: EscrowWorld, accounts: Accounts) -> None:
    registry = sw.world.registry
    _reverts(
        lambda: registry.suspend(accounts.regulator, accounts.regulator.address, ZERO32),
        "InstitutionSelfDecision",
        accounts.regulator.address,
    )
    assert registry.is_active(accounts.regulator.address)
    # Suspended by another regulator, it cannot lift its own suspension either.
    sw.world.foundation.consortium.grant_role(
        accounts.admin, keccak(text="REGULATOR_ROLE"), accounts.carol.address
    )
    registry.suspend(accounts.carol, accounts.regulator.address, ZERO32)
    _reverts(
        lambda: registry.reinstate(accounts.regulator, accounts.regulator.address),
        "InstitutionSelfDecision",
        accounts.regulator.address,
    )
    assert not registry.is_active(accounts.regulator.address)


def test_a_bank_never_grades_its_own_credit(sw: EscrowWorld, accounts: Accounts) -> None:
    registry = sw.world.registry
    code = credit_code_hash("SOD-BANK-SUPPLIER")
    assert registry.holder_of(code) == accounts.bank.address
    _reverts(
        lambda: registry.attest_credit_grade(accounts.bank, code, "AAA", ZERO32),
        "CreditGradeSelfRating",
        code,
        accounts.bank.address,
    )
    assert registry.credit_grade_of(code) is None
    registry.attest_credit_grade(accounts.bank2, code, "AA", ZERO32)  # another bank may
    assert registry.credit_grade_of(code) is not None


def test_an_oracle_never_counts_towards_an_attestation_of_its_own_record(
    sw: EscrowWorld, accounts: Accounts
) -> None:
    registry, client = sw.world.registry, sw.client
    oracle = accounts.oracle1
    consortium = sw.world.foundation.consortium
    if not consortium.is_allowed(oracle.address):
        consortium.allow_account(accounts.admin, oracle.address)
    apply(registry, oracle, InstitutionKind.CHARITY)
    # A later observation of a changed record, signed by the oracle itself and one other, recorded while it applies.
    changed_early = attestation_for(
        client, "SOD-ORACLE-CHARITY", record="record-v9", observed_at=chain_time(client) + 5
    )
    early = registry.attest(
        accounts.outsider, changed_early, signatures(registry, changed_early, [oracle, accounts.oracle3])
    ).event("RegistryAttested")["attestationId"]
    # Its own signature and one other: two signatures, but only one counts.
    attestation = attestation_for(client, "SOD-ORACLE-CHARITY")
    own = registry.attest(
        accounts.outsider, attestation, signatures(registry, attestation, [oracle, accounts.oracle2])
    )
    own_id = own.event("RegistryAttested")["attestationId"]
    assert registry.is_attestation_signer(own_id, oracle.address)
    decision = AuditDecision(
        registry.application_digest_of(oracle.address), own_id, True, 1, chain_time(client) + 365 * DAY
    )
    _reverts(
        lambda: registry.audit(accounts.bank, oracle.address, decision),
        "RegistryAttestationSignedBySubject",
        own_id,
        oracle.address,
    )
    assert not registry.is_active(oracle.address)
    # With two other oracles it counts.
    later = attestation_for(
        client, "SOD-ORACLE-CHARITY", record="record-v1", observed_at=chain_time(client) + 1
    )
    others = registry.attest(
        accounts.outsider, later, signatures(registry, later, [oracle, accounts.oracle2, accounts.oracle3])
    )
    decision = AuditDecision(
        registry.application_digest_of(oracle.address),
        others.event("RegistryAttested")["attestationId"],
        True,
        1,
        chain_time(client) + 365 * DAY,
    )
    registry.audit(accounts.bank, oracle.address, decision)
    assert registry.is_active(oracle.address)
    # Nor can another oracle flag it with the changed record it signed itself.
    _reverts(
        lambda: registry.flag(accounts.oracle2, oracle.address, early, keccak(text="CHANGED")),
        "RegistryAttestationSignedBySubject",
        early,
        oracle.address,
    )
    assert registry.is_active(oracle.address)
    # Once it holds the code, a re-attestation it signs needs the threshold without it.
    changed = attestation_for(
        client, "SOD-ORACLE-CHARITY", record="record-v2", observed_at=chain_time(client) + 9
    )
    with pytest.raises(ContractReverted) as raised:
        registry.attest(accounts.outsider, changed, signatures(registry, changed, [oracle, accounts.oracle2]))
    assert (raised.value.error_name, raised.value.args[1]) == (
        "RegistryAttestationSignedBySubject",
        oracle.address,
    )


def test_a_bank_never_audits_a_plan_of_which_it_is_the_charity_or_the_warehouse(
    sw: EscrowWorld, accounts: Accounts
) -> None:
    pools = sw.pools
    own = pools.launch_plan(accounts.bank2, terms(sw.client)).id
    _reverts(
        lambda: pools.audit_plan(accounts.bank2, own, True, ZERO32),
        "PoolDecidedByParty",
        own,
        accounts.bank2.address,
    )
    kept = pools.launch_plan(accounts.charity, terms(sw.client, warehouse=accounts.bank.address)).id
    _reverts(
        lambda: pools.audit_plan(accounts.bank, kept, True, ZERO32),
        "PoolDecidedByParty",
        kept,
        accounts.bank.address,
    )
    assert (pools.plan_of(own).status, pools.plan_of(kept).status) == (
        PlanStatus.LAUNCHED,
        PlanStatus.LAUNCHED,
    )
    pools.audit_plan(accounts.bank, own, True, ZERO32)  # the other bank may
    assert pools.plan_of(own).status == PlanStatus.OPEN


def test_a_government_never_approves_its_own_plan(sw: EscrowWorld, accounts: Accounts) -> None:
    pools = sw.pools
    pool_id = pools.launch_plan(accounts.government, terms(sw.client, needs_government_approval=True)).id
    pools.audit_plan(accounts.bank, pool_id, True, ZERO32)
    _reverts(
        lambda: pools.decide_plan(accounts.government, pool_id, True, DECISION),
        "PoolDecidedByParty",
        pool_id,
        accounts.government.address,
    )
    assert pools.plan_of(pool_id).status == PlanStatus.AUDITED


def test_a_bank_never_decides_a_transfer_of_its_own_plan_or_to_itself(
    sw: EscrowWorld, accounts: Accounts
) -> None:
    pools = sw.pools
    own = _funded(sw, accounts.bank2)
    local = CAST.local_government
    transfer = pools.propose_government_transfer(
        accounts.bank2, own, local.address, MONEY, 10 * TOKEN, ZERO32
    ).id
    for decide in (pools.confirm_government_transfer, pools.reject_government_transfer):
        _reverts(
            lambda decide=decide: decide(accounts.bank2, transfer),
            "PoolDecidedByParty",
            own,
            accounts.bank2.address,
        )
    # A local government that is also a bank cannot decide a transfer to itself.
    sw.world.foundation.consortium.grant_role(accounts.admin, BANK_ROLE, local.address)
    _reverts(
        lambda: pools.confirm_government_transfer(local, transfer), "PoolDecidedByParty", own, local.address
    )
    assert pools.ledger_of(own) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    pools.confirm_government_transfer(accounts.bank, transfer)
    assert pools.ledger_of(own).to_government == 10 * TOKEN


def test_the_regulator_never_winds_up_or_moves_the_value_of_its_own_plan(
    sw: EscrowWorld, accounts: Accounts
) -> None:
    pools = sw.pools
    own = _funded(sw, accounts.regulator)
    _reverts(
        lambda: pools.wind_up_by_decision(accounts.regulator, own, DECISION),
        "PoolDecidedByParty",
        own,
        accounts.regulator.address,
    )
    other = _funded(sw, accounts.charity)
    pools.wind_up_by_decision(accounts.regulator, other, DECISION)
    _reverts(
        lambda: pools.move_unspent_by_decision(accounts.regulator, other, MONEY, own, DECISION),
        "PoolDecidedByParty",
        other,
        accounts.regulator.address,
    )
    assert pools.plan_of(own).status == PlanStatus.OPEN
    assert pools.ledger_of(own) == Ledger(donated=100 * TOKEN, balance=100 * TOKEN)
    assert pools.ledger_of(other).balance == 100 * TOKEN


def test_a_bank_never_issues_an_order_of_which_it_is_the_charity_or_the_payee(
    sw: EscrowWorld, accounts: Accounts
) -> None:
    own = _funded(sw, accounts.bank2)
    as_charity = make_order(sw, own, TOKEN, bank=accounts.bank2, charity=accounts.bank2)
    _reverts(
        lambda: sw.escrow.issue(accounts.bank2, as_charity),
        "OrderDecidedByParty",
        as_charity.order_id,
        accounts.bank2.address,
    )
    other = _funded(sw, accounts.charity)
    paying_itself = make_order(sw, other, TOKEN, payee=accounts.bank, bank=accounts.bank)
    _reverts(
        lambda: sw.escrow.issue(accounts.bank, paying_itself),
        "OrderDecidedByParty",
        paying_itself.order_id,
        accounts.bank.address,
    )
    assert sw.pools.ledger_of(own).escrowed == sw.pools.ledger_of(other).escrowed == 0


def test_a_bank_never_cancels_an_orphaned_order_that_pays_it(sw: EscrowWorld, accounts: Accounts) -> None:
    pool_id = _funded(sw, accounts.charity)
    order = make_order(sw, pool_id, TOKEN, payee=accounts.bank, bank=accounts.bank2)
    sw.escrow.issue(accounts.bank2, order)
    sw.world.foundation.consortium.revoke_role(accounts.admin, BANK_ROLE, accounts.bank2.address)
    _reverts(
        lambda: sw.escrow.cancel(accounts.bank, order),
        "OrderDecidedByParty",
        order.order_id,
        accounts.bank.address,
    )
    assert sw.escrow.order_of(order.order_id).status == OrderStatus.ISSUED
    sw.escrow.cancel(accounts.admin, order)  # the consortium may
    assert sw.escrow.order_of(order.order_id).status == OrderStatus.CANCELLED


def test_the_regulator_never_decides_a_dispute_it_is_party_to(sw: EscrowWorld, accounts: Accounts) -> None:
    pool_id = _funded(sw, accounts.regulator)
    order = make_order(sw, pool_id, 10 * TOKEN, charity=accounts.regulator)
    sw.escrow.issue(accounts.bank, order)
    sw.escrow.freeze(accounts.regulator, order.order_id, DECISION)
    for release in (True, False):
        _reverts(
            lambda release=release: sw.escrow.resolve_dispute(accounts.regulator, order, release, DECISION),
            "OrderDecidedByParty",
            order.order_id,
            accounts.regulator.address,
        )
    assert sw.escrow.order_of(order.order_id).status == OrderStatus.DISPUTED
    assert sw.pools.ledger_of(pool_id).escrowed == 10 * TOKEN


# ---------------------------------------------------------------- two banks, one also a charity


class CharityBankMachine(RuleBasedStateMachine):
    """bank2 is a bank and a charity; the bank is only a bank. Every role action bank2 tries on its own plans,
    transfers and orders is refused and changes nothing; the same action by the bank succeeds."""

    world: EscrowWorld
    attempts = 0

    def __init__(self) -> None:
        super().__init__()
        self.client = self.world.client
        self.pools = self.world.pools
        self.snapshot = self.client.backend.snapshot()
        self.launched: list[int] = []
        self.funded: list[int] = []
        self.transfers: list[int] = []
        self.orders: list[Any] = []
        self.refused_self = 0

    def teardown(self) -> None:
        self.client.backend.revert(self.snapshot)

    def _own_refusal(self, call: Callable[[], Any], name: str, *args: object) -> None:
        before = self._books()
        _reverts(call, name, *args)
        assert self._books() == before
        type(self).attempts += 1

    def _books(self) -> tuple[Any, ...]:
        token = self.world.token
        ledgers = tuple(self.pools.ledger_of(pool_id) for pool_id in self.funded)
        statuses = tuple(self.pools.plan_of(pool_id).status for pool_id in self.launched)
        return (
            *ledgers,
            *statuses,
            token.balance_of(self.pools.address),
            token.balance_of(CAST.local_government.address),
        )

    @rule()
    def bank2_launches_as_a_charity(self) -> None:
        self.launched.append(self.pools.launch_plan(ACCOUNTS.bank2, terms(self.client)).id)

    @precondition(lambda self: self.launched)
    @rule(data=st.data())
    def bank2_audits_its_own_plan(self, data: st.DataObject) -> None:
        pool_id = data.draw(st.sampled_from(self.launched))
        status = self.pools.plan_of(pool_id).status
        if status == PlanStatus.LAUNCHED:
            self._own_refusal(
                lambda: self.pools.audit_plan(ACCOUNTS.bank2, pool_id, True, ZERO32),
                "PoolDecidedByParty",
                pool_id,
                ACCOUNTS.bank2.address,
            )
            self.pools.audit_plan(ACCOUNTS.bank, pool_id, True, ZERO32)
            fund(self.world.world, ACCOUNTS.alice, 50 * TOKEN, f"machine {pool_id}-{chain_time(self.client)}")
            self.pools.donate_with_permit(ACCOUNTS.alice, pool_id, 50 * TOKEN)
            self.funded.append(pool_id)

    @precondition(lambda self: self.funded)
    @rule(data=st.data(), amount=st.integers(1, 10))
    def bank2_proposes_and_tries_to_confirm_its_own_transfer(self, data: st.DataObject, amount: int) -> None:
        pool_id = data.draw(st.sampled_from(self.funded))
        if self.pools.ledger_of(pool_id).balance < amount * TOKEN:
            return
        transfer = self.pools.propose_government_transfer(
            ACCOUNTS.bank2, pool_id, CAST.local_government.address, MONEY, amount * TOKEN, ZERO32
        ).id
        self.transfers.append(transfer)
        for decide in (self.pools.confirm_government_transfer, self.pools.reject_government_transfer):
            self._own_refusal(
                lambda decide=decide: decide(ACCOUNTS.bank2, transfer),
                "PoolDecidedByParty",
                pool_id,
                ACCOUNTS.bank2.address,
            )

    @precondition(lambda self: self.transfers)
    @rule(data=st.data(), confirm=st.booleans())
    def the_other_bank_decides_a_transfer(self, data: st.DataObject, confirm: bool) -> None:
        transfer = data.draw(st.sampled_from(self.transfers))
        self.transfers.remove(transfer)
        pool_id = self.pools.government_transfer_of(transfer).pool_id
        amount = self.pools.government_transfer_of(transfer).amount
        if confirm and self.pools.ledger_of(pool_id).balance >= amount:
            self.pools.confirm_government_transfer(ACCOUNTS.bank, transfer)
        else:
            self.pools.reject_government_transfer(ACCOUNTS.bank, transfer)

    @precondition(lambda self: self.funded)
    @rule(data=st.data(), amount=st.integers(1, 10))
    def bank2_issues_an_order_for_its_own_plan(self, data: st.DataObject, amount: int) -> None:
        pool_id = data.draw(st.sampled_from(self.funded))
        own = make_order(self.world, pool_id, amount * TOKEN, bank=ACCOUNTS.bank2, charity=ACCOUNTS.bank2)
        self._own_refusal(
            lambda: self.world.escrow.issue(ACCOUNTS.bank2, own),
            "OrderDecidedByParty",
            own.order_id,
            ACCOUNTS.bank2.address,
        )
        if self.pools.ledger_of(pool_id).balance >= amount * TOKEN:
            theirs = make_order(self.world, pool_id, amount * TOKEN, charity=ACCOUNTS.bank2)
            self.world.escrow.issue(ACCOUNTS.bank, theirs)
            self.orders.append(theirs)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def bank2_cancels_its_plans_order_as_the_charity(self, data: st.DataObject) -> None:
        """As the charity it may cancel its own plan's unsigned order: a charity's right, not a bank's decision."""
        order = data.draw(st.sampled_from(self.orders))
        self.orders.remove(order)
        self.world.escrow.cancel(ACCOUNTS.bank2, order)
        assert self.world.escrow.order_of(order.order_id).status == OrderStatus.CANCELLED

    @invariant()
    def nothing_was_decided_by_a_party(self) -> None:
        for event in self.pools.events("PlanAudited"):
            assert event["bank"] != ACCOUNTS.bank2.address or self.pools.charity_of(event["poolId"]) != (
                ACCOUNTS.bank2.address
            )


def test_a_bank_that_is_also_a_charity_is_refused_every_role_action_on_its_own_objects(
    sod_world: EscrowWorld, chain: ChainClient
) -> None:
    if not isinstance(chain.backend, EmbeddedBackend):
        pytest.skip("the stateful test runs on the embedded chain only")
    CharityBankMachine.world = sod_world
    CharityBankMachine.attempts = 0
    run_state_machine_as_test(
        CharityBankMachine,
        settings=settings(
            max_examples=6,
            stateful_step_count=20,
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert CharityBankMachine.attempts >= 10


def test_the_charity_bank_world_has_its_cast(sod_world: EscrowWorld) -> None:
    registry = sod_world.world.registry
    kinds = {
        ACCOUNTS.bank2.address: InstitutionKind.CHARITY,
        ACCOUNTS.bank.address: InstitutionKind.SUPPLIER,
        ACCOUNTS.regulator.address: InstitutionKind.CHARITY,
        ACCOUNTS.government.address: InstitutionKind.CHARITY,
    }
    for account, kind in kinds.items():
        assert registry.kind_of(account) == kind
        assert registry.is_active(account)
    assert sod_world.client.balance(ACCOUNTS.bank2.address) > GAS_MONEY // 100

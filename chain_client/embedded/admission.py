"""Transaction admission: what the embedded node checks at ``eth_sendRawTransaction``, before queueing.

A refused transaction raises :class:`~chain_client.errors.TransactionRejected` (or
:class:`~chain_client.errors.SenderNotPermitted`) and nothing happens: it is not queued, no nonce is
taken, so the sender's next transaction goes through. The checks and their messages are geth's
(``core/txpool/validation.go``, ``core/error.go``, ``core/txpool/errors.go``), so ethers, viem and
web3.py classify a refusal exactly as they would a geth answer:

============================  ==============================================================
check                         message starts with
============================  ==============================================================
size of the raw bytes          ``oversized data`` (more than 128 KiB, geth's ``txMaxSize``)
type                           ``transaction type not supported`` (EIP-4844 blob transactions)
replay protection              ``only replay-protected (EIP-155) transactions allowed over RPC``
chain id                       ``invalid chain id for signer``
initcode size (EIP-3860)       ``max initcode size exceeded``
gas above the block limit      ``exceeds block gas limit``
tip above fee cap              ``max priority fee per gas higher than max fee per gas``
gas below intrinsic cost       ``intrinsic gas too low`` (21,000 or 53,000 for a creation, calldata
                               4/16 per byte, EIP-2930 access list 2,400 per address and 1,900 per
                               key, EIP-3860 2 per initcode word, EIP-7702 25,000 per authorization)
gas below the calldata floor   ``insufficient gas for floor data gas cost`` (EIP-7623)
account permissioning          ``Sender account not authorized to send transactions`` (Besu, -32007)
duplicate                      ``already known``
nonce below the next           ``nonce too low``
nonce already queued           ``replacement transaction underpriced`` (no replacement by fee here)
nonce too far ahead            ``nonce too high`` (more than :data:`MAX_NONCE_GAP` ahead)
fee cap below the base fee     ``max fee per gas less than block base fee``
balance                        ``insufficient funds for gas * price + value``
============================  ==============================================================

A nonce ahead of the sender's next (by at most :data:`MAX_NONCE_GAP`) is held, as geth's queue holds
it, until the missing nonces arrive; pending-nonce answers (``eth_getTransactionCount(…, "pending")``)
count only the gapless run, as geth's do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal

from eth.abc import SignedTransactionAPI
from eth_abi.abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from chain_client.errors import SenderNotPermitted, TransactionRejected

MAX_TRANSACTION_BYTES: Final = 128 * 1024
"""geth's ``txMaxSize``: four 32 KiB slots."""
MAX_NONCE_GAP: Final = 64
"""How far ahead of the sender's next nonce a transaction may be and still be held (geth's
``AccountQueue`` default, 64 per account)."""
MAX_HELD_TRANSACTIONS: Final = 4_096
"""Held (gapped) transactions kept over all senders; more are refused with ``txpool is full``."""
MAX_INITCODE_SIZE: Final = 49_152
"""EIP-3860: twice the EIP-170 code size limit."""
INITCODE_WORD_GAS: Final = 2
"""EIP-3860: gas per 32-byte word of initcode, part of a creation's intrinsic cost."""
FLOOR_GAS_PER_TOKEN: Final = 10
"""EIP-7623: calldata floor, per token (a zero byte is one token, any other byte four)."""
TX_BASE_GAS: Final = 21_000
BLOB_TRANSACTION_TYPE: Final = 3

NOT_PERMITTED: Final = "Sender account not authorized to send transactions"
"""Besu's message for a sender that account permissioning refuses (JSON-RPC code -32007)."""


def check_size(raw: bytes) -> None:
    """Refuse a raw transaction larger than :data:`MAX_TRANSACTION_BYTES` before decoding it."""
    if len(raw) > MAX_TRANSACTION_BYTES:
        raise TransactionRejected(
            f"oversized data: transaction size {len(raw)}, limit {MAX_TRANSACTION_BYTES}"
        )


def intrinsic_gas(tx: SignedTransactionAPI) -> int:
    """The gas a transaction costs before it executes (geth's ``core.IntrinsicGas`` for Prague).

    py-evm's own figure covers the base, calldata, access list and authorizations; geth also counts
    the EIP-3860 initcode words of a creation here, which py-evm charges when the creation runs.
    """
    gas: int = tx.intrinsic_gas
    if not tx.to:
        gas += INITCODE_WORD_GAS * ((len(tx.data) + 31) // 32)
    return gas


def floor_data_gas(tx: SignedTransactionAPI) -> int:
    """EIP-7623: the least gas a transaction is charged for its calldata."""
    zeros = tx.data.count(0)
    tokens = zeros + 4 * (len(tx.data) - zeros)
    return TX_BASE_GAS + FLOOR_GAS_PER_TOKEN * tokens


def check_stateless(tx: SignedTransactionAPI, *, chain_id: int, block_gas_limit: int) -> None:
    """The checks that need no state, in geth's order."""
    type_id = tx.type_id
    if type_id == BLOB_TRANSACTION_TYPE:
        raise TransactionRejected("transaction type not supported: this chain carries no blobs (EIP-4844)")
    if tx.chain_id is None:
        raise TransactionRejected("only replay-protected (EIP-155) transactions allowed over RPC")
    if tx.chain_id != chain_id:
        raise TransactionRejected(f"invalid chain id for signer: have {tx.chain_id} want {chain_id}")
    if not tx.to and len(tx.data) > MAX_INITCODE_SIZE:
        raise TransactionRejected(
            f"max initcode size exceeded: code size {len(tx.data)}, limit {MAX_INITCODE_SIZE}"
        )
    if tx.gas > block_gas_limit:
        raise TransactionRejected(f"exceeds block gas limit: gas {tx.gas}, block gas limit {block_gas_limit}")
    if tx.max_priority_fee_per_gas > tx.max_fee_per_gas:
        raise TransactionRejected(
            "max priority fee per gas higher than max fee per gas: "
            f"address {_address(tx.sender)}, maxPriorityFeePerGas: {tx.max_priority_fee_per_gas}, "
            f"maxFeePerGas: {tx.max_fee_per_gas}"
        )
    needed = intrinsic_gas(tx)
    if tx.gas < needed:
        raise TransactionRejected(f"intrinsic gas too low: gas {tx.gas}, minimum needed {needed}")
    floor = floor_data_gas(tx)
    if tx.gas < floor:
        raise TransactionRejected(
            f"insufficient gas for floor data gas cost: gas {tx.gas}, minimum needed {floor}"
        )


@dataclass(frozen=True)
class SenderView:
    """What the node knows of a sender when it checks a transaction (under its queue lock)."""

    committed_nonce: int
    """The nonce in the head block's state."""
    next_nonce: int
    """The next nonce counting what is queued or being mined (the "pending" nonce)."""
    balance: int
    base_fee: int
    """The base fee of the next block."""


Admission = Literal["queue", "hold"]
"""``queue``: the transaction's nonce is the next one, mine it; ``hold``: it waits for a gap to fill."""


def check_with_state(tx: SignedTransactionAPI, view: SenderView) -> Admission:
    """The checks against the sender's nonce, the base fee and the balance."""
    sender = _address(tx.sender)
    if tx.nonce < view.committed_nonce:
        raise TransactionRejected(
            f"nonce too low: address {sender}, tx: {tx.nonce} state: {view.committed_nonce}"
        )
    if tx.nonce < view.next_nonce:
        raise TransactionRejected(
            f"replacement transaction underpriced: nonce {tx.nonce} of {sender} is already taken by a "
            "queued transaction (this node does not replace queued transactions)"
        )
    if tx.nonce - view.next_nonce >= MAX_NONCE_GAP:
        raise TransactionRejected(
            f"nonce too high: address {sender}, tx: {tx.nonce} state: {view.next_nonce} "
            f"(at most {MAX_NONCE_GAP - 1} ahead of the next nonce are held)"
        )
    if tx.max_fee_per_gas < view.base_fee:
        raise TransactionRejected(
            f"max fee per gas less than block base fee: address {sender}, "
            f"maxFeePerGas: {tx.max_fee_per_gas}, baseFee: {view.base_fee}"
        )
    cost = tx.gas * tx.max_fee_per_gas + tx.value
    if view.balance < cost:
        raise TransactionRejected(
            f"insufficient funds for gas * price + value: address {sender} have {view.balance} want {cost}"
        )
    return "queue" if tx.nonce == view.next_nonce else "hold"


# ---------------------------------------------------------------------- account permissioning

TRANSACTION_ALLOWED_SELECTOR: Final = keccak(
    text="transactionAllowed(address,address,uint256,uint256,uint256,bytes)"
)[:4]
"""Besu's ``AccountRulesProxy.transactionAllowed``, which ``Consortium`` implements."""


@dataclass(frozen=True)
class ChainView:
    """What permissioning needs of the node: a read at the head, the head's number and hash, and whether
    an account emitted any log in a block range (from the node's log index)."""

    call: Callable[[bytes, bytes], bytes]
    head: Callable[[], tuple[int, bytes]]
    logged: Callable[[bytes, int, int], bool]


@dataclass
class AccountPermissioning:
    """Who may send: the Consortium's ``transactionAllowed`` once it exists, the genesis operator before.

    This is Besu's on-chain account permissioning: the node asks the rules contract about each sender at
    submission, against the head block. Before the Consortium is deployed (Besu's bootstrap, when the
    rules contract is not yet in place) only the genesis operator, who deploys it, may send.

    Answers are remembered per sender until the Consortium emits a log: every change to what
    ``transactionAllowed`` reads (the allow-list, DEFAULT_ADMIN_ROLE) emits an event (``AccountAllowed``,
    ``AccountDisallowed``, ``RoleGranted``, ``RoleRevoked``), so a block without a Consortium log leaves
    every answer as it was, and the EVM call (milliseconds) is made once per sender, not per transaction.
    """

    operator: bytes
    """The genesis operator's canonical address."""
    consortium: Callable[[], bytes | None]
    """Where the deployed Consortium is (canonical address), or None before it is deployed."""
    _answers: dict[bytes, bool] = field(default_factory=dict, init=False, repr=False)
    _checked_to: tuple[int, bytes] = field(default=(-1, b""), init=False, repr=False)
    """The head block up to which the remembered answers hold."""
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def check(self, tx: SignedTransactionAPI, chain: ChainView) -> None:
        """Raise :class:`SenderNotPermitted` unless ``tx``'s sender may send (a revert or a malformed
        answer from the Consortium refuses: permissioning fails closed)."""
        sender: bytes = tx.sender
        rules = self.consortium()
        if rules is None:
            if sender != self.operator:
                raise SenderNotPermitted(
                    f"{NOT_PERMITTED}: {_address(sender)}; until the Consortium is deployed only the "
                    f"genesis operator {_address(self.operator)} may send"
                )
            return
        if not self._allowed(tx, rules, chain):
            raise SenderNotPermitted(
                f"{NOT_PERMITTED}: {_address(sender)} is not allowed by the Consortium at {_address(rules)}"
            )

    def _allowed(self, tx: SignedTransactionAPI, rules: bytes, chain: ChainView) -> bool:
        head = chain.head()
        with self._lock:
            if head != self._checked_to:
                checked, _ = self._checked_to
                # A head that did not grow from the checked one (a reverted snapshot) forgets everything.
                if not 0 <= checked < head[0] or chain.logged(rules, checked + 1, head[0]):
                    self._answers.clear()
                self._checked_to = head
            known = self._answers.get(tx.sender)
        if known is not None:
            return known
        data = TRANSACTION_ALLOWED_SELECTOR + abi_encode(
            ["address", "address", "uint256", "uint256", "uint256", "bytes"],
            [
                _address(tx.sender),
                _address(tx.to or b"\x00" * 20),
                tx.value,
                tx.max_fee_per_gas,
                tx.gas,
                tx.data,
            ],
        )
        try:
            answer = chain.call(rules, data)
        except Exception as exc:  # a revert or a missing contract: refuse rather than let anyone in
            raise SenderNotPermitted(
                f"{NOT_PERMITTED}: the Consortium at {_address(rules)} did not answer ({exc})"
            ) from None
        allowed = len(answer) == 32 and int.from_bytes(answer, "big") == 1
        with self._lock:
            if self._checked_to == head:  # not if a block came meanwhile: it may have changed the answer
                self._answers[tx.sender] = allowed
        return allowed


# ---------------------------------------------------------------------- held (gapped) transactions


@dataclass
class HeldTransactions:
    """Transactions whose nonce is ahead of their sender's next, until the gap fills (geth's queue)."""

    by_sender: dict[bytes, dict[int, SignedTransactionAPI]] = field(default_factory=dict)
    hashes: set[bytes] = field(default_factory=set)

    def hold(self, tx: SignedTransactionAPI) -> None:
        if len(self.hashes) >= MAX_HELD_TRANSACTIONS:
            raise TransactionRejected(
                f"txpool is full: {MAX_HELD_TRANSACTIONS} transactions wait on nonce gaps"
            )
        held = self.by_sender.setdefault(tx.sender, {})
        if tx.nonce in held:
            raise TransactionRejected(
                f"replacement transaction underpriced: nonce {tx.nonce} of {_address(tx.sender)} is already "
                "held (this node does not replace held transactions)"
            )
        held[tx.nonce] = tx
        self.hashes.add(tx.hash)

    def ready(self, sender: bytes, next_nonce: int) -> Iterator[SignedTransactionAPI]:
        """Take the sender's held transactions that now follow on gaplessly from ``next_nonce``."""
        held = self.by_sender.get(sender)
        while held and next_nonce in held:
            tx = held.pop(next_nonce)
            self.hashes.discard(tx.hash)
            next_nonce += 1
            yield tx
        if held is not None and not held:
            del self.by_sender[sender]

    def clear(self) -> None:
        self.by_sender.clear()
        self.hashes.clear()


def _address(value: bytes) -> str:
    return to_checksum_address(value)

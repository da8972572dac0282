"""``ChainClient``: the only way Python code in this product reads from or writes to a chain.

It signs with the sender's own key, allocates nonces safely, simulates every transaction before
sending it (so a revert is reported with its custom error and nothing is sent), waits for the
receipt, and decodes events and errors against the compiled contracts' ABIs.

Transactions are EIP-1559 (type 2), built and signed with py-evm's transaction builder and eth-keys
(coincurve): the same bytes as eth-account's ``sign_transaction`` (RFC 6979 signatures are
deterministic), in a third of its time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from eth.constants import CREATE_CONTRACT_ADDRESS
from eth.vm.forks.prague.transactions import PragueTransactionBuilder
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import PrivateKey
from eth_typing import Address, ChecksumAddress
from eth_utils import to_canonical_address

from chain_client.abi import ContractAbi, DecodedEvent
from chain_client.backends.base import Backend
from chain_client.compiler import artifact_names, load_artifact
from chain_client.errors import ContractReverted, ExecutionReverted, TransactionFailed, TransactionRejected
from chain_client.nonces import NonceManager
from chain_client.revert_decoder import RevertDecoder
from chain_client.types import BlockId, CallParams, Log, LogFilter, Receipt

log = structlog.get_logger(__name__)

_FEE_CACHE_SECONDS = 1.0


@dataclass(frozen=True)
class TxResult:
    """A mined, successful transaction: its receipt and the events it emitted, decoded."""

    receipt: Receipt
    events: tuple[DecodedEvent, ...]

    @property
    def tx_hash(self) -> bytes:
        return self.receipt.transaction_hash

    def event(self, name: str) -> DecodedEvent:
        """The one event called ``name`` (raises if there is none or more than one)."""
        found = self.events_named(name)
        if len(found) != 1:
            raise LookupError(f"expected one {name} event, found {len(found)}")
        return found[0]

    def events_named(self, name: str) -> list[DecodedEvent]:
        return [event for event in self.events if event.name == name]


@dataclass(frozen=True)
class PendingTransaction:
    """A transaction accepted by the node and not yet known to be mined."""

    client: ChainClient
    tx_hash: bytes
    params: CallParams

    def wait(self, timeout: float | None = None) -> Receipt:
        """Wait for the receipt; a failed transaction raises ``ContractReverted`` or ``TransactionFailed``."""
        return self.client.wait_for(self, timeout)


class ChainClient:
    """Reads, signed writes and event decoding over one ``Backend``."""

    def __init__(
        self,
        backend: Backend,
        *,
        receipt_timeout: float = 60.0,
        nonce_lock_dir: Path | None = None,
        priority_fee: int = 0,
    ) -> None:
        self.backend = backend
        self.receipt_timeout = receipt_timeout
        self._nonces = NonceManager(backend, nonce_lock_dir)
        self._priority_fee = priority_fee
        self._abis: dict[str, ContractAbi] = {}
        self._abis_lock = threading.Lock()
        self._revert_decoder: RevertDecoder | None = None
        self._fee_cache: tuple[float, int] = (0.0, 0)
        self._signing_keys: dict[str, PrivateKey] = {}
        self._canonical_addresses: dict[str, Address] = {}
        self.chain_id = backend.chain_id()

    def close(self) -> None:
        self.backend.close()

    # ------------------------------------------------------------------ ABIs

    def abi(self, contract_name: str) -> ContractAbi:
        """The ABI of a compiled contract, loaded once."""
        with self._abis_lock:
            if contract_name not in self._abis:
                self._abis[contract_name] = ContractAbi(load_artifact(contract_name)["abi"])
            return self._abis[contract_name]

    def _decoder(self) -> RevertDecoder:
        if self._revert_decoder is None:
            self._revert_decoder = RevertDecoder(self.abi(name) for name in artifact_names())
        return self._revert_decoder

    def decode_revert(self, error: ExecutionReverted) -> ContractReverted:
        return self._decoder().decode(error.data, error.reason)

    def decode_revert_data(self, data: bytes) -> ContractReverted:
        """Name raw revert data (e.g. from another tool) against every compiled contract."""
        return self._decoder().decode(data)

    # ------------------------------------------------------------------ reads

    def block_number(self) -> int:
        return self.backend.block_number()

    def balance(self, account: ChecksumAddress, block: BlockId = "latest") -> int:
        return self.backend.get_balance(account, block)

    def call(
        self,
        to: ChecksumAddress,
        data: bytes,
        *,
        sender: ChecksumAddress | None = None,
        block: BlockId = "latest",
    ) -> bytes:
        """Execute a read; a revert raises ``ContractReverted``."""
        try:
            return self.backend.call(CallParams(to=to, data=data, sender=sender), block)
        except ExecutionReverted as exc:
            raise self.decode_revert(exc) from None

    def get_logs(
        self,
        *,
        from_block: int = 0,
        to_block: BlockId = "latest",
        addresses: Sequence[ChecksumAddress] = (),
        topics: Sequence[Sequence[bytes] | None] = (),
    ) -> list[Log]:
        last = self.block_number() if to_block == "latest" else to_block
        if not isinstance(last, int):
            raise ValueError(f"to_block must be a number or 'latest', not {to_block!r}")
        log_filter = LogFilter(
            from_block=from_block,
            to_block=last,
            addresses=tuple(addresses),
            topics=tuple(None if wanted is None else tuple(wanted) for wanted in topics),
        )
        return self.backend.get_logs(log_filter)

    def decode_events(self, logs: Iterable[Log], abis: Iterable[ContractAbi]) -> tuple[DecodedEvent, ...]:
        """Decode each log with the first ABI that knows its event; unknown logs are skipped."""
        abi_list = list(abis)
        decoded = []
        for entry in logs:
            for abi in abi_list:
                event = abi.decode_log(entry)
                if event is not None:
                    decoded.append(event)
                    break
        return tuple(decoded)

    # ------------------------------------------------------------------ writes

    def _max_fee(self) -> int:
        fetched_at, base_fee = self._fee_cache
        now = time.monotonic()
        if now - fetched_at > _FEE_CACHE_SECONDS:
            base_fee = self.backend.next_base_fee()
            self._fee_cache = (now, base_fee)
        # Twice the base fee survives several full blocks of EIP-1559 increases.
        return 2 * base_fee + self._priority_fee

    def estimate_gas(self, params: CallParams) -> int:
        """Simulate ``params``; a revert raises ``ContractReverted`` and nothing is sent."""
        try:
            return self.backend.estimate_gas(params)
        except ExecutionReverted as exc:
            raise self.decode_revert(exc) from None

    def submit(
        self,
        sender: LocalAccount,
        to: ChecksumAddress | None,
        data: bytes = b"",
        *,
        value: int = 0,
        gas: int | None = None,
    ) -> PendingTransaction:
        """Simulate (unless ``gas`` is given), sign and send; returns without waiting for the block."""
        params = CallParams(to=to, data=data, sender=sender.address, value=value, gas=gas)
        if gas is None:
            gas = self.estimate_gas(params)
        for attempt in range(2):
            try:
                tx_hash, nonce = self._sign_and_send(sender, to, data, value, gas)
            except TransactionRejected as exc:
                reason = str(exc).lower()
                # A retry is safe for two refusals that a fresh read cures: another process used the
                # nonce between our read and the node's check, or the base fee moved past our cached
                # one (a burst of full blocks, or a test that reverted the chain).
                if attempt == 1 or not ("nonce" in reason or "fee" in reason):
                    raise
                self._fee_cache = (0.0, 0)
                continue
            log.debug("transaction sent", tx_hash="0x" + tx_hash.hex(), sender=sender.address, nonce=nonce)
            return PendingTransaction(self, tx_hash, params)
        raise AssertionError("unreachable")  # pragma: no cover

    def _sign_and_send(
        self, sender: LocalAccount, to: ChecksumAddress | None, data: bytes, value: int, gas: int
    ) -> tuple[bytes, int]:
        max_fee = self._max_fee()
        with self._nonces.reserve(sender.address) as nonce:
            raw = self.sign_transaction(sender, to, data, nonce=nonce, gas=gas, max_fee=max_fee, value=value)
            return self.backend.send_raw_transaction(raw), nonce

    def sign_transaction(
        self,
        sender: LocalAccount,
        to: ChecksumAddress | None,
        data: bytes = b"",
        *,
        nonce: int,
        gas: int,
        max_fee: int,
        value: int = 0,
    ) -> bytes:
        """An EIP-1559 (type 2) transaction for this chain, signed by ``sender``, encoded as the node
        takes it (EIP-2718 envelope); ``to=None`` creates a contract. Nothing is sent."""
        unsigned = PragueTransactionBuilder.new_unsigned_dynamic_fee_transaction(
            chain_id=self.chain_id,
            nonce=nonce,
            max_priority_fee_per_gas=self._priority_fee,
            max_fee_per_gas=max_fee,
            gas=gas,
            to=self._canonical(to) if to is not None else CREATE_CONTRACT_ADDRESS,
            value=value,
            data=data,
            access_list=(),
        )
        raw: bytes = unsigned.as_signed_transaction(
            self._signing_key(sender), chain_id=self.chain_id
        ).encode()
        return raw

    def _canonical(self, address: ChecksumAddress) -> Address:
        """``address`` as 20 bytes, remembered: checking a checksum address costs a keccak."""
        canonical = self._canonical_addresses.get(address)
        if canonical is None:
            if len(self._canonical_addresses) >= 4_096:
                self._canonical_addresses.clear()
            canonical = self._canonical_addresses[address] = Address(to_canonical_address(address))
        return canonical

    def _signing_key(self, sender: LocalAccount) -> PrivateKey:
        """The sender's key as eth-keys holds it, built once (deriving the public key is not free)."""
        key = self._signing_keys.get(sender.address)
        if key is None:
            key = self._signing_keys[sender.address] = PrivateKey(bytes(sender.key))
        return key

    def send_raw(self, raw: bytes, params: CallParams | None = None) -> PendingTransaction:
        """Send an already signed transaction."""
        tx_hash = self.backend.send_raw_transaction(raw)
        return PendingTransaction(self, tx_hash, params or CallParams(to=None))

    def wait_for(self, pending: PendingTransaction, timeout: float | None = None) -> Receipt:
        receipt = self.backend.wait_for_receipt(pending.tx_hash, timeout or self.receipt_timeout)
        if receipt.succeeded:
            return receipt
        if receipt.revert_data:  # the node kept the revert data as the transaction met it
            raise self._decoder().decode(receipt.revert_data)
        # Otherwise replay to name the error: on the state before the block, then (when transactions
        # ahead of it in the same block changed the outcome) on the state after it.
        for block in (max(receipt.block_number - 1, 0), receipt.block_number):
            try:
                self.backend.call(pending.params, block)
            except ExecutionReverted as exc:
                raise self.decode_revert(exc) from None
        raise TransactionFailed(receipt.transaction_hash, receipt.gas_used)

    def transact(
        self,
        sender: LocalAccount,
        to: ChecksumAddress | None,
        data: bytes = b"",
        *,
        value: int = 0,
        gas: int | None = None,
        abis: Sequence[ContractAbi] = (),
    ) -> TxResult:
        """Send and wait; returns the receipt with the events decoded against ``abis``."""
        receipt = self.submit(sender, to, data, value=value, gas=gas).wait()
        return TxResult(receipt=receipt, events=self.decode_events(receipt.logs, abis))

    def deploy(self, contract_name: str, deployer: LocalAccount, *args: Any) -> TxResult:
        """Deploy a compiled contract; the new address is ``result.receipt.contract_address``."""
        artifact = load_artifact(contract_name)
        abi = self.abi(contract_name)
        code = abi.encode_constructor(bytes.fromhex(artifact["bytecode"].removeprefix("0x")), *args)
        result = self.transact(deployer, None, code, abis=[abi])
        log.info("contract deployed", contract=contract_name, address=result.receipt.contract_address)
        return result

    def send_value(self, sender: LocalAccount, to: ChecksumAddress, value: int) -> Receipt:
        """Move native currency (gas money) from ``sender`` to ``to``."""
        return self.submit(sender, to, value=value, gas=21_000).wait()

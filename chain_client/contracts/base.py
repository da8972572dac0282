"""The base every typed contract wrapper shares: ABI loading, reads, writes, event queries."""

from __future__ import annotations

from typing import Any, ClassVar, Self

import structlog
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from chain_client.abi import ContractAbi, DecodedEvent
from chain_client.client import ChainClient, TxResult
from chain_client.types import BlockId

log = structlog.get_logger(__name__)


class ContractWrapper:
    """One deployed contract; subclasses give each function a typed method."""

    ARTIFACT: ClassVar[str]
    """The compiled contract's name, e.g. ``"DepositToken"``."""

    def __init__(self, client: ChainClient, address: str) -> None:
        self.client = client
        self.address: ChecksumAddress = to_checksum_address(address)
        self.abi: ContractAbi = client.abi(self.ARTIFACT)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address})"

    @classmethod
    def deploy(cls, client: ChainClient, deployer: LocalAccount, *args: Any) -> Self:
        result = client.deploy(cls.ARTIFACT, deployer, *args)
        address = result.receipt.contract_address
        if address is None:
            raise RuntimeError(f"deploying {cls.ARTIFACT} returned no contract address")
        return cls(client, address)

    def _read(self, function: str, *args: Any, block: BlockId = "latest") -> Any:
        output = self.client.call(self.address, self.abi.encode_call(function, *args), block=block)
        result = self.abi.decode_result(function, output)
        log.debug("contract read", contract=self.ARTIFACT, function=function, result=result)
        return result

    def _write(self, sender: LocalAccount, function: str, *args: Any, value: int = 0) -> TxResult:
        data = self.abi.encode_call(function, *args)
        result = self.client.transact(sender, self.address, data, value=value, abis=[self.abi])
        log.debug(
            "contract write",
            contract=self.ARTIFACT,
            function=function,
            tx_hash="0x" + result.tx_hash.hex(),
            gas_used=result.receipt.gas_used,
        )
        return result

    def events(self, name: str, *, from_block: int = 0, to_block: BlockId = "latest") -> list[DecodedEvent]:
        """Every ``name`` event this contract emitted in the block range, oldest first."""
        logs = self.client.get_logs(
            from_block=from_block,
            to_block=to_block,
            addresses=[self.address],
            topics=[[self.abi.event_topic(name)]],
        )
        return [event for event in (self.abi.decode_log(entry) for entry in logs) if event is not None]

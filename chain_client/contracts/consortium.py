"""Typed wrapper of ``contracts/Consortium.sol``: roles, the allow-list of accounts and the list of nodes."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address

from chain_client.client import TxResult
from chain_client.contracts.base import ContractWrapper

DEFAULT_ADMIN_ROLE: Final = b"\x00" * 32
BANK_ROLE: Final = keccak(text="BANK_ROLE")
REGULATOR_ROLE: Final = keccak(text="REGULATOR_ROLE")
ORACLE_ROLE: Final = keccak(text="ORACLE_ROLE")
GOVERNMENT_ROLE: Final = keccak(text="GOVERNMENT_ROLE")
LEDGER_CONTRACT_ROLE: Final = keccak(text="LEDGER_CONTRACT_ROLE")
"""Held by the ledger's own contracts (pools, escrow, registry...): only the consortium may bar them."""

_ENODE_ID: Final = re.compile(r"[0-9a-f]{128}")


@dataclass(frozen=True)
class Enode:
    """A node as Besu's node permissioning (``NodeRulesProxy`` version 2) names it.

    ``enode_id`` is the node's public key as 128 lowercase hex characters; ``host`` is its IP address as text;
    ``port`` its P2P port. Besu calls ``connectionAllowed(enodeId, enodeHost, enodePort)`` with the id unprefixed
    and the host as ``0x`` plus the hex of the address text (``NodeSmartContractV2PermissioningController``), which
    :attr:`besu_host` reproduces.
    """

    enode_id: str
    host: str
    port: int

    def __post_init__(self) -> None:
        if not _ENODE_ID.fullmatch(self.enode_id):
            raise ValueError(f"an enode id is 128 lowercase hex characters, not {self.enode_id!r}")
        ipaddress.ip_address(self.host)  # Besu passes the address, never a name
        if not 0 < self.port < 2**16:
            raise ValueError(f"port {self.port} is out of range")

    @classmethod
    def from_url(cls, url: str) -> Enode:
        """Parse ``enode://<id>@<ip>:<port>`` (any query such as ``?discport=`` is ignored)."""
        parts = urlsplit(url)
        if parts.scheme != "enode" or parts.username is None or parts.hostname is None or parts.port is None:
            raise ValueError(f"not an enode URL: {url!r}")
        return cls(parts.username.lower(), parts.hostname, parts.port)

    @property
    def besu_host(self) -> str:
        """The host as Besu passes it to ``connectionAllowed``: ``0x`` and the hex of the address text."""
        return "0x" + str(ipaddress.ip_address(self.host)).encode().hex()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"enode://{self.enode_id}@{host}:{self.port}"

    def as_args(self) -> tuple[str, str, int]:
        """The ``(enodeId, enodeHost, enodePort)`` arguments of the contract's node functions."""
        return (self.enode_id, self.besu_host, self.port)


@dataclass(frozen=True)
class ListedNode:
    """A node on the consortium's list and the bank that runs it (``IConsortium.Node``)."""

    enode_id: str
    enode_host: str
    enode_port: int
    operator: ChecksumAddress

    @classmethod
    def from_tuple(cls, value: Sequence[Any]) -> ListedNode:
        return cls(str(value[0]), str(value[1]), int(value[2]), to_checksum_address(value[3]))


class Consortium(ContractWrapper):
    """The consortium of banks: who holds which role, which accounts may transact, which nodes may connect.

    Admin actions (``grant_role``, ``revoke_role``, ``allow_node``...) need DEFAULT_ADMIN_ROLE: the deployer during
    bootstrap, then the banks' council; the ``*_data`` methods give their calldata for a council proposal
    (:class:`chain_client.contracts.ConsortiumCouncil`).
    """

    ARTIFACT = "Consortium"

    # ------------------------------------------------------------------ roles

    def has_role(self, role: bytes, account: str) -> bool:
        return bool(self._read("hasRole", role, account))

    def role_members(self, role: bytes) -> list[ChecksumAddress]:
        """Every holder of ``role`` (AccessControlEnumerable's ``getRoleMembers``)."""
        return [to_checksum_address(member) for member in self._read("getRoleMembers", role)]

    def role_member_count(self, role: bytes) -> int:
        return int(self._read("getRoleMemberCount", role))

    def grant_role(self, admin: LocalAccount, role: bytes, account: str) -> TxResult:
        return self._write(admin, "grantRole", role, account)

    def revoke_role(self, admin: LocalAccount, role: bytes, account: str) -> TxResult:
        """Revoke ``role`` from ``account`` (``ConsortiumLastMember`` for the last admin or the last bank)."""
        return self._write(admin, "revokeRole", role, account)

    def renounce_role(self, holder: LocalAccount, role: bytes) -> TxResult:
        """``holder`` gives up ``role`` (``ConsortiumLastMember`` for the last admin or the last bank)."""
        return self._write(holder, "renounceRole", role, holder.address)

    def grant_role_data(self, role: bytes, account: str) -> bytes:
        """Calldata of ``grantRole``, for a council proposal."""
        return self.abi.encode_call("grantRole", role, account)

    def revoke_role_data(self, role: bytes, account: str) -> bytes:
        """Calldata of ``revokeRole``, for a council proposal."""
        return self.abi.encode_call("revokeRole", role, account)

    # ------------------------------------------------------------------ the allow-list

    def allow_account(self, sender: LocalAccount, account: str) -> TxResult:
        """Put ``account`` on the allow-list (the consortium admin or a bank)."""
        return self._write(sender, "allowAccount", account)

    def disallow_account(self, sender: LocalAccount, account: str) -> TxResult:
        """Take ``account`` off the allow-list: the admin any account, the regulator any but the ledger's own
        contracts, a bank only the accounts it sponsored."""
        return self._write(sender, "disallowAccount", account)

    def allow_account_data(self, account: str) -> bytes:
        """Calldata of ``allowAccount``, for a council proposal."""
        return self.abi.encode_call("allowAccount", account)

    def disallow_account_data(self, account: str) -> bytes:
        """Calldata of ``disallowAccount``, for a council proposal."""
        return self.abi.encode_call("disallowAccount", account)

    def is_allowed(self, account: str) -> bool:
        return bool(self._read("isAllowed", account))

    def transaction_allowed(
        self,
        sender: str,
        target: str | None = None,
        value: int = 0,
        gas_price: int = 0,
        gas_limit: int = 0,
        payload: bytes = b"",
    ) -> bool:
        """Besu's account permissioning question (``AccountRulesProxy.transactionAllowed``) for ``sender``."""
        zero = "0x" + "00" * 20
        return bool(
            self._read("transactionAllowed", sender, target or zero, value, gas_price, gas_limit, payload)
        )

    def sponsor_of(self, account: str) -> ChecksumAddress | None:
        """Who allowed ``account`` (an admin or a bank; the consortium itself for its own contracts), or None."""
        found = to_checksum_address(self._read("sponsorOf", account))
        return None if int(found, 16) == 0 else found

    def first_not_allowed(self, first: str, second: str) -> ChecksumAddress | None:
        """The first of the two not on the allow-list (a zero address counts as allowed), or None."""
        found = to_checksum_address(self._read("firstNotAllowed", first, second))
        return None if int(found, 16) == 0 else found

    # ------------------------------------------------------------------ the node list

    def allow_node(self, admin: LocalAccount, enode: Enode, operator: str) -> TxResult:
        """Put ``enode`` (run by bank ``operator``) on the node list (DEFAULT_ADMIN_ROLE)."""
        return self._write(admin, "allowNode", *enode.as_args(), operator)

    def disallow_node(self, admin: LocalAccount, enode: Enode) -> TxResult:
        """Take ``enode`` off the node list (DEFAULT_ADMIN_ROLE)."""
        return self._write(admin, "disallowNode", *enode.as_args())

    def allow_node_data(self, enode: Enode, operator: str) -> bytes:
        """Calldata of ``allowNode``, for a council proposal."""
        return self.abi.encode_call("allowNode", *enode.as_args(), operator)

    def disallow_node_data(self, enode: Enode) -> bytes:
        """Calldata of ``disallowNode``, for a council proposal."""
        return self.abi.encode_call("disallowNode", *enode.as_args())

    def connection_allowed(self, enode_id: str, enode_host: str, enode_port: int) -> bool:
        """Besu's node permissioning question (``NodeRulesProxy`` v2 ``connectionAllowed``), with its raw
        arguments (see :class:`Enode` for how Besu encodes them)."""
        return bool(self._read("connectionAllowed", enode_id, enode_host, enode_port))

    def node_allowed(self, enode: Enode) -> bool:
        """Whether ``enode`` may connect, asked as Besu asks."""
        return self.connection_allowed(*enode.as_args())

    def nodes(self) -> list[ListedNode]:
        """Every node on the consortium's list."""
        return [ListedNode.from_tuple(node) for node in self._read("nodes")]

    def node_key_of(self, enode: Enode) -> bytes:
        return bytes(self._read("nodeKeyOf", *enode.as_args()))

"""Roles read from the chain at request time, cached for at most one block.

An account's roles are what the contracts say now: the Consortium's role grants (consortium admin, bank,
regulator, oracle, government) and, for an institution the registry holds as active, its kind (charity,
government agency, supplier, hospital, logistics firm, local government). Nothing is kept in a table of
the API; the cache is keyed by the block number, so a grant, a revocation or a suspension shows from the
next block on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from eth_typing import ChecksumAddress

from chain_client.client import ChainClient
from chain_client.contracts import (
    BANK_ROLE,
    DEFAULT_ADMIN_ROLE,
    GOVERNMENT_ROLE,
    ORACLE_ROLE,
    REGULATOR_ROLE,
    Consortium,
    InstitutionKind,
    InstitutionRegistry,
)


class Role(StrEnum):
    """What an account may do, as the chain says."""

    CONSORTIUM_ADMIN = "consortium_admin"
    BANK = "bank"
    REGULATOR = "regulator"
    ORACLE = "oracle"
    GOVERNMENT = "government"
    CHARITY = "charity"
    GOVERNMENT_AGENCY = "government_agency"
    SUPPLIER = "supplier"
    HOSPITAL = "hospital"
    LOGISTICS = "logistics"
    LOCAL_GOVERNMENT = "local_government"


_CONSORTIUM_ROLES = (
    (Role.CONSORTIUM_ADMIN, DEFAULT_ADMIN_ROLE),
    (Role.BANK, BANK_ROLE),
    (Role.REGULATOR, REGULATOR_ROLE),
    (Role.ORACLE, ORACLE_ROLE),
    (Role.GOVERNMENT, GOVERNMENT_ROLE),
)
_INSTITUTION_ROLES = {
    InstitutionKind.CHARITY: Role.CHARITY,
    InstitutionKind.GOVERNMENT_AGENCY: Role.GOVERNMENT_AGENCY,
    InstitutionKind.SUPPLIER: Role.SUPPLIER,
    InstitutionKind.HOSPITAL: Role.HOSPITAL,
    InstitutionKind.LOGISTICS: Role.LOGISTICS,
    InstitutionKind.LOCAL_GOVERNMENT: Role.LOCAL_GOVERNMENT,
}

CHARITY_ROLES = frozenset({Role.CHARITY, Role.GOVERNMENT_AGENCY})
"""Who launches and runs relief plans (a government agency is a charity whose plans need no approval)."""
THIRD_PARTY_ROLES = frozenset({Role.SUPPLIER, Role.HOSPITAL, Role.LOGISTICS})


@dataclass(frozen=True)
class AccountRoles:
    """An account's roles as of ``block_number``."""

    account: ChecksumAddress
    block_number: int
    roles: frozenset[Role]
    allowed: bool
    """Whether the Consortium allow-lists the account (it may transact)."""

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & roles)


class RoleReader:
    """Reads roles from the Consortium and the InstitutionRegistry; caches them for one block."""

    def __init__(self, client: ChainClient, consortium: Consortium, registry: InstitutionRegistry) -> None:
        self.client = client
        self.consortium = consortium
        self.registry = registry
        self._lock = threading.Lock()
        self._cache: dict[ChecksumAddress, AccountRoles] = {}

    def roles_of(self, account: ChecksumAddress) -> AccountRoles:
        block = self.client.block_number()
        with self._lock:
            cached = self._cache.get(account)
        if cached is not None and cached.block_number == block:
            return cached
        found = {role for role, role_id in _CONSORTIUM_ROLES if self.consortium.has_role(role_id, account)}
        kind = self.registry.kind_of(account, block=block)
        if kind in _INSTITUTION_ROLES and self.registry.is_active(account, block=block):
            found.add(_INSTITUTION_ROLES[kind])
        roles = AccountRoles(account, block, frozenset(found), self.consortium.is_allowed(account))
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[account] = roles
        return roles

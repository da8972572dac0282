"""The routes' dependencies, as ``Annotated`` aliases (after the FastAPI full-stack template).

- ``PlatformDep``: the process's :class:`~api.core.platform.Platform`; ``SettingsDep``, ``Chain``,
  ``LedgerDep`` its parts.
- ``CurrentUser``: the signed-in :class:`~api.core.security.Session` (401 without a valid token).
- ``Signer``: the unlocked key of a password session (403 ``KeyNotHeld`` for a wallet session).
- ``ReadModelDep``: the indexer's read model (503 where this process has none).
- ``roles_required(...)``: a dependency that reads the account's roles from the chain (cached one block)
  and answers 403 ``RoleRequired`` unless it holds one of them (saying so when a regulator suspended the
  caller's institution).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from eth_account.signers.local import LocalAccount
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.core.errors import NotSignedIn, ReadModelUnavailable, RoleRequired
from api.core.platform import Platform
from api.core.roles import AccountRoles, Role
from api.core.security import Session
from api.indexer import ReadModel
from chain_client.client import ChainClient
from chain_client.config import Settings
from chain_client.deploy import Ledger


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


PlatformDep = Annotated[Platform, Depends(get_platform)]


def get_settings(platform: PlatformDep) -> Settings:
    return platform.settings


def get_chain(platform: PlatformDep) -> ChainClient:
    return platform.client


def get_ledger(platform: PlatformDep) -> Ledger:
    return platform.ledger


SettingsDep = Annotated[Settings, Depends(get_settings)]
Chain = Annotated[ChainClient, Depends(get_chain)]
LedgerDep = Annotated[Ledger, Depends(get_ledger)]

_bearer = HTTPBearer(
    auto_error=False, description="a session token from POST /auth/password or /auth/eip4361"
)


def get_current_user(
    platform: PlatformDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Session:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotSignedIn("sign in first: send 'Authorization: Bearer <token>'")
    return platform.sessions.session_of(credentials.credentials)


CurrentUser = Annotated[Session, Depends(get_current_user)]


def get_signer(platform: PlatformDep, user: CurrentUser) -> LocalAccount:
    return platform.sessions.key_of(user)


Signer = Annotated[LocalAccount, Depends(get_signer)]


def get_roles(platform: PlatformDep, user: CurrentUser) -> AccountRoles:
    return platform.roles.roles_of(user.account)


CurrentRoles = Annotated[AccountRoles, Depends(get_roles)]


def _suspended_kind(platform: Platform, current: AccountRoles) -> str | None:
    """The kind of the caller's institution if a regulator suspended it (the registry's record as of the
    roles' block, ``IInstitutionRegistry.institutionOf``), else None."""
    institution = platform.ledger.registry.institution_of(current.account, block=current.block_number)
    return institution.kind.name.lower() if institution.suspended else None


def roles_required(*roles: Role) -> Callable[[Platform, AccountRoles], AccountRoles]:
    """A dependency: the caller's roles, if they include one of ``roles`` (else 403 ``RoleRequired``; the
    reason says when the caller is an institution a regulator suspended)."""
    wanted = frozenset(roles)

    def check(platform: PlatformDep, current: CurrentRoles) -> AccountRoles:
        if not current.has_any(wanted):
            held = ", ".join(sorted(current.roles)) or "no role"
            suspended = _suspended_kind(platform, current)
            why = (
                f": the institution is suspended, so its {suspended} role is withheld until a regulator "
                "reinstates it"
                if suspended is not None
                else ""
            )
            raise RoleRequired(
                f"this needs the role {' or '.join(sorted(wanted))}; {current.account} holds {held} "
                f"(as of block {current.block_number}){why}",
                detail={"required": sorted(wanted), "held": sorted(current.roles), "suspended": suspended},
            )
        return current

    return check


def get_read_model(platform: PlatformDep) -> ReadModel:
    if platform.read_model is None:
        raise ReadModelUnavailable("the read model (indexer) does not run in this process")
    return platform.read_model


ReadModelDep = Annotated[ReadModel, Depends(get_read_model)]
"""The indexer's read model: every list and search reads it, and says which block it is as of."""


BankRoles = Annotated[AccountRoles, Depends(roles_required(Role.BANK))]
RegulatorRoles = Annotated[AccountRoles, Depends(roles_required(Role.REGULATOR))]
GovernmentRoles = Annotated[AccountRoles, Depends(roles_required(Role.GOVERNMENT))]
CharityRoles = Annotated[AccountRoles, Depends(roles_required(Role.CHARITY, Role.GOVERNMENT_AGENCY))]

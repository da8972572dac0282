"""Sign-in bound to chain accounts: a password that unlocks an organisation's keystore, or EIP-4361."""

from __future__ import annotations

from fastapi import APIRouter

from api.core.errors import ERROR_RESPONSES
from api.core.security import IssuedSession
from api.deps import CurrentRoles, CurrentUser, PlatformDep
from api.schemas.auth import ChallengeOut, ChallengeRequest, Me, PasswordSignIn, SessionOut, SignatureSignIn
from api.schemas.common import AsOf, to_bytes

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


def _session_out(issued: IssuedSession) -> SessionOut:
    session = issued.session
    return SessionOut(
        token=issued.token, account=session.account, method=session.method, expires_at=session.expires_at
    )


@router.post("/password", response_model=SessionOut)
def sign_in_with_password(body: PasswordSignIn, platform: PlatformDep) -> SessionOut:
    """Unlock the organisation's keystore held by the platform; the key is kept in memory for the
    session's life only, and the platform signs that account's transactions while it lasts."""
    return _session_out(platform.sessions.sign_in_with_password(body.organisation, body.password))


@router.post("/challenge", response_model=ChallengeOut)
def eip4361_challenge(body: ChallengeRequest, platform: PlatformDep) -> ChallengeOut:
    """An EIP-4361 (Sign-In with Ethereum) message for ``address``: sign it with ``personal_sign`` and
    send it back to ``POST /auth/eip4361`` before it expires. Each nonce works once."""
    challenge = platform.sessions.challenge(body.address)
    return ChallengeOut(message=challenge.message, nonce=challenge.nonce, expires_at=challenge.expires_at)


@router.post("/eip4361", response_model=SessionOut)
def sign_in_with_signature(body: SignatureSignIn, platform: PlatformDep) -> SessionOut:
    """Sign in with the signature over an EIP-4361 challenge. The platform never holds this account's
    key: sign transactions in your wallet and send them with ``POST /transactions``."""
    return _session_out(platform.sessions.sign_in_with_signature(body.message, to_bytes(body.signature)))


@router.get("/me", response_model=Me)
def who_am_i(user: CurrentUser, roles: CurrentRoles, platform: PlatformDep) -> Me:
    """The session's account and the roles the chain gives it now (cached for at most one block)."""
    return Me(
        account=user.account,
        method=user.method,
        organisation=user.organisation,
        expires_at=user.expires_at,
        holds_key=platform.sessions.holds_key(user),
        roles=sorted(roles.roles),
        allowed=roles.allowed,
        as_of=AsOf(block_number=roles.block_number),
    )


@router.post("/logout", status_code=204)
def sign_out(user: CurrentUser, platform: PlatformDep) -> None:
    """End the session now: the token stops working and any held key is dropped."""
    platform.sessions.sign_out(user)

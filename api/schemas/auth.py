"""Sign-in, sessions and the signed-in account's roles."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.core.roles import Role
from api.schemas.common import Address, AsOf, Signature65


class PasswordSignIn(BaseModel):
    """An organisation's keystore name and the password that unlocks it."""

    organisation: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="keystore name", examples=["donor-alice"]
    )
    password: str = Field(min_length=1, max_length=1_024, examples=["the development password"])


class ChallengeRequest(BaseModel):
    address: Address


class ChallengeOut(BaseModel):
    """The EIP-4361 message to sign with ``personal_sign`` (EIP-191), exactly as given."""

    message: str
    nonce: str
    expires_at: int = Field(description="unix seconds")


class SignatureSignIn(BaseModel):
    message: str = Field(min_length=1, max_length=4_096, description="the EIP-4361 message, unchanged")
    signature: Signature65


class SessionOut(BaseModel):
    token: str = Field(description="send as 'Authorization: Bearer <token>'")
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    account: Address
    method: str = Field(examples=["password"])
    expires_at: int = Field(description="unix seconds")


class Me(BaseModel):
    """Who the session is, and the roles the chain gives the account now."""

    account: Address
    method: str
    organisation: str | None
    expires_at: int
    holds_key: bool = Field(description="whether the platform signs for this session (password sign-in)")
    roles: list[Role]
    allowed: bool = Field(description="on the Consortium's allow-list (may transact)")
    as_of: AsOf

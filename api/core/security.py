"""Sign-in bound to chain accounts, and short-lived signed session tokens.

Two ways in, both ending in a session token that names one account:

- **EIP-4361 (Sign-In with Ethereum)**: :meth:`SessionManager.challenge` writes the exact EIP-4361 message
  for an address (this API's domain and URI, the chain id, a single-use nonce, issued-at and expiration
  times); the user signs it with ``personal_sign`` (EIP-191, what eth-account's ``encode_defunct`` hashes)
  and :meth:`SessionManager.sign_in_with_signature` checks that the text is the one issued, unexpired and
  unused, and that the signature recovers to the address. The platform never sees the key, so such a
  session cannot have the platform sign for it: the user signs transactions in their own wallet and relays
  them (``POST /transactions``).
- **Password**: :meth:`SessionManager.sign_in_with_password` unlocks an organisation's encrypted keystore
  held by the platform (:class:`chain_client.keys.Keystore`); the unlocked key stays in this process's
  memory only, for the session's life, and is dropped at sign-out or expiry.

The token is a JWT (RFC 7519, HS256 with PyJWT) carrying the account, the session id, the method and the
expiry. Roles are never in it: they are read from the chain at request time (:mod:`api.core.roles`).
"""

from __future__ import annotations

import datetime
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlparse

import jwt
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from api.core.errors import KeyNotHeld, NotSignedIn, SignInFailed
from chain_client.errors import KeystoreError
from chain_client.keys import Keystore

SignInMethod = Literal["password", "eip4361"]

_ISSUER = "welfare-aid-ledger"
_ALGORITHM = "HS256"
SIGN_IN_STATEMENT = "Sign in to the welfare-aid ledger."


@dataclass(frozen=True)
class Session:
    """A signed-in account: who, how, until when (unix seconds)."""

    id: str
    account: ChecksumAddress
    method: SignInMethod
    expires_at: int
    organisation: str | None = None
    """The keystore name of a password session."""


@dataclass(frozen=True)
class IssuedSession:
    token: str
    session: Session


@dataclass(frozen=True)
class Challenge:
    """An EIP-4361 message issued to ``address``, valid until ``expires_at``."""

    address: ChecksumAddress
    nonce: str
    message: str
    issued_at: int
    expires_at: int


def _rfc3339(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(int(seconds), tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def eip4361_message(
    *,
    domain: str,
    address: str,
    uri: str,
    chain_id: int,
    nonce: str,
    issued_at: float,
    expires_at: float,
    statement: str = SIGN_IN_STATEMENT,
) -> str:
    """The EIP-4361 message text (section "Message Format"), exactly as the wallet shows and signs it."""
    return (
        f"{domain} wants you to sign in with your Ethereum account:\n"
        f"{to_checksum_address(address)}\n"
        "\n"
        f"{statement}\n"
        "\n"
        f"URI: {uri}\n"
        "Version: 1\n"
        f"Chain ID: {chain_id}\n"
        f"Nonce: {nonce}\n"
        f"Issued At: {_rfc3339(issued_at)}\n"
        f"Expiration Time: {_rfc3339(expires_at)}"
    )


def _nonce_of(message: str) -> str | None:
    for line in message.splitlines():
        if line.startswith("Nonce: "):
            return line.removeprefix("Nonce: ").strip()
    return None


class SessionManager:
    """Issues challenges and session tokens, checks tokens, and holds unlocked keys of password sessions.

    ``clock`` (unix seconds) is injectable so that tests move time explicitly.
    """

    def __init__(
        self,
        *,
        secret: bytes,
        url: str,
        chain_id: int,
        keystore: Keystore,
        session_ttl: int = 900,
        challenge_ttl: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret must be at least 32 bytes")
        self._secret = secret
        self.uri = url.rstrip("/")
        self.domain = urlparse(self.uri).netloc or self.uri
        self.chain_id = chain_id
        self.keystore = keystore
        self.session_ttl = session_ttl
        self.challenge_ttl = challenge_ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._challenges: dict[str, Challenge] = {}
        self._keys: dict[str, tuple[LocalAccount, int]] = {}
        self._ended: dict[str, int] = {}

    # ------------------------------------------------------------------ EIP-4361

    def challenge(self, address: str) -> Challenge:
        """A fresh EIP-4361 message for ``address`` to sign (single use, ``challenge_ttl`` seconds)."""
        now = self.clock()
        nonce = secrets.token_hex(16)
        account = to_checksum_address(address)
        expires = int(now) + self.challenge_ttl
        message = eip4361_message(
            domain=self.domain,
            address=account,
            uri=self.uri,
            chain_id=self.chain_id,
            nonce=nonce,
            issued_at=now,
            expires_at=expires,
        )
        challenge = Challenge(account, nonce, message, int(now), expires)
        with self._lock:
            self._forget_expired(now)
            self._challenges[nonce] = challenge
        return challenge

    def sign_in_with_signature(self, message: str, signature: bytes) -> IssuedSession:
        """A session for the account that signed ``message``, one of our unexpired, unused challenges."""
        nonce = _nonce_of(message)
        now = self.clock()
        with self._lock:
            challenge = self._challenges.pop(nonce, None) if nonce else None
        if challenge is None:
            raise SignInFailed("unknown or already used EIP-4361 nonce: ask for a new challenge")
        if challenge.message != message:
            raise SignInFailed("the message is not the EIP-4361 text this API issued")
        if now > challenge.expires_at:
            raise SignInFailed("the EIP-4361 challenge has expired: ask for a new one")
        try:
            signer = Account.recover_message(encode_defunct(text=message), signature=signature)
        except Exception as exc:  # eth-account raises several types for malformed signatures
            raise SignInFailed(f"the signature is malformed: {exc}") from None
        if to_checksum_address(signer) != challenge.address:
            raise SignInFailed(f"the signature is by {signer}, not by {challenge.address}")
        return self._issue(challenge.address, "eip4361", None, None)

    # ------------------------------------------------------------------ password

    def sign_in_with_password(self, organisation: str, password: str) -> IssuedSession:
        """Unlock ``organisation``'s keystore; its key is held for the session's life only."""
        try:
            account = self.keystore.load(organisation, password)
        except KeystoreError:
            # One answer for an unknown name and a wrong password: a caller learns nothing about which.
            raise SignInFailed("unknown organisation or wrong password") from None
        return self._issue(account.address, "password", organisation, account)

    # ------------------------------------------------------------------ tokens

    def _issue(
        self,
        account: ChecksumAddress,
        method: SignInMethod,
        organisation: str | None,
        key: LocalAccount | None,
    ) -> IssuedSession:
        now = int(self.clock())
        session = Session(
            id=secrets.token_urlsafe(16),
            account=account,
            method=method,
            expires_at=now + self.session_ttl,
            organisation=organisation,
        )
        claims = {
            "iss": _ISSUER,
            "sub": account,
            "sid": session.id,
            "amr": method,
            "org": organisation,
            "iat": now,
            "exp": session.expires_at,
        }
        token = jwt.encode(claims, self._secret, algorithm=_ALGORITHM)
        if key is not None:
            with self._lock:
                self._forget_expired(now)
                self._keys[session.id] = (key, session.expires_at)
        return IssuedSession(token, session)

    def session_of(self, token: str) -> Session:
        """The session a token stands for; raises :class:`NotSignedIn` if it is forged, expired or ended."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": ["exp", "iat", "sub", "sid"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise NotSignedIn(f"invalid session token: {exc}") from None
        if self.clock() >= int(claims["exp"]):
            raise NotSignedIn("the session has expired: sign in again")
        method = claims.get("amr")
        if method not in ("password", "eip4361"):
            raise NotSignedIn("invalid session token: unknown sign-in method")
        session = Session(
            id=str(claims["sid"]),
            account=to_checksum_address(claims["sub"]),
            method=method,
            expires_at=int(claims["exp"]),
            organisation=claims.get("org"),
        )
        with self._lock:
            ended = session.id in self._ended
            held = self._keys.get(session.id)
        if ended:
            raise NotSignedIn("the session has ended: sign in again")
        if method == "password" and held is None:
            raise NotSignedIn("the session has ended (signed out, or the service restarted): sign in again")
        return session

    def key_of(self, session: Session) -> LocalAccount:
        """The unlocked key of a password session; a wallet session gets :class:`KeyNotHeld`."""
        with self._lock:
            held = self._keys.get(session.id)
        if held is None:
            raise KeyNotHeld(
                "this session signed in with its own wallet, so the platform holds no key for it: sign the "
                "transaction in your wallet and send it with POST /transactions"
            )
        return held[0]

    def holds_key(self, session: Session) -> bool:
        """Whether the platform holds ``session``'s key (a password session that has not ended)."""
        with self._lock:
            return session.id in self._keys

    def sign_out(self, session: Session) -> None:
        """End the session now: its token stops working and a held key is dropped."""
        with self._lock:
            self._keys.pop(session.id, None)
            self._ended[session.id] = session.expires_at

    def _forget_expired(self, now: float) -> None:
        for nonce in [n for n, c in self._challenges.items() if c.expires_at < now]:
            del self._challenges[nonce]
        for sid in [s for s, (_, expires) in self._keys.items() if expires <= now]:
            del self._keys[sid]
        for sid in [s for s, expires in self._ended.items() if expires <= now]:
            del self._ended[sid]

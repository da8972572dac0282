"""Who is looking at a page, in which language: the page context every view gets.

Sign-in on the pages is the API's own (:class:`api.core.security.SessionManager`): a password unlocks the
organisation's keystore held by the platform and yields the same signed session token (a JWT) that
``POST /auth/password`` answers; the pages keep it in an HttpOnly, SameSite=Lax cookie instead of an
``Authorization`` header. Roles are read from the chain at request time (:mod:`api.core.roles`), as for the
API. Every form a signed-in viewer posts carries a CSRF token bound to the session (HMAC-SHA256 of the
session id under a key of this process), checked before anything is done.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Final
from urllib.parse import quote

from eth_utils import to_checksum_address
from fastapi import Depends, Request

from api.core.errors import NotSignedIn
from api.core.platform import Platform
from api.core.roles import CHARITY_ROLES, THIRD_PARTY_ROLES, AccountRoles, Role
from api.core.security import Session
from api.deps import PlatformDep
from api.pages.i18n import Language, Translator, language_of

SESSION_COOKIE: Final = "ledger_session"
PREFIX: Final = "/pages"

_CSRF_KEY: Final = secrets.token_bytes(32)
_ADDRESS: Final = re.compile(r"^0x[0-9a-fA-F]{40}$")
_HASH32: Final = re.compile(r"^0x[0-9a-fA-F]{64}$")


class PageRedirect(Exception):
    """Answer with a redirect (e.g. to the sign-in page)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class PageDenied(Exception):
    """The viewer may not see this page: answered 403 with the label ``key`` (filled with ``params``)."""

    def __init__(self, key: str, status: int = 403, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.status = status
        self.params = params


@dataclass(frozen=True)
class Viewer:
    """A signed-in viewer: the API session, and the roles the chain gives its account now."""

    session: Session
    roles: AccountRoles

    @property
    def account(self) -> str:
        return self.session.account

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return self.roles.has_any(roles)


@dataclass
class PageContext:
    request: Request
    platform: Platform
    language: Language
    language_chosen: bool
    viewer: Viewer | None
    t: Translator = field(init=False)

    def __post_init__(self) -> None:
        self.t = Translator(self.language)

    @property
    def csrf(self) -> str:
        """The CSRF token of the viewer's session (empty when signed out)."""
        return csrf_token(self.viewer.session) if self.viewer is not None else ""

    def require(self, *roles: Role) -> Viewer:
        """The viewer, if signed in and holding one of ``roles`` (none given: any signed-in viewer)."""
        if self.viewer is None:
            target = self.request.url.path
            if self.request.url.query:
                target += "?" + self.request.url.query
            raise PageRedirect(f"{PREFIX}/sign-in?next={quote(target, safe='')}")
        if roles and not self.viewer.has_any(set(roles)):
            raise PageDenied("denied.role", roles=", ".join(self.t.value("role", role) for role in roles))
        return self.viewer

    async def form(self) -> dict[str, str]:
        """The posted form (text fields), after checking its CSRF token against the viewer's session."""
        data = await self.request.form()
        fields = {key: value for key, value in data.items() if isinstance(value, str)}
        if self.viewer is None:
            raise PageRedirect(f"{PREFIX}/sign-in")
        if not hmac.compare_digest(fields.get("csrf", ""), self.csrf):
            raise PageDenied("denied.csrf")
        return fields


def csrf_token(session: Session) -> str:
    return hmac.new(_CSRF_KEY, session.id.encode(), hashlib.sha256).hexdigest()


def viewer_of(request: Request, platform: Platform) -> Viewer | None:
    """The viewer the session cookie names, or None (no cookie, an expired or ended session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        session = platform.sessions.session_of(token)
    except NotSignedIn:
        return None
    return Viewer(session, platform.roles.roles_of(session.account))


def page_context(request: Request, platform: PlatformDep) -> PageContext:
    language, chosen = language_of(request)
    return PageContext(request, platform, language, chosen, viewer_of(request, platform))


PageDep = Annotated[PageContext, Depends(page_context)]


def home_of(roles: AccountRoles) -> str:
    """The page a viewer lands on after signing in, by the role the chain gives the account."""
    if roles.has_any({Role.REGULATOR}):
        return f"{PREFIX}/regulator"
    if roles.has_any({Role.BANK}):
        return f"{PREFIX}/bank"
    if roles.has_any({Role.GOVERNMENT, Role.LOCAL_GOVERNMENT}):
        return f"{PREFIX}/government"
    if roles.has_any(set(CHARITY_ROLES)):
        return f"{PREFIX}/charity"
    if roles.has_any(set(THIRD_PARTY_ROLES)):
        return f"{PREFIX}/third-party"
    return f"{PREFIX}/donor"


def path_address(value: str) -> str:
    """An account address from a page's path, checksummed (a malformed one: 422)."""
    if not _ADDRESS.match(value):
        raise PageDenied("denied.bad_address", status=422)
    return str(to_checksum_address(value))


def path_hash(value: str) -> str:
    """A 32-byte hash (transaction hash, order id) from a page's path, lower-case (a malformed one: 422)."""
    if not _HASH32.match(value):
        raise PageDenied("denied.bad_hash", status=422)
    return value.lower()

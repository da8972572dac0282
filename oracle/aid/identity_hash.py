"""The salted identity hash: how the platform and the bank name a person without naming them.

An aid application goes on-chain under ``HMAC-SHA256(salt, "GB11643:" + ID number)`` (RFC 2104), never under
the ID number. Citizen ID numbers have little entropy (a region, a birth date, a sequence number: about 10^10
candidates), so a plain hash could be reversed by trying them all; keyed by a secret salt that only the
platform and the member banks hold, it cannot. The bank's investigation feed is keyed by the same hash, which
is how an application is joined with the applicant's background, credit and income without either side
sending the other the number.
"""

from __future__ import annotations

import hashlib
import hmac

DOMAIN = b"GB11643:"
"""Prefix of the hashed message, so the same salt can never produce this hash for another kind of value."""

MIN_SALT_BYTES = 16


def identity_hash(salt: bytes, id_number: str) -> bytes:
    """The 32-byte salted hash of a citizen ID number (upper-cased, spaces removed).

    Raises ``ValueError`` for a salt shorter than :data:`MIN_SALT_BYTES` or an empty number.
    """
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"the identity salt must be at least {MIN_SALT_BYTES} bytes, got {len(salt)}")
    normal = "".join(id_number.split()).upper()
    if not normal:
        raise ValueError("empty ID number")
    return hmac.new(salt, DOMAIN + normal.encode("ascii", errors="strict"), hashlib.sha256).digest()

"""The citizen identification number of GB 11643-1999 (公民身份号码), checked so it is never taken for
a credit code, and ready for the identity documents of individual aid.

Eighteen characters: a six-digit GB/T 2260 region code, the date of birth as ``YYYYMMDD``, a
three-digit sequence number (odd for men, even for women) and a check character computed by ISO 7064
MOD 11-2 over the first seventeen digits (``X`` stands for 10).
"""

from __future__ import annotations

import datetime

LENGTH = 18
_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
"""Weights of positions 1-17: ``2**(18 - i) mod 11`` (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...)."""
_CHECK = "10X98765432"
"""Check character for ``sum mod 11`` = 0, 1, ..., 10."""


def check_character(first17: str) -> str:
    """The GB 11643 check character of seventeen digits (raises ``ValueError`` otherwise)."""
    if len(first17) != LENGTH - 1 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    return _CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> datetime.date | None:
    """The date of birth in positions 7-14, or ``None`` when it is not a real date."""
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed GB 11643 number: 17 digits, a real birth date from 1900
    on, and the right check character (upper-case ``X`` for 10)."""
    if len(number) != LENGTH or not number[:17].isdigit():
        return False
    born = birth_date(number)
    if born is None or born.year < 1900:
        return False
    return number[17] == check_character(number[:17])

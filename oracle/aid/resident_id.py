"""The citizen identification number of GB 11643-1999 (公民身份号码): check, explain, generate.

Eighteen characters: a six-digit GB/T 2260 administrative-region code (where the number was first issued),
the date of birth as ``YYYYMMDD``, a three-digit sequence number (odd for men, even for women) and a check
character computed by ISO 7064 MOD 11-2 over the first seventeen digits (``X`` stands for 10).

:func:`problems` names every way a number fails, so that an authenticity check can say why; the generator
makes numbers for the project's synthetic applicants (never real people's).
"""

from __future__ import annotations

import datetime
import random
from enum import StrEnum

LENGTH = 18

_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
"""Weights of positions 1-17: ``2**(18 - i) mod 11`` (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...)."""
_CHECK = "10X98765432"
"""Check character for ``sum mod 11`` = 0, 1, ..., 10."""

PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip
"""GB/T 2260 province-level divisions: the first two digits of every region code."""

EARLIEST_BIRTH = datetime.date(1900, 1, 1)
OLDEST_AGE_YEARS = 120


class Problem(StrEnum):
    """Why a string is not a plausible citizen identification number (each is a named reason)."""

    FORMAT = "ID_FORMAT"
    """Not 17 digits followed by a digit or ``X``."""
    CHECK_DIGIT = "ID_CHECK_DIGIT"
    """The eighteenth character is not the ISO 7064 MOD 11-2 check of the first seventeen."""
    BIRTH_DATE = "ID_BIRTH_DATE"
    """Positions 7-14 are not a date, or one before 1900, in the future or more than 120 years ago."""
    REGION = "ID_REGION"
    """Positions 1-6 are not a GB/T 2260 region code (province-level division, prefecture, county)."""


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


def region_is_plausible(code: str) -> bool:
    """Whether six digits can be a GB/T 2260 county-level code: a province-level division, then a prefecture
    (01-70, or 90 for counties directly under the province) and a county (01-99)."""
    if len(code) != 6 or not code.isdigit() or code[:2] not in PROVINCES:
        return False
    prefecture, county = int(code[2:4]), int(code[4:6])
    return (1 <= prefecture <= 70 or prefecture == 90) and county >= 1


def problems(number: str, today: datetime.date) -> list[Problem]:
    """Every reason ``number`` is not a plausible citizen identification number on ``today`` (empty: it is).

    A wrong format is reported alone (nothing else can be read); otherwise the check character, the birth
    date and the region are each checked and reported separately.
    """
    if len(number) != LENGTH or not number[:17].isdigit() or number[17] not in "0123456789X":
        return [Problem.FORMAT]
    found: list[Problem] = []
    if number[17] != check_character(number[:17]):
        found.append(Problem.CHECK_DIGIT)
    born = birth_date(number)
    oldest = datetime.date(today.year - OLDEST_AGE_YEARS, 1, 1)
    if born is None or born < max(EARLIEST_BIRTH, oldest) or born > today:
        found.append(Problem.BIRTH_DATE)
    if not region_is_plausible(number[:6]):
        found.append(Problem.REGION)
    return found


def is_valid(number: str, today: datetime.date) -> bool:
    """Whether ``number`` passes every check of :func:`problems`."""
    return not problems(number, today)


def is_well_formed(number: str) -> bool:
    """Whether ``number`` has the form of a GB 11643 number whatever the day: 17 digits, a real birth date
    from 1900 on, and the right check character (upper-case ``X`` for 10). What the certificate reader uses
    to tell an ID number from a credit code of the same length."""
    if len(number) != LENGTH or not number[:17].isdigit():
        return False
    born = birth_date(number)
    if born is None or born < EARLIEST_BIRTH:
        return False
    return number[17] == check_character(number[:17])


def compose(region: str, born: datetime.date, sequence: int) -> str:
    """The number of a person first registered in ``region``, born on ``born``, with ``sequence`` (0-999)."""
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0-999, got {sequence}")
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


def generate(rng: random.Random, region: str, born: datetime.date, male: bool) -> str:
    """A well-formed number for a synthetic person (odd sequence for men, even for women)."""
    sequence = rng.randrange(1 if male else 0, 1000, 2)
    return compose(region, born, sequence)


def with_wrong_check(number: str) -> str:
    """The same number with another check character: what a careless forger produces."""
    right = number[17]
    wrong = _CHECK[(_CHECK.index(right) + 1 + sum(map(int, number[:17])) % 9) % len(_CHECK)]
    return number[:17] + (wrong if wrong != right else _CHECK[(_CHECK.index(right) + 1) % len(_CHECK)])

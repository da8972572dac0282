"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Every legal person and organisation in China has one 18-character code; it is the key under which the
government registry files the institution, so onboarding looks records up by it and the OCR intake
must read it exactly. Its structure:

==========  ======  ==============================================================
positions   length  meaning
==========  ======  ==============================================================
1           1       registration-authority code (登记管理部门码), e.g. 5 = civil affairs
2           1       institution-category code (机构类别码), e.g. 3 = foundation under 5
3-8         6       administrative-region code (登记管理机关行政区划码, GB/T 2260)
9-17        9       organisation code (主体标识码, GB 11714: 8 characters + its own check)
18          1       check character over positions 1-17
==========  ======  ==============================================================

The alphabet has 31 characters (digits and capitals without I, O, Z, S, V, which are too easily
confused with 1, 0, 2, 5, U); the check character is ``31 - sum(value * weight) mod 31`` with the
weights ``3**i mod 31``, so a single wrong character is always detected.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import NamedTuple

from oracle.errors import InvalidCreditCode

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a code may contain, in the order of their numeric value (0-30)."""

LENGTH = 18

WEIGHTS: tuple[int, ...] = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""Weights of positions 1-17 as tabulated in the standard (they are ``3**i mod 31``)."""

_VALUES: Mapping[str, int] = {char: value for value, char in enumerate(ALPHABET)}

REGISTRATION_AUTHORITIES: Mapping[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
"""Registration-authority codes (position 1) and the authority each one names."""

INSTITUTION_CATEGORIES: Mapping[str, Mapping[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": ""},
}
"""Institution-category codes (position 2) allowed under each registration authority."""

_ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class CreditCodeParts(NamedTuple):
    """A credit code split into the segments of the standard."""

    registration_authority: str
    institution_category: str
    region: str
    organization_code: str
    check: str


def check_character(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a code.

    Raises :class:`InvalidCreditCode` when ``first17`` is not 17 characters of the alphabet.
    """
    if len(first17) != LENGTH - 1:
        raise InvalidCreditCode(
            first17, f"need {LENGTH - 1} characters to compute a check, got {len(first17)}"
        )
    total = 0
    for position, (char, weight) in enumerate(zip(first17, WEIGHTS, strict=True), start=1):
        value = _VALUES.get(char)
        if value is None:
            raise InvalidCreditCode(
                first17, f"character {char!r} at position {position} is not in the alphabet"
            )
        total += value * weight
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return ``code`` unchanged if it is a well-formed credit code, else raise :class:`InvalidCreditCode`.

    Checks length, alphabet, the six-digit region segment and the check character. It does not
    normalise (no upper-casing or trimming): a registry key is compared byte for byte, so callers that
    read codes from people or OCR normalise first and say so.
    """
    if len(code) != LENGTH:
        raise InvalidCreditCode(code, f"must be {LENGTH} characters, got {len(code)}")
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            raise InvalidCreditCode(code, f"character {char!r} at position {position} is not in the alphabet")
    if not code[2:8].isdigit():
        raise InvalidCreditCode(code, f"region code {code[2:8]!r} (positions 3-8) must be six digits")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidCreditCode(code, f"check character is {code[17]!r}, expected {expected!r}")
    return code


def is_valid(code: str) -> bool:
    """Whether ``code`` passes :func:`validate`."""
    try:
        validate(code)
    except InvalidCreditCode:
        return False
    return True


def split(code: str) -> CreditCodeParts:
    """Split a valid code into its segments (raises :class:`InvalidCreditCode` if it is not valid)."""
    validate(code)
    return CreditCodeParts(code[0], code[1], code[2:8], code[8:17], code[17])


def organization_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body (positions 9-16).

    Codes issued since 2015 carry a GB 11714 organisation code in positions 9-17; its own check is
    ``11 - sum(value * weight) mod 11`` with 10 written ``X`` and 11 written ``0``.
    """
    if len(body) != len(_ORGANIZATION_CODE_WEIGHTS):
        raise InvalidCreditCode(body, f"organisation-code body must be 8 characters, got {len(body)}")
    total = 0
    for char, weight in zip(body, _ORGANIZATION_CODE_WEIGHTS, strict=True):
        if char.isdigit():
            value = int(char)
        elif "A" <= char <= "Z":
            value = ord(char) - ord("A") + 10
        else:
            raise InvalidCreditCode(body, f"character {char!r} cannot appear in an organisation code")
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def has_valid_organization_code(code: str) -> bool:
    """Whether positions 9-17 of a valid code form a GB 11714 organisation code with a correct check.

    Kept apart from :func:`validate` because some older codes were issued with organisation codes
    that do not satisfy GB 11714; the registry lookup must still accept them.
    """
    if not is_valid(code):
        return False
    try:
        return organization_code_check(code[8:16]) == code[16]
    except InvalidCreditCode:
        return False


def compose(
    registration_authority: str, institution_category: str, region: str, organization_body: str
) -> str:
    """Assemble a valid code from its segments, computing both check characters.

    ``organization_body`` is the 8-character body of the organisation code; its GB 11714 check
    (position 17) and the code's own check (position 18) are computed here.
    """
    categories = INSTITUTION_CATEGORIES.get(registration_authority)
    if categories is None:
        raise InvalidCreditCode(registration_authority, "unknown registration-authority code")
    if institution_category not in categories:
        raise InvalidCreditCode(
            registration_authority + institution_category,
            f"institution category {institution_category!r} does not exist under authority "
            f"{registration_authority!r}",
        )
    if len(region) != 6 or not region.isdigit():
        raise InvalidCreditCode(region, "region code must be six digits")
    if len(organization_body) != 8 or any(char not in _VALUES for char in organization_body):
        raise InvalidCreditCode(
            organization_body, "organisation-code body must be 8 characters of the alphabet"
        )
    first16 = registration_authority + institution_category + region + organization_body
    first17 = first16 + organization_code_check(organization_body)
    return first17 + check_character(first17)


def generate(rng: random.Random, registration_authority: str, institution_category: str, region: str) -> str:
    """A random valid code for the given authority, category and region, drawn from ``rng``.

    The organisation-code body is eight digits, as the registration authorities assign them, so the
    result also satisfies GB 11714.
    """
    body = "".join(rng.choice("0123456789") for _ in range(8))
    return compose(registration_authority, institution_category, region, body)


PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "10",  # central-level bodies (region 100000)
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
"""The first two digits of every GB/T 2260 region code: province-level divisions (and 10, central)."""


def structure_problems(code: str) -> list[str]:
    """Why ``code`` is not a plausible credit code, segment by segment (empty: it is plausible).

    Beyond :func:`validate` (length, alphabet, six-digit region, GB 32100 check character) a code read
    from a document must also have a registration-authority code of the standard, an institution
    category that exists under that authority, a region code that starts with a province-level
    division of GB/T 2260, and a GB 11714 organisation code (positions 9-17) whose own check holds.
    Each is a separate check, so a personal ID number or a bank account number, which pass the
    GB 32100 check about once in 31 tries, pass all of them about once in tens of thousands.
    """
    try:
        validate(code)
    except InvalidCreditCode as error:
        return [error.reason]
    problems: list[str] = []
    categories = INSTITUTION_CATEGORIES.get(code[0])
    if categories is None:
        problems.append(f"registration-authority code {code[0]!r} is not in the standard")
    elif code[1] not in categories:
        problems.append(f"institution category {code[1]!r} does not exist under authority {code[0]!r}")
    if code[2:4] not in PROVINCE_CODES:
        problems.append(f"region code {code[2:8]!r} does not start with a province-level division")
    if not has_valid_organization_code(code):
        problems.append(f"organisation code {code[8:17]!r} fails its GB 11714 check")
    return problems


def is_plausible(code: str) -> bool:
    """Whether ``code`` passes every check of :func:`structure_problems`."""
    return not structure_problems(code)

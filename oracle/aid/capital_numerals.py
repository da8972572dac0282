"""Amounts of money in capital Chinese numerals (大写金额), written and read back.

Invoices, cheques and receipts state a total twice: in figures (``¥12,345.60``) and in capital numerals
(``壹万贰仟叁佰肆拾伍元陆角整``), whose strokes are hard to alter. The writing follows the accounting rules
of 《会计基础工作规范》 (Ministry of Finance, 1996, article 52): digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿,
元角分; a run of zeros inside the number is written as one 零, zeros at the end of a section are not
written; 整 follows 元 or 角 when there are no 分. Reading accepts the variants the same rules allow
(圆 for 元, 正 for 整, a 零 after 元 before 角 or 分, a leading 拾 without 壹) and nothing else, so that a
misread character makes the total unreadable instead of another amount.

Amounts are integers in 分 (fen, 0.01 yuan), never floats.
"""

from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_SECTION_UNITS = ("", "万", "亿")
_UNIT_VALUES = {"拾": 10, "佰": 100, "仟": 1000}

MAX_FEN = 10**14 - 1
"""The largest amount written: just under a trillion (万亿) yuan."""


def _section(value: int) -> str:
    """A number 1-9999 in capital numerals (zeros inside as one 零, trailing zeros dropped)."""
    text = ""
    pending_zero = False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += DIGITS[digit] + _SMALL_UNITS[position]
    return text


def to_capital(fen: int) -> str:
    """``fen`` (an amount in 分) in capital numerals: ``123456`` is ``壹仟贰佰叁拾肆元伍角陆分``.

    Raises ``ValueError`` for a negative amount or one above :data:`MAX_FEN`.
    """
    if not 0 <= fen <= MAX_FEN:
        raise ValueError(f"amount out of range: {fen} fen")
    yuan, jiao, cent = fen // 100, fen // 10 % 10, fen % 10
    text = ""
    if yuan:
        sections = []
        rest = yuan
        while rest:
            sections.append(rest % 10_000)
            rest //= 10_000
        pending_zero = False
        for index in range(len(sections) - 1, -1, -1):
            value = sections[index]
            if value == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or value < 1000):
                text += "零"
            pending_zero = False
            text += _section(value) + _SECTION_UNITS[index]
        text += "元"
    if jiao == 0 and cent == 0:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    if cent:
        if text and not jiao:
            text += "零"
        text += DIGITS[cent] + "分"
    else:
        text += "整"
    return text


def _integer(text: str) -> int | None:
    """A capital-numeral integer below a trillion (no 元), or ``None`` if it is not one."""
    hundred_millions = ten_thousands = section = 0
    digit: int | None = None
    last_unit = 10**4  # units fall in descending order within a section
    seen_wan = False
    for char in text:
        if char in DIGITS:
            if digit is not None:
                return None  # two digits in a row ("伍叁") is not a number
            value = DIGITS.index(char)
            digit = value or None  # 零 only marks skipped places
        elif char in _UNIT_VALUES:
            unit = _UNIT_VALUES[char]
            if unit >= last_unit:
                return None
            if digit is None:
                if char != "拾" or section or hundred_millions or ten_thousands:
                    return None  # only a leading 拾 may stand without its digit
                digit = 1
            section += digit * unit
            digit, last_unit = None, unit
        elif char in ("万", "亿"):
            value = section + (digit or 0)
            if value == 0 or seen_wan:
                return None
            if char == "亿":
                if hundred_millions:
                    return None
                hundred_millions = value * 10**8
            else:
                ten_thousands, seen_wan = value * 10**4, True
            section, digit, last_unit = 0, None, 10**4
        else:
            return None
    return hundred_millions + ten_thousands + section + (digit or 0)


def parse_capital(text: str) -> int | None:
    """The amount in 分 written by ``text`` in capital numerals, or ``None`` if it is not such an amount.

    Spaces and a leading ``人民币`` or ``¥`` are ignored; everything else must follow the writing rules.
    """
    text = "".join(text.split()).removeprefix("人民币").removeprefix("¥").removeprefix("￥")
    text = text.replace("圆", "元").replace("正", "整")
    whole = text.endswith("整")
    text = text.removesuffix("整")
    if not text:
        return None
    if "元" in text:
        integer_text, _, fraction = text.partition("元")
        if not integer_text:
            return None
        yuan = 0 if integer_text == "零" else _integer(integer_text)
        if yuan is None:
            return None
    else:
        yuan, fraction = 0, text
    fraction = fraction.removeprefix("零") if yuan else fraction
    jiao = cent = 0
    if fraction:
        if whole and fraction.endswith("分"):
            return None
        rest = fraction
        if len(rest) >= 2 and rest[1] == "角":
            if rest[0] not in DIGITS[1:]:
                return None
            jiao, rest = DIGITS.index(rest[0]), rest[2:]
        if rest:
            if len(rest) != 2 or rest[1] != "分" or rest[0] not in DIGITS[1:]:
                return None
            cent = DIGITS.index(rest[0])
    elif not whole:
        return None  # "壹佰元" without 整 is incomplete
    return yuan * 100 + jiao * 10 + cent

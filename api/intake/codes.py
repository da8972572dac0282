"""Read a unified social credit code (GB 32100-2015) from recognised glyphs, and nothing else for one.

A code is accepted only when every structural check passes
(:func:`oracle.registry.credit_code.structure_problems`: authority and category codes, a region code
of a province-level division, the GB 11714 organisation-code check and the GB 32100 check character)
and it is not also a valid GB 11643 citizen ID number, so a personal ID or a bank account number
read near a code label cannot stand in for the code.

When the characters as read fail, the recogniser's runner-up readings (and the characters OCR
confuses: 0/D/Q, 1/I/L, 5/S, 8/B, ...) are tried, one substitution and then two among the least
certain positions; a repair is kept only when exactly one candidate passes every check, and the
repaired positions are marked as in doubt (their score becomes the runner-up's probability), so an
audit treats them as a human's question, never as proof.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from api.intake.engine import Glyph
from api.intake.kie import SourcedGlyph, Value
from oracle.aid.resident_id import is_well_formed as is_resident_id
from oracle.registry.credit_code import ALPHABET, INSTITUTION_CATEGORIES, LENGTH, is_plausible

_CONFUSION_GROUPS = (
    "0DQOU",
    "1IL7JT",
    "2Z",
    "5S",
    "6GB",
    "8B3",
    "9G",
    "4A",
    "UVWY",
    "XKY",
    "MNWH",
    "PRF",
    "EF",
    "CG",
)
_CONFUSABLE: dict[str, str] = {}
for _group in _CONFUSION_GROUPS:
    for _char in _group:
        _CONFUSABLE[_char] = _CONFUSABLE.get(_char, "") + _group.replace(_char, "")

_FORBIDDEN = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}
"""Letters the code alphabet excludes, read as the character they stand for."""
_DIGIT_LOOKALIKES = {
    "O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "J": "1", "T": "7", "Z": "2",
    "S": "5", "B": "8", "G": "6", "A": "4",
}  # fmt: skip

_MIN_ALTERNATIVE = 0.002
"""Runner-up readings less probable than this are not tried."""
_DOUBLE_REPAIR_POSITIONS = 5
_CODE_RUN = re.compile(r"[0-9A-Z]{17,19}")


def accepted(code: str) -> bool:
    """Whether ``code`` may be taken as a credit code: every structural check, and not an ID number."""
    return len(code) == LENGTH and is_plausible(code) and not is_resident_id(code)


def _allowed(position: int, char: str, code_so_far: str) -> bool:
    if char not in ALPHABET:
        return False
    if 2 <= position <= 7:
        return char.isdigit()
    if position == 0:
        return char in INSTITUTION_CATEGORIES
    if position == 1:
        return char in INSTITUTION_CATEGORIES.get(code_so_far[:1], {})
    return True


def _normalise(char: str, position: int) -> str:
    char = char.upper()
    if 2 <= position <= 7:
        char = _DIGIT_LOOKALIKES.get(char, char)
    return _FORBIDDEN.get(char, char)


def _options(glyph: Glyph, position: int, read: str) -> list[tuple[str, float]]:
    """Other characters position ``position`` may hold, with a probability for each."""
    options: dict[str, float] = {}
    for char, probability in glyph.alternatives:
        normal = _normalise(char, position)
        if probability >= _MIN_ALTERNATIVE and normal != read and len(normal) == 1:
            options[normal] = max(options.get(normal, 0.0), probability)
    for char in _CONFUSABLE.get(read, ""):
        options.setdefault(char, min(0.01, glyph.score * 0.01))
    return [(char, probability) for char, probability in options.items() if char != read]


def _repaired(glyphs: tuple[SourcedGlyph, ...], code: list[str], changes: dict[int, float]) -> Value:
    out = []
    for position, glyph in enumerate(glyphs):
        char = code[position]
        if position in changes or char != glyph.glyph.char:
            probability = changes.get(position, glyph.glyph.score)
            score = min(probability, 0.5) if position in changes else glyph.glyph.score
            new = replace(
                glyph.glyph,
                char=char,
                score=score,
                alternatives=((glyph.glyph.char, glyph.glyph.score), *glyph.glyph.alternatives),
            )
            out.append(SourcedGlyph(new, glyph.box))
        else:
            out.append(glyph)
    return Value(tuple(out), "repaired")


def repair(glyphs: tuple[SourcedGlyph, ...]) -> Value | None:
    """The one accepted code these 18 glyphs can be read as, or ``None`` (see the module docstring)."""
    if len(glyphs) != LENGTH:
        return None
    code = [_normalise(glyph.glyph.char, position) for position, glyph in enumerate(glyphs)]
    if accepted("".join(code)):
        return _repaired(glyphs, code, {})
    options = [_options(glyph.glyph, position, code[position]) for position, glyph in enumerate(glyphs)]
    found: list[tuple[float, list[str], dict[int, float]]] = []
    for position in range(LENGTH):
        for char, probability in options[position]:
            trial = code.copy()
            trial[position] = char
            if _allowed(position, char, "".join(trial)) and accepted("".join(trial)):
                found.append((probability, trial, {position: probability}))
    if not found:
        weakest = sorted(range(LENGTH), key=lambda position: glyphs[position].glyph.score)[
            :_DOUBLE_REPAIR_POSITIONS
        ]
        for first, second in itertools.combinations(sorted(weakest), 2):
            for (char_a, prob_a), (char_b, prob_b) in itertools.product(options[first], options[second]):
                trial = code.copy()
                trial[first], trial[second] = char_a, char_b
                if accepted("".join(trial)):
                    found.append((prob_a * prob_b, trial, {first: prob_a, second: prob_b}))
    if not found:
        return None
    found.sort(key=lambda item: -item[0])
    if len(found) > 1 and found[1][0] > 0.2 * found[0][0]:
        return None  # two repairs about as likely: ambiguous, let a better image decide
    _, trial, changes = found[0]
    return _repaired(glyphs, trial, changes)


def find_code(value: Value) -> Value | None:
    """The accepted code in a run of glyphs (a label's value, or any box), repaired if need be."""
    kept = tuple(glyph for glyph in value.glyphs if glyph.char.isascii() and glyph.char.isalnum())
    text = "".join(glyph.char.upper() for glyph in kept)
    for match in _CODE_RUN.finditer(text):
        run = kept[match.start() : match.end()]
        if len(run) == LENGTH:
            code = repair(run)
            if code is not None:
                return Value(code.glyphs, value.how)
    return None

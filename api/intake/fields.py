"""Find the key-information fields in OCR'd certificate lines by their printed labels.

Certificates print each field as "label：value" on one row, but OCR rarely returns that cleanly: a
label loses a character (``户银行``), the colon becomes ``:`` or ``;`` or vanishes, speckles become
stray ``，`` or ``.`` around the value, and noise far to the right becomes extra "words". So a label is
matched by edit distance at the start of a line, the value is the run of words after it that carries
the most text (runs are split where the gap between words is wider than the line is tall), and each
field is then cleaned by what it may contain (a person's name is only Chinese characters, a credit
code only letters and digits).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from api.intake.key_info import DocumentKind, FieldName, is_cjk, read_credit_code
from api.intake.lexicon import NAME_PROVINCE_SUFFIXES, correct_bank, correct_province, strip_leading_noise
from api.intake.tesseract import Line

_LABELS: tuple[tuple[str, FieldName | None], ...] = (
    ("统一社会信用代码", FieldName.CREDIT_CODE),
    ("社会信用代码", FieldName.CREDIT_CODE),
    ("信用代码", FieldName.CREDIT_CODE),
    ("法定代表人(单位负责人)", FieldName.LEGAL_REPRESENTATIVE),
    ("法定代表人", FieldName.LEGAL_REPRESENTATIVE),
    ("单位负责人", FieldName.LEGAL_REPRESENTATIVE),
    ("负责人", FieldName.LEGAL_REPRESENTATIVE),
    ("法人代表", FieldName.LEGAL_REPRESENTATIVE),
    ("单位名称", FieldName.NAME),
    ("企业名称", FieldName.NAME),
    ("机构名称", FieldName.NAME),
    ("存款人名称", FieldName.NAME),
    ("名称", FieldName.NAME),
    ("开户银行", FieldName.ACCOUNT_BANK),
    ("开户行", FieldName.ACCOUNT_BANK),
    ("开户地点", FieldName.ACCOUNT_LOCATION),
    ("开户地", FieldName.ACCOUNT_LOCATION),
    ("户地", FieldName.ACCOUNT_LOCATION),
    # Labels of fields we do not extract: matched so that their values are not taken for others.
    ("住所", None),
    ("地址", None),
    ("核准号", None),
    ("编号", None),
    ("账号", None),
    ("职务", None),
    ("成立日期", None),
    ("登记日期", None),
    ("发证机关", None),
)

_TITLES: tuple[tuple[str, DocumentKind], ...] = (
    ("开户许可证", DocumentKind.ACCOUNT_PERMIT),
    ("身份证明", DocumentKind.LEGAL_PERSON),
    ("登记证书", DocumentKind.REGISTRATION),
    ("营业执照", DocumentKind.REGISTRATION),
    ("法人证书", DocumentKind.REGISTRATION),
    ("信用代码证书", DocumentKind.REGISTRATION),
)

_SEPARATORS = set(":：;；.,，、。·|'\"“”‘’`_-~—")
_BANK_ENDINGS = re.compile(r"^(.*?(?:支行|分行|营业部|分理处|储蓄所))")
# "兹证明X同志系本单位法定代表人", allowing 同 to be misread.
_PROSE_REPRESENTATIVE = re.compile(r"证明([\u4e00-\u9fff·]{2,4}?)(?:.志)?系")


@dataclass(frozen=True)
class FieldValue:
    """One field as read from one document."""

    field: FieldName
    value: str | None
    """``None`` when something was read under the label but it is not a valid value (bad code)."""
    confidence: float
    """0-1: mean tesseract confidence of the characters the value came from."""
    corrected: bool = False
    candidates: tuple[str, ...] = ()
    """For an ambiguous credit code: the valid codes it could be."""
    char_confidences: tuple[float, ...] = ()
    """0-1 per character of ``value`` (tesseract scores words, so a word's characters share its score;
    a character supplied by a lexicon correction scores 0.9). Lets readings be combined character by
    character."""


@dataclass(frozen=True)
class _Char:
    char: str
    word: int
    confidence: float


def _characters(line: Line) -> list[_Char]:
    chars: list[_Char] = []
    for index, word in enumerate(line.words):
        for char in unicodedata.normalize("NFKC", word.text):
            if not char.isspace():
                chars.append(_Char(char, index, word.confidence / 100))
    return chars


def _aligned_confidences(value: str, source: Sequence[_Char]) -> tuple[float, ...]:
    """The confidence of each character of ``value`` (cleaned from ``source``), found in order."""
    confidences: list[float] = []
    position = 0
    for char in value:
        found = next((i for i in range(position, len(source)) if source[i].char == char), None)
        if found is None:
            confidences.append(0.9)
        else:
            confidences.append(source[found].confidence)
            position = found + 1
    return tuple(confidences)


def _label_end(text: str, label: str) -> int | None:
    """End index in ``text`` of ``label`` read at its start (a few edits allowed), or ``None``.

    Semi-global edit distance: all of the label against any prefix of the text, allowing up to two
    junk characters before it and one error per three label characters.
    """
    allowed = (len(label) - 1) // 3
    best: tuple[int, int] | None = None
    for start in range(min(3, len(text))):
        window = text[start : start + len(label) + allowed]
        previous = list(range(len(window) + 1))
        for i, label_char in enumerate(label, start=1):
            current = [i] + [0] * len(window)
            for j, text_char in enumerate(window, start=1):
                current[j] = min(
                    previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (label_char != text_char)
                )
            previous = current
        distance, end = min((distance, j) for j, distance in enumerate(previous))
        cost = distance + start
        if distance <= allowed and (best is None or cost < best[0]):
            best = (cost, start + end)
    return None if best is None else best[1]


def match_label(text: str) -> tuple[FieldName | None, int] | None:
    """The label at the start of ``text`` (its field, ``None`` for ignored labels) and where it ends."""
    stripped = text.lstrip("".join(_SEPARATORS) + " ")
    offset = len(text) - len(stripped)
    matches: list[tuple[int, int, FieldName | None]] = []
    for label, field in _LABELS:
        end = _label_end(stripped, label)
        if end is not None:
            matches.append((len(label), end, field))
    if not matches:
        return None
    _, end, field = max(matches, key=lambda match: match[0])
    return field, offset + end


def _meaningful(char: str) -> bool:
    return is_cjk(char) or (char.isascii() and char.isalnum())


_GAP_FACTOR = 2.5
"""Words further apart than this many character heights belong to different columns (label, value,
stray marks in the margin); characters of one value are never that far apart."""


def _typical_height(line: Line) -> float:
    """The median word height: robust to the odd box tesseract draws around a speck or two lines."""
    return max(statistics.median(word.height for word in line.words), 1.0) if line.words else 1.0


def _runs(line: Line, chars: Sequence[_Char]) -> list[list[_Char]]:
    """``chars`` split where the gap between two words is much wider than a character."""
    runs: list[list[_Char]] = []
    previous: _Char | None = None
    for char in chars:
        if previous is None or (
            char.word != previous.word
            and line.words[char.word].left - line.words[previous.word].right
            > _GAP_FACTOR * _typical_height(line)
        ):
            runs.append([])
        runs[-1].append(char)
        previous = char
    return runs


def _confidence(line: Line, chars: Sequence[_Char]) -> float:
    """Mean tesseract confidence (0-1) of the words ``chars`` come from, weighted by their length."""
    words = {c.word for c in chars}
    weights = sum(len(line.words[w].text) for w in words)
    return sum(line.words[w].confidence * len(line.words[w].text) for w in words) / max(weights, 1) / 100


def _main_run(line: Line, chars: Sequence[_Char]) -> list[_Char]:
    """The run of words with the most real characters."""
    runs = _runs(line, chars)
    return max(runs, key=lambda run: sum(_meaningful(c.char) for c in run)) if runs else []


def _garbled_label(text: str) -> FieldName | bool | None:
    """The field of a short, misread label (``名和`` for 名称); ``False`` when nothing is close enough."""
    text = "".join(char for char in text if char not in _SEPARATORS)
    if not text:
        return False
    scored = [
        (SequenceMatcher(None, text, label).ratio(), field)
        for label, field in _LABELS
        if len(text) <= len(label) + 2
    ]
    best = max((score for score, _ in scored), default=0.0)
    fields = {field for score, field in scored if score == best}
    if best < 0.5 or len(fields) != 1:
        return False
    return fields.pop()


def _clean_chinese(text: str, keep: str = "") -> str:
    return "".join(char for char in text if is_cjk(char) or char in keep)


def _clean_name(text: str) -> str:
    kept = "".join(char for char in text if _meaningful(char) or char in "()")
    start = next((i for i, char in enumerate(kept) if is_cjk(char) or char == "("), len(kept))
    end = max((i + 1 for i, char in enumerate(kept) if is_cjk(char) or char == ")"), default=start)
    return kept[start:end]


def _value(field: FieldName, run: Sequence[_Char], confidence: float) -> FieldValue | None:
    """The field's value cleaned from the characters read after its label (``None``: nothing usable)."""
    text = "".join(c.char for c in run)
    match field:
        case FieldName.CREDIT_CODE:
            alnum = "".join(char for char in text if char.isalnum() and char.isascii())
            if not alnum:
                return None
            reading = read_credit_code(alnum)
            if reading.code is None and len(alnum) > 19:
                codes = {
                    read_credit_code(alnum[i : i + n]).code
                    for n in (18, 19)
                    for i in range(len(alnum) - n + 1)
                }
                codes.discard(None)
                if len(codes) == 1:
                    return FieldValue(field, codes.pop(), confidence, corrected=True)
            return FieldValue(field, reading.code, confidence, reading.corrected, reading.candidates)
        case FieldName.LEGAL_REPRESENTATIVE:
            value = strip_leading_noise(_clean_chinese(text, keep="·"))
            valid = 2 <= len(value) <= 12
        case FieldName.ACCOUNT_BANK:
            value = _clean_chinese(text, keep="()")
            ending = _BANK_ENDINGS.match(value)
            value = correct_bank(ending.group(1) if ending else value)
            valid = len(value) >= 4
        case FieldName.ACCOUNT_LOCATION:
            value = correct_province(_clean_chinese(text))
            valid = len(value) >= 2
        case FieldName.NAME:
            value = correct_province(_clean_name(text), NAME_PROVINCE_SUFFIXES)
            valid = len(value) >= 2
    if not valid:
        return None
    return FieldValue(field, value, confidence, char_confidences=_aligned_confidences(value, run))


def document_kind(lines: Sequence[Line]) -> DocumentKind:
    """Which certificate the lines come from, by its title (or, failing that, by its labels)."""
    text = unicodedata.normalize("NFKC", "".join(line.text for line in lines)).replace(" ", "")
    for title, kind in _TITLES:
        if title in text:
            return kind
    if "开户银行" in text:
        return DocumentKind.ACCOUNT_PERMIT
    if "职务" in text:
        return DocumentKind.LEGAL_PERSON
    return DocumentKind.REGISTRATION if "信用代码" in text else DocumentKind.UNKNOWN


def _unlabelled(line: Line, chars: Sequence[_Char]) -> FieldValue | None:
    """A field recognisable by its content alone, on a line whose label could not be read.

    The identification page's prose names the legal representative; a bank branch name (…银行…支行)
    and a credit code that passes its check are unmistakable wherever they are. Confidence is lowered
    so that a labelled reading of the same field wins a disagreement.
    """
    text = "".join(c.char for c in chars)
    prose = _PROSE_REPRESENTATIVE.search(text)
    if prose:
        name = chars[prose.start(1) : prose.end(1)]
        return _value(FieldName.LEGAL_REPRESENTATIVE, _discounted(name), 0.8 * _confidence(line, name))
    for run in _runs(line, chars):
        run_text = "".join(c.char for c in run)
        bank = _clean_chinese(run_text, keep="()")
        if "银行" in bank and _BANK_ENDINGS.match(bank):
            return _value(FieldName.ACCOUNT_BANK, _discounted(run), 0.8 * _confidence(line, run))
        alnum = "".join(char for char in run_text if char.isascii() and char.isalnum())
        if len(alnum) in (18, 19) and (code := read_credit_code(alnum).code) is not None:
            return FieldValue(FieldName.CREDIT_CODE, code, 0.8 * _confidence(line, run), corrected=True)
    return None


def _discounted(chars: Sequence[_Char]) -> list[_Char]:
    return [_Char(c.char, c.word, 0.8 * c.confidence) for c in chars]


def _labelled(line: Line, chars: list[_Char]) -> tuple[FieldName | None, list[_Char]] | None:
    """The field a line is labelled with and the characters after the label, or ``None``."""
    label = match_label("".join(c.char for c in chars))
    if label is not None:
        field, end = label
        return field, [c for c in chars[end:] if c.char not in _SEPARATORS]
    runs = _runs(line, chars)
    if len(runs) >= 2:
        field_or_miss = _garbled_label("".join(c.char for c in runs[0]))
        if field_or_miss is not False:
            assert not isinstance(field_or_miss, bool)
            return field_or_miss, [c for run in runs[1:] for c in run if c.char not in _SEPARATORS]
    return None


def parse_fields(lines: Sequence[Line]) -> list[FieldValue]:
    """Every key-information field found in the lines, in reading order.

    Labelled rows first ("名称：…"); a row whose label is misread beyond recognition still yields a
    field when its value speaks for itself (see :func:`_unlabelled`).
    """
    found: list[FieldValue] = []
    for index, line in enumerate(lines):
        chars = _characters(line)
        text = "".join(c.char for c in chars)
        if any(title in text for title, _ in _TITLES):
            continue  # a title such as 法定代表人身份证明书 starts like a label but carries no value
        labelled = _labelled(line, chars)
        if labelled is None:
            unlabelled = _unlabelled(line, chars)
            if unlabelled is not None:
                found.append(unlabelled)
            continue
        field, value_chars = labelled
        if field is None:
            continue
        value_line = line
        if not any(_meaningful(c.char) for c in value_chars) and index + 1 < len(lines):
            # The value wrapped onto the next line, which then carries no label of its own.
            following = lines[index + 1]
            following_chars = _characters(following)
            if _labelled(following, following_chars) is None:
                value_chars, value_line = [c for c in following_chars if c.char not in _SEPARATORS], following
        run = _main_run(value_line, value_chars)
        value = _value(field, run, _confidence(value_line, run))
        if value is not None:
            found.append(value)
    return found

"""Key information from text boxes and their geometry: label boxes linked to value boxes.

The model is PaddleOCR's key-information extraction (``ppstructure/kie``): first recognise which
boxes are *keys* (labels), then link each remaining box to the key it answers. Here the keys are
recognised by a lexicon (every way a document kind prints a field's label) and the links by the
conventions printed forms follow, in this order of preference:

1. the rest of the label's own box (``名称：某某基金会`` read as one line);
2. boxes to the right on the same row, up to the next label (two-column forms, table rows,
   landscape licences with two columns of fields);
3. boxes to the right whose row is centred on the label's (a label cell beside a value cell of
   two lines);
4. a line directly under a value, aligned with it and with no label of its own, continues it
   (multi-line names and addresses);
5. the cell below a label that has nothing to its right (tables whose header row holds the labels).

Sentence-style documents ("经审核，某某基金会符合开户条件，准予开立基本存款账户。") are read by
patterns over the page's text in reading order. Every value keeps its glyphs (so each character has
its recognition score and runner-ups) and the boxes it came from.

Nothing here knows about institutions: a :class:`DocumentSchema` (the labels, the sentence patterns
and a validator per field) makes a document kind; ``api.intake.institution`` defines the certificates
of institution onboarding, and ID cards, invoices or diagnosis certificates are further schemas.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from api.intake.engine import Glyph, PageText, TextBox

SEPARATORS = frozenset(":：;；,，、.。·|'\"“”‘’`_-~—()（）[]【】 \u3000")
"""Characters that may sit between a label and its value (colons and the like) or pad a label."""

DOUBT_BELOW = 0.9
"""A character recognised with less probability than this is *in doubt*: the audit will not reject
on a difference there. PP-OCRv4's correct characters on certificates score 0.95-1.0; most of its
misreadings score below 0.9 (measured on the tuning split; see bench/ocr.py)."""

FIRST_GAP = 14.0
"""A value may start up to this many label heights to the right of its label."""
FOLLOW_GAP = 2.5
"""Boxes of one value stand at most this many character heights apart."""

FOLLOWER_SCORE = 0.8
"""A box that would extend a value is joined only if read with at least this mean probability."""

RUNNER_UP_DOUBT = 0.08
"""A character is also in doubt when another reading had at least this probability."""


@dataclass(frozen=True)
class SourcedGlyph:
    """A glyph and the index (in the page's boxes) of the box it was read in."""

    glyph: Glyph
    box: int

    @property
    def char(self) -> str:
        return _normal_char(self.glyph.char)


def _normal_char(char: str) -> str:
    normal = unicodedata.normalize("NFKC", char)
    return normal if len(normal) == 1 else char


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK unified ideograph."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def glyph_in_doubt(glyph: Glyph) -> bool:
    """Whether the recogniser was unsure of this character (low score or a strong runner-up)."""
    runner_up = max((probability for _, probability in glyph.alternatives), default=0.0)
    return glyph.score < DOUBT_BELOW or runner_up >= RUNNER_UP_DOUBT


@dataclass(frozen=True)
class Value:
    """A candidate value: its glyphs in reading order, and how it was found."""

    glyphs: tuple[SourcedGlyph, ...]
    how: str
    """``inline``, ``right``, ``below``, ``sentence`` or ``anywhere``."""

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)

    @property
    def boxes(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(glyph.box for glyph in self.glyphs))

    def keep(self, predicate: Callable[[str], bool]) -> Value:
        """Only the glyphs whose character satisfies ``predicate``."""
        return Value(tuple(glyph for glyph in self.glyphs if predicate(glyph.char)), self.how)

    def slice(self, start: int, end: int) -> Value:
        return Value(self.glyphs[start:end], self.how)

    def search(self, pattern: re.Pattern[str], group: str | int = 0) -> Value | None:
        """The part of the value matched by ``pattern`` (its ``group``), or ``None``."""
        match = pattern.search(self.text)
        if match is None or match.start(group) < 0:
            return None
        return self.slice(match.start(group), match.end(group))


@dataclass(frozen=True)
class FieldSpec:
    """One field of a document kind: how it is labelled and what a valid value looks like."""

    name: str
    labels: tuple[str, ...]
    clean: Callable[[Value], Value | None]
    """Trim a raw value to what the field may contain; ``None`` when nothing valid is left."""
    plausibility: Callable[[str], float] = lambda _text: 1.0
    """0-1: how much the cleaned text looks like a real value (1 for a well-formed one)."""
    multiline: bool = False
    anywhere: Callable[[Value], Value | None] | None = None
    """For values that identify themselves (a code with a check character, a bank branch): find one
    in any box that no label claimed, when the label itself could not be read."""


@dataclass(frozen=True)
class SentenceRule:
    """A pattern over the page's running text whose group ``value`` is the field's value."""

    field: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class DocumentSchema:
    """A document kind for the extractor: its fields, the other labels it prints, its sentences."""

    name: str
    fields: tuple[FieldSpec, ...]
    other_labels: tuple[str, ...] = ()
    """Labels of printed fields that are not extracted, so their values are not taken for others'."""
    sentences: tuple[SentenceRule, ...] = ()
    titles: tuple[str, ...] = ()
    """Words of the document titles: a box containing one is a title, never a label."""

    def spec(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)


@dataclass(frozen=True)
class FieldReading:
    """A field's value as read from one page."""

    field: str
    value: str
    glyphs: tuple[SourcedGlyph, ...]
    how: str
    plausibility: float

    @property
    def confidence(self) -> float:
        """The least probable character's probability times the value's plausibility."""
        return round(min((g.glyph.score for g in self.glyphs), default=0.0) * self.plausibility, 4)

    @property
    def doubtful(self) -> tuple[int, ...]:
        """Positions of characters the recogniser was unsure of."""
        return tuple(index for index, glyph in enumerate(self.glyphs) if glyph_in_doubt(glyph.glyph))

    @property
    def boxes(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(glyph.box for glyph in self.glyphs))


# -- labels ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LabelHit:
    field: str | None
    """``None`` for a label of a field that is not extracted."""
    boxes: tuple[int, ...]
    start: int
    """Glyph index in the first box where the label starts (0 unless the label is embedded)."""
    end: int
    """Glyph index in the last box where the label (and any colon) ends."""
    stop: int
    """Glyph index in the last box where this label's inline value ends (the next label)."""
    left: float
    top: float
    right: float
    bottom: float

    @property
    def centre_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def _allowed_edits(label: str) -> int:
    return 0 if len(label) <= 3 else 1 if len(label) <= 7 else 2


LABEL_NOISE = 0.35
"""Characters read with less probability than this are left out when matching labels: specks and
seal remnants between letter-spaced label characters are read as such characters."""


def _compact(glyphs: Sequence[SourcedGlyph]) -> tuple[str, list[int]]:
    """The text without separators or noise, and for each kept character its index in ``glyphs``."""
    text, positions = [], []
    for index, glyph in enumerate(glyphs):
        if glyph.char not in SEPARATORS and glyph.glyph.score >= LABEL_NOISE:
            text.append(glyph.char)
            positions.append(index)
    return "".join(text), positions


class _Lexicon:
    def __init__(self, schema: DocumentSchema) -> None:
        entries: list[tuple[str, str | None]] = [
            (label, spec.name) for spec in schema.fields for label in spec.labels
        ]
        entries += [(label, None) for label in schema.other_labels]
        self.entries = sorted(
            ((_strip(label), field) for label, field in entries), key=lambda entry: -len(entry[0])
        )
        self.titles = schema.titles

    def match_start(self, text: str, *, spaced: bool = False) -> tuple[str | None, int] | None:
        """The longest label at the start of ``text`` (separators removed): its field and length read.

        ``spaced``: the text was joined from letter-spaced boxes, which are labels by their layout, so
        a character lost by the detector (a lone character is easily missed) is forgiven in labels of
        three characters too.
        """
        # An exact label beats a fuzzy one (开户地：安徽… is 开户地, not 开户地点 with 安 misread);
        # among exact or among fuzzy ones, the longest wins.
        best: tuple[int, int, str | None, int] | None = None  # (edits > 0, -label length, field, consumed)
        for label, field_name in self.entries:
            allowed = max(_allowed_edits(label), 1 if spaced and len(label) >= 3 else 0)
            if allowed == 0:
                if text.startswith(label):
                    candidate = (0, -len(label), field_name, len(label))
                    best = candidate if best is None or candidate[:2] < best[:2] else best
                continue
            window = text[: len(label) + allowed]
            if sum(char in window for char in label) < len(label) - allowed:
                continue
            found = min(
                (
                    (_edit_distance(label, text[:consumed]), abs(consumed - len(label)), consumed)
                    for consumed in range(
                        max(1, len(label) - allowed), min(len(text), len(label) + allowed) + 1
                    )
                ),
                default=None,
            )
            if found is not None and found[0] <= allowed:
                candidate = (int(found[0] > 0), -len(label), field_name, found[2])
                if best is None or candidate[:2] < best[:2]:
                    best = candidate
        if best is None:
            return None
        return best[2], best[3]

    def is_exact(self, text: str) -> bool:
        """Whether ``text`` is a label as it stands."""
        return any(label == text for label, _ in self.entries)

    def is_title(self, text: str) -> bool:
        """A short line holding a title word (``法定代表人身份证明书`` starts like a label but is none)."""
        return len(text) <= 16 and any(title in text for title in self.titles)


def _strip(text: str) -> str:
    return "".join(_normal_char(char) for char in text if _normal_char(char) not in SEPARATORS)


def _glyphs_of(page: PageText, index: int) -> tuple[SourcedGlyph, ...]:
    return tuple(SourcedGlyph(glyph, index) for glyph in page.boxes[index].glyphs)


def _same_row(a: TextBox | _LabelHit | _Box, b: TextBox | _LabelHit | _Box, tolerance: float = 0.5) -> bool:
    height = max(a.bottom - a.top, b.bottom - b.top, 1.0)
    return abs((a.top + a.bottom) / 2 - (b.top + b.bottom) / 2) <= tolerance * height


def _embedded_labels(
    glyphs: Sequence[SourcedGlyph], lexicon: _Lexicon, after: int
) -> list[tuple[int, int, str | None]]:
    """Labels inside a run of glyphs after index ``after`` (two fields detected as one box).

    Only unmistakable ones: labels of four or more characters, or shorter ones followed by a colon.
    Returns ``(start, end, field)`` glyph indices, ``end`` past any colon.
    """
    text = "".join(glyph.char for glyph in glyphs)
    found: list[tuple[int, int, str | None]] = []
    position = after
    while position < len(text):
        best: tuple[int, int, str | None] | None = None
        for label, field_name in lexicon.entries:
            if len(label) < 2:
                continue
            start = text.find(label, position)
            while start >= 0:
                colon = text[start + len(label) : start + len(label) + 1] in (":", "：")
                if (len(label) >= 4 or colon) and start > 0:
                    candidate = (start, start + len(label) + colon, field_name)
                    if best is None or (start, -(candidate[1] - start)) < (best[0], -(best[1] - best[0])):
                        best = candidate
                    break
                start = text.find(label, start + 1)
        if best is None:
            break
        found.append(best)
        position = best[1]
    return found


def _spaced_label(
    page: PageText,
    lexicon: _Lexicon,
    index: int,
    text: str,
    used: set[int],
    hits: list[_LabelHit],
    add_embedded: Callable[[int, int], int],
    lenient: bool,
) -> None:
    """Join short boxes along a row into a label (``名`` ... ``称：某某基金会``), adding its hit."""
    boxes = page.boxes
    box = boxes[index]
    joined, members = text, [index]
    found: tuple[tuple[str | None, int], list[int], list[int], tuple[SourcedGlyph, ...], int] | None = None
    for other in sorted(
        (
            other
            for other in range(len(boxes))
            if other not in used
            and other != index
            and boxes[other].left > box.left
            and _same_row(box, boxes[other])
        ),
        key=lambda other: boxes[other].left,
    )[:4]:
        other_glyphs = _glyphs_of(page, other)
        other_text, other_positions = _compact(other_glyphs)
        before = len(joined)
        joined += other_text
        members.append(other)
        matched = lexicon.match_start(joined, spaced=lenient)
        if matched is not None and matched[1] > before:
            found = (matched, list(members), other_positions, other_glyphs, other)
            if matched[1] < len(joined):
                break  # the label ends inside this box: the rest is its value
        elif found is not None:
            break
        if len(other_text) > 3:
            break
    if found is None:
        return
    (field_name, consumed_total), members, other_positions, other_glyphs, other = found
    # the longest label found: it may end in its last box, with its colon and value after it
    consumed = consumed_total - sum(len(_compact(_glyphs_of(page, member))[0]) for member in members[:-1])
    end = other_positions[max(consumed, 1) - 1] + 1
    while end < len(other_glyphs) and other_glyphs[end].char in SEPARATORS:
        end += 1
    last = boxes[other]
    position = len(hits)
    stop = add_embedded(other, end)
    right = (
        last.right
        if end >= len(other_glyphs)
        else last.left + other_glyphs[end - 1].glyph.position * last.width
    )
    hits.insert(
        position,
        _LabelHit(
            field_name,
            tuple(members),
            0,
            end,
            stop,
            box.left,
            min(boxes[m].top for m in members),
            right,
            max(boxes[m].bottom for m in members),
        ),
    )
    used.update(members)


def _find_labels(page: PageText, lexicon: _Lexicon) -> list[_LabelHit]:
    """Every label on the page: at the start of a box, letter-spaced over boxes, or inside a box."""
    hits: list[_LabelHit] = []
    used: set[int] = set()
    boxes = page.boxes
    by_row = sorted(range(len(boxes)), key=lambda index: (boxes[index].top, boxes[index].left))

    def add_embedded(index: int, after: int) -> int:
        """Labels inside box ``index`` after glyph ``after``; returns where the first one starts."""
        box = boxes[index]
        glyphs = _glyphs_of(page, index)
        embedded = _embedded_labels(glyphs, lexicon, after)
        for number, (start, end, field_name) in enumerate(embedded):
            stop = embedded[number + 1][0] if number + 1 < len(embedded) else len(glyphs)
            while end < len(glyphs) and glyphs[end].char in SEPARATORS:
                end += 1
            left = box.left + glyphs[start].glyph.position * box.width
            right = box.left + glyphs[min(end, len(glyphs)) - 1].glyph.position * box.width
            hits.append(_LabelHit(field_name, (index,), start, end, stop, left, box.top, right, box.bottom))
        return embedded[0][0] if embedded else len(glyphs)

    for index in by_row:
        if index in used:
            continue
        box = boxes[index]
        glyphs = _glyphs_of(page, index)
        text, positions = _compact(glyphs)
        if not text or lexicon.is_title(text):
            continue
        matched = lexicon.match_start(text)
        if matched is not None and matched[1] >= len(text) and len(text) <= 4 and not lexicon.is_exact(text):
            # A label cut short at the box's end (``单位名`` … ``称：某某``): the rest of it may
            # stand in the next box, letter-spaced.
            _spaced_label(page, lexicon, index, text, used, hits, add_embedded, False)
            if index in used:
                continue
        if matched is not None:
            field_name, consumed = matched
            end = positions[consumed - 1] + 1 if consumed else 0
            while end < len(glyphs) and glyphs[end].char in SEPARATORS:
                end += 1
            position = len(hits)
            stop = add_embedded(index, end)
            hits.insert(
                position,
                _LabelHit(field_name, (index,), 0, end, stop, box.left, box.top, box.right, box.bottom),
            )
            used.add(index)
            continue
        # A letter-spaced label ("名    称") is often detected as one box per character or two; an
        # exact reading is looked for first, then one forgiving a character the detector lost.
        if len(text) <= 2:
            for lenient in (False, True):
                if index not in used:
                    _spaced_label(page, lexicon, index, text, used, hits, add_embedded, lenient)
            if index in used:
                continue
        add_embedded(index, 1)
    return hits


@dataclass
class _Linked:
    hit: _LabelHit
    lines: list[list[SourcedGlyph]] = field(default_factory=list)
    geometry: list[tuple[float, float, float, float]] = field(default_factory=list)
    """Per line: left, top, right, bottom of the value's part of the line."""
    how: str = ""


def _link(page: PageText, schema: DocumentSchema, lexicon: _Lexicon) -> list[_Linked]:
    boxes = page.boxes
    hits = _find_labels(page, lexicon)
    linked = [_Linked(hit) for hit in hits]
    label_boxes = {member for hit in hits for member in hit.boxes}
    # where in each box the labels start: the part before belongs to whatever owns the box
    value_stop: dict[int, int] = {}
    for hit in hits:
        first = hit.boxes[0]
        value_stop[first] = min(value_stop.get(first, len(boxes[first].glyphs)), hit.start)
    owner: dict[int, int] = {}
    visible = {index: _visible_glyphs(page, index) for index in range(len(boxes))}

    def part(index: int) -> list[SourcedGlyph]:
        return list(
            _glyphs_of(page, index)[: min(visible[index], value_stop.get(index, len(boxes[index].glyphs)))]
        )

    # 1. the rest of the label's own box
    for item in linked:
        last = item.hit.boxes[-1]
        box = boxes[last]
        glyphs = _glyphs_of(page, last)
        rest = list(glyphs[item.hit.end : min(item.hit.stop, visible[last])])
        if any(glyph.char not in SEPARATORS for glyph in rest):
            item.lines.append(rest)
            left = box.left + rest[0].glyph.position * box.width - 0.5 * box.height
            right = box.left + rest[-1].glyph.position * box.width + 0.5 * box.height
            item.geometry.append((left, box.top, right, box.bottom))
            item.how = "inline"

    # Boxes that are wholly values, and label boxes whose start holds a value (a value with a label
    # embedded after it).
    candidates = [
        index for index in range(len(boxes)) if index not in label_boxes or value_stop.get(index, 0) > 0
    ]
    candidates = [index for index in candidates if any(g.char not in SEPARATORS for g in part(index))]
    starts_with_label = {hit.boxes[0] for hit in hits if hit.start == 0}
    candidates = [index for index in candidates if index not in starts_with_label]

    def nearest_label_left(box: TextBox, tolerance: float) -> int | None:
        best: tuple[float, int] | None = None
        for position, item in enumerate(linked):
            hit = item.hit
            # detected boxes are padded, so a tightly set value may overlap its label's box a little
            if (
                hit.right > box.left + box.height
                or box.centre_x <= hit.right
                or not _same_row(hit, box, tolerance)
            ):
                continue
            distance = box.left - hit.right
            key = (abs(hit.centre_y - box.centre_y) / hit.height + distance / (10 * hit.height), position)
            if best is None or key < best:
                best = key
        return None if best is None else best[1]

    # 2./3. boxes to the right, same row first, then rows centred on the label; a value is a run
    # of boxes: the first may stand far from its label (labels are padded to a column), the next
    # ones must follow closely, so stray text further along the row is left alone.
    centred = {position: bool(item.lines) for position, item in enumerate(linked)}
    frayed: set[int] = set()
    for tolerance in (0.5, 1.15):
        claimed: dict[int, list[int]] = defaultdict(list)
        for index in candidates:
            if index in owner:
                continue
            position = nearest_label_left(boxes[index], tolerance)
            if position is None:
                continue
            if tolerance > 0.5 and centred.get(position, False):
                continue  # a label with a value centred on its own row has no value cell around it
            if tolerance > 0.5 and any(
                _same_row(other.hit, boxes[index]) and other.hit.right <= boxes[index].left + 1
                for other in linked
            ):
                continue  # a nearer label on the box's own row takes precedence over a centred one
            claimed[position].append(index)
        for position, indices in claimed.items():
            item = linked[position]
            hit = item.hit
            first_gap = (FOLLOW_GAP if item.lines else FIRST_GAP) * hit.height
            start_right = item.geometry[0][2] if item.lines else hit.right
            rows: dict[int, float] = {}
            for index in sorted(indices, key=lambda index: (boxes[index].top, boxes[index].left)):
                row = next((key for key in rows if _same_row(boxes[key], boxes[index])), index)
                gap = boxes[index].left - rows.get(row, start_right)
                limit = first_gap if row not in rows else FOLLOW_GAP * boxes[index].height
                follower = row in rows or bool(item.lines)
                if gap <= limit and follower and boxes[index].score < FOLLOWER_SCORE:
                    # A poorly read box right after a value is as likely a seal's remnant or a
                    # speck as the value's end: not joined, and the value's end is left in doubt.
                    frayed.add(position)
                    continue
                if gap <= limit:
                    owner[index] = position
                    rows[row] = boxes[index].right
                    if abs(boxes[index].centre_y - hit.centre_y) <= 0.25 * hit.height:
                        centred[position] = True

    def attach(index: int, position: int) -> None:
        item = linked[position]
        box = boxes[index]
        glyphs = part(index)
        geometry = (box.left, box.top, box.right, box.bottom)
        if item.geometry and _same_row(boxes[index], _Box(*item.geometry[-1])):
            item.lines[-1].extend(glyphs)
            left, top, _, bottom = item.geometry[-1]
            item.geometry[-1] = (left, min(top, box.top), box.right, max(bottom, box.bottom))
        else:
            item.lines.append(glyphs)
            item.geometry.append(geometry)
        item.how = item.how or "right"

    for index in sorted(owner, key=lambda index: (boxes[index].top, boxes[index].left)):
        attach(index, owner[index])

    # 4. continuation lines under a value, aligned with it, with no label of their own
    changed = True
    while changed:
        changed = False
        for index in candidates:
            if index in owner:
                continue
            box = boxes[index]
            if any(_same_row(item.hit, box) and item.hit.right <= box.left + box.height for item in linked):
                continue
            for position, item in enumerate(linked):
                if not item.geometry or item.hit.field is None or not schema.spec(item.hit.field).multiline:
                    continue
                left, _, _, bottom = item.geometry[-1]
                if (
                    -0.3 * box.height <= box.top - bottom < 1.2 * box.height
                    and abs(box.left - left) < 1.5 * box.height
                ):
                    owner[index] = position
                    attach(index, position)
                    changed = True
                    break

    # 5. the cell below a label that has nothing beside it
    for position, item in enumerate(linked):
        if item.lines:
            continue
        hit = item.hit
        below = [
            index
            for index in candidates
            if index not in owner
            and boxes[index].top >= hit.bottom - 0.3 * hit.height
            and boxes[index].top - hit.bottom < 2.5 * hit.height
            and min(boxes[index].right, hit.right) - max(boxes[index].left, hit.left) > 0
        ]
        if below:
            nearest = min(below, key=lambda index: boxes[index].top)
            owner[nearest] = position
            attach(nearest, position)
            item.how = "below"
    for position in frayed:
        lines = linked[position].lines
        if lines and lines[-1]:
            tail = lines[-1][-1]
            lines[-1][-1] = SourcedGlyph(replace(tail.glyph, score=min(tail.glyph.score, 0.5)), tail.box)
    return linked


def _visible_glyphs(page: PageText, index: int) -> int:
    """How many of a box's glyphs come before a box that overlaps its end on the same row.

    The detector sometimes draws two boxes over one stretch of text (``开户地点：安`` and ``安徽省…``);
    the characters under the overlap are read twice, and only the second box's reading is kept.
    """
    box = page.boxes[index]
    cut = box.right
    for other in page.boxes:
        if (
            other is not box
            and _same_row(box, other)
            and box.left + box.height < other.left < box.right - 0.3 * box.height
        ):
            cut = min(cut, other.left + 0.3 * box.height)
    if cut >= box.right:
        return len(box.glyphs)
    return sum(1 for glyph in box.glyphs if box.left + glyph.position * box.width < cut)


@dataclass(frozen=True)
class _Box:
    left: float
    top: float
    right: float
    bottom: float


def running_text(page: PageText) -> Value:
    """The page's glyphs in reading order: rows top to bottom, boxes left to right within a row."""
    order = sorted(range(len(page.boxes)), key=lambda index: (page.boxes[index].top, page.boxes[index].left))
    rows: list[list[int]] = []
    for index in order:
        if rows and _same_row(page.boxes[rows[-1][0]], page.boxes[index]):
            rows[-1].append(index)
        else:
            rows.append([index])
    glyphs: list[SourcedGlyph] = []
    for row in rows:
        for index in sorted(row, key=lambda index: page.boxes[index].left):
            glyphs.extend(_glyphs_of(page, index))
    return Value(tuple(glyphs), "sentence")


def extract(page: PageText, schema: DocumentSchema) -> dict[str, FieldReading]:
    """Every field of ``schema`` found on ``page``: the most plausible, most confident candidate each."""
    lexicon = _Lexicon(schema)
    candidates: dict[str, list[FieldReading]] = {spec.name: [] for spec in schema.fields}

    def offer(spec: FieldSpec, raw: Value) -> None:
        cleaned = spec.clean(raw)
        if cleaned is None or not cleaned.glyphs:
            return
        text = cleaned.text
        candidates[spec.name].append(
            FieldReading(spec.name, text, cleaned.glyphs, raw.how, spec.plausibility(text))
        )

    linked = _link(page, schema, lexicon)
    claimed = {glyph.box for item in linked for line in item.lines for glyph in line}
    claimed |= {member for item in linked for member in item.hit.boxes if item.hit.field is None}
    for item in linked:
        if item.hit.field is None or not item.lines:
            continue
        spec = schema.spec(item.hit.field)
        lines = item.lines if spec.multiline else item.lines[:1]
        glyphs = tuple(glyph for line in lines for glyph in line)
        offer(spec, Value(glyphs, item.how))

    text = running_text(page)
    for rule in schema.sentences:
        for match in rule.pattern.finditer(text.text):
            offer(schema.spec(rule.field), text.slice(match.start("value"), match.end("value")))

    for spec in schema.fields:
        if spec.anywhere is None:
            continue
        for index in range(len(page.boxes)):
            if index in claimed:
                continue  # another label's value, or a label of a field not extracted
            found = spec.anywhere(Value(_glyphs_of(page, index), "anywhere"))
            if found is not None:
                offer(spec, found)

    chosen: dict[str, FieldReading] = {}
    for name, readings in candidates.items():
        if readings:
            chosen[name] = max(
                readings,
                key=lambda reading: (reading.plausibility, reading.how != "anywhere", reading.confidence),
            )
    return chosen

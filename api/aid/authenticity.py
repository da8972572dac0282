"""Authenticity of an aid application: each check an audit item, each failure a named reason.

Every check reads only the decision's inputs (:class:`~api.aid.inputs.DecisionInputs`), so it is recomputed
exactly by anyone holding them. The items:

``ID_NUMBER``
    The ID card's number passes GB 11643 (``ID_FORMAT``, ``ID_CHECK_DIGIT``, ``ID_BIRTH_DATE``, ``ID_REGION``)
    and the card is valid on the day (``ID_CARD_EXPIRED``, ``ID_CARD_NOT_YET_VALID``).
``SAME_PERSON``
    The name and ID number stated on the form, on the ID card, on the invoice (and in the invoice registry's
    record) and on the diagnosis certificate are the same person's (``NAME_MISMATCH``,
    ``ID_NUMBER_MISMATCH``).
``HOSPITAL``
    The invoice's and the certificate's hospital are one (``HOSPITAL_DOCUMENTS_DIFFER``); a government-registry
    record has exactly that name (``HOSPITAL_NOT_REGISTERED``: a name one character away is another hospital),
    is a hospital (``HOSPITAL_NOT_A_HOSPITAL``) and active (``HOSPITAL_NOT_ACTIVE``); its credit code holds an
    active institution of kind Hospital on the ledger (``HOSPITAL_NOT_ONBOARDED``).
``INVOICE``
    The invoice registry has exactly this code and number (``INVOICE_NOT_REGISTERED``; never the nearest), and
    its record agrees with the document (``INVOICE_ISSUER_DIFFERS``, ``INVOICE_PAYER_DIFFERS``,
    ``INVOICE_TOTAL_DIFFERS``, ``INVOICE_DATE_DIFFERS``).
``AMOUNT``
    The total in figures equals the total in capital numerals (``TOTAL_WORDS_DIFFER``) and the amount asked
    (``AMOUNT_ASKED_DIFFERS``).
``DATES``
    The diagnosis is not after the invoice (``DIAGNOSIS_AFTER_INVOICE``) and neither is after the day of the
    decision (``DATE_IN_FUTURE``).

A field the OCR could not find is ``<FIELD>_MISSING``; a comparison that differs only at characters the OCR
doubted is ``<WHAT>_IN_DOUBT`` instead of a mismatch: the item fails either way (an application is never
approved on a reading nobody is sure of), but the reason tells the applicant to send a clearer document
rather than accusing them of forgery.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from api.aid.inputs import DecisionInputs
from api.aid.key_info import DiagnosisField, FieldValue, IdCardField, InvoiceField
from oracle.aid import resident_id
from oracle.aid.capital_numerals import parse_capital
from oracle.registry.records import OrgType, RegistrationStatus

AUTHENTICITY_ITEMS = ("ID_NUMBER", "SAME_PERSON", "HOSPITAL", "INVOICE", "AMOUNT", "DATES")

LONG_TERM = "长期"


@dataclass(frozen=True)
class CheckResult:
    """One authenticity item: passed, or the named reasons it failed."""

    item: str
    reasons: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.reasons


class Match(Enum):
    EQUAL = "equal"
    IN_DOUBT = "in_doubt"
    """Differs only where a reading was unsure."""
    DIFFERENT = "different"
    MISSING = "missing"


Reading = FieldValue | str | None


def _parts(value: Reading) -> tuple[str, frozenset[int]] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value, frozenset()
    return value.value, frozenset(value.doubtful)


def compare(a: Reading, b: Reading) -> Match:
    """Whether two readings of one value agree: exactly, only up to doubted characters, or not."""
    left, right = _parts(a), _parts(b)
    if left is None or right is None:
        return Match.MISSING
    (text_a, doubt_a), (text_b, doubt_b) = left, right
    if text_a == text_b:
        return Match.EQUAL
    if len(text_a) != len(text_b):
        return Match.DIFFERENT
    differing = {index for index, (x, y) in enumerate(zip(text_a, text_b, strict=True)) if x != y}
    return Match.IN_DOUBT if differing <= (doubt_a | doubt_b) else Match.DIFFERENT


def confirmed(primary: FieldValue | None, *others: Reading) -> FieldValue | None:
    """``primary`` with its doubt lifted where another, independent reading of the same printed value agrees.

    Only readings whose text equals ``primary``'s character for character count; a character stays in doubt
    unless one of them read it with certainty. A reading that differs confirms nothing (naming the difference
    is another check's job), and nothing stands in for a ``primary`` that was not read.
    """
    if primary is None or primary.certain:
        return primary
    doubt = set(primary.doubtful)
    for other in others:
        parts = _parts(other)
        if parts is not None and parts[0] == primary.value:
            doubt &= parts[1]
    return primary.model_copy(update={"doubtful": tuple(sorted(doubt))})


def _reason(match: Match, what: str, mismatch: str) -> str | None:
    match match:
        case Match.EQUAL:
            return None
        case Match.IN_DOUBT:
            return f"{what}_IN_DOUBT"
        case Match.MISSING:
            return f"{what}_MISSING"
        case Match.DIFFERENT:
            return mismatch
    raise AssertionError(match)  # pragma: no cover


def _date(value: Reading) -> datetime.date | None:
    parts = _parts(value)
    if parts is None or parts[1]:
        return None  # a doubted digit makes a date unusable
    try:
        return datetime.date.fromisoformat(parts[0])
    except ValueError:
        return None


def _certain(value: FieldValue | None) -> str | None:
    return value.value if value is not None and value.certain else None


def _unique(reasons: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reason for reason in reasons if reason is not None))


def check_id_number(inputs: DecisionInputs) -> CheckResult:
    docs = inputs.documents
    card = docs.id_card
    number = confirmed(
        card.get(IdCardField.ID_NUMBER),
        docs.invoice.get(InvoiceField.PAYER_ID_NUMBER),
        docs.diagnosis.get(DiagnosisField.PATIENT_ID_NUMBER),
    )
    if number is None:
        return CheckResult("ID_NUMBER", ("ID_NUMBER_MISSING",))
    if not number.certain:
        return CheckResult("ID_NUMBER", ("ID_NUMBER_IN_DOUBT",))
    reasons: list[str | None] = [
        problem.value for problem in resident_id.problems(number.value, inputs.today)
    ]
    valid_from = _date(card.get(IdCardField.VALID_FROM))
    until = card.get(IdCardField.VALID_UNTIL)
    if valid_from is None or until is None or not until.certain:
        reasons.append("ID_CARD_VALIDITY_MISSING")
    else:
        if valid_from > inputs.today:
            reasons.append("ID_CARD_NOT_YET_VALID")
        if until.value != LONG_TERM:
            valid_until = _date(until)
            if valid_until is None:
                reasons.append("ID_CARD_VALIDITY_MISSING")
            elif valid_until < inputs.today:
                reasons.append("ID_CARD_EXPIRED")
    return CheckResult("ID_NUMBER", _unique(reasons))


def check_same_person(inputs: DecisionInputs) -> CheckResult:
    docs = inputs.documents
    card_name = docs.id_card.get(IdCardField.NAME)
    card_number = docs.id_card.get(IdCardField.ID_NUMBER)
    names: list[Reading] = [
        inputs.stated.name,
        docs.invoice.get(InvoiceField.PAYER_NAME),
        docs.diagnosis.get(DiagnosisField.PATIENT_NAME),
    ]
    numbers: list[Reading] = [
        inputs.stated.id_number,
        docs.invoice.get(InvoiceField.PAYER_ID_NUMBER),
        docs.diagnosis.get(DiagnosisField.PATIENT_ID_NUMBER),
    ]
    if inputs.invoice_registry is not None:
        names.append(inputs.invoice_registry.payer_name)
    reasons = [_reason(compare(card_name, other), "NAME", "NAME_MISMATCH") for other in names]
    reasons += [_reason(compare(card_number, other), "ID_NUMBER", "ID_NUMBER_MISMATCH") for other in numbers]
    return CheckResult("SAME_PERSON", _rank(_unique(reasons)))


def _rank(reasons: tuple[str, ...]) -> tuple[str, ...]:
    """Confident findings first: a forgery's reason leads, a doubt or a gap follows."""
    return tuple(sorted(reasons, key=lambda reason: reason.endswith(("_IN_DOUBT", "_MISSING"))))


def check_hospital(inputs: DecisionInputs) -> CheckResult:
    docs = inputs.documents
    on_invoice = docs.invoice.get(InvoiceField.HOSPITAL)
    on_diagnosis = docs.diagnosis.get(DiagnosisField.HOSPITAL)
    reasons: list[str | None] = [
        _reason(compare(on_invoice, on_diagnosis), "HOSPITAL", "HOSPITAL_DOCUMENTS_DIFFER")
    ]
    evidence = inputs.hospital
    on_invoice = confirmed(on_invoice, on_diagnosis)
    if on_invoice is None:
        reasons.append("HOSPITAL_MISSING")
    elif not on_invoice.certain:
        reasons.append("HOSPITAL_IN_DOUBT")
    elif evidence.name != on_invoice.value:
        reasons.append("HOSPITAL_EVIDENCE_STALE")  # the lookup was made for another name
    elif evidence.record is None or evidence.record.name != on_invoice.value:
        reasons.append("HOSPITAL_NOT_REGISTERED")
    else:
        if evidence.record.org_type is not OrgType.HOSPITAL:
            reasons.append("HOSPITAL_NOT_A_HOSPITAL")
        if evidence.record.status is not RegistrationStatus.ACTIVE:
            reasons.append("HOSPITAL_NOT_ACTIVE")
        if evidence.account is None or evidence.kind != "Hospital" or not evidence.active:
            reasons.append("HOSPITAL_NOT_ONBOARDED")
    return CheckResult("HOSPITAL", _rank(_unique(reasons)))


def check_invoice(inputs: DecisionInputs) -> CheckResult:
    invoice = inputs.documents.invoice
    code, number = invoice.get(InvoiceField.CODE), invoice.get(InvoiceField.NUMBER)
    if code is None or number is None:
        return CheckResult("INVOICE", ("INVOICE_NUMBER_MISSING",))
    if not (code.certain and number.certain):
        return CheckResult("INVOICE", ("INVOICE_NUMBER_IN_DOUBT",))
    record = inputs.invoice_registry
    if record is None or (record.code, record.number) != (code.value, number.value):
        return CheckResult("INVOICE", ("INVOICE_NOT_REGISTERED",))
    reasons = [
        _reason(
            compare(invoice.get(InvoiceField.HOSPITAL), record.issuer_name),
            "HOSPITAL",
            "INVOICE_ISSUER_DIFFERS",
        ),
        _reason(
            compare(invoice.get(InvoiceField.PAYER_NAME), record.payer_name), "PAYER", "INVOICE_PAYER_DIFFERS"
        ),
        _reason(compare(invoice_total(inputs), str(record.total_fen)), "TOTAL", "INVOICE_TOTAL_DIFFERS"),
        _reason(
            compare(invoice.get(InvoiceField.ISSUED_ON), record.issued_on.isoformat()),
            "DATE",
            "INVOICE_DATE_DIFFERS",
        ),
    ]
    return CheckResult("INVOICE", _rank(_unique(reasons)))


def _in_words(words: FieldValue | None) -> FieldValue | None:
    """The capital numerals as an amount in 分 (doubtful entirely if any character was)."""
    if words is None:
        return None
    parsed = parse_capital(words.value)
    if parsed is None:
        return None
    text = str(parsed)
    return FieldValue(
        value=text, doubtful=tuple(range(len(text))) if words.doubtful else (), confidence=words.confidence
    )


def invoice_total(inputs: DecisionInputs) -> FieldValue | None:
    """The invoice's total in 分: the figures and the capital numerals combined when they agree (sure if either
    reading is), the figures when they disagree (:func:`check_amount` names that), else whichever was read."""
    invoice = inputs.documents.invoice
    figures = invoice.get(InvoiceField.TOTAL_FIGURES)
    words = _in_words(invoice.get(InvoiceField.TOTAL_WORDS))
    if figures is not None and words is not None and figures.value == words.value:
        sure = figures.certain or words.certain
        return figures if figures.certain or not sure else words
    return figures or words


def _registered_total(inputs: DecisionInputs, fen: str) -> bool:
    """Whether the invoice registry's total is ``fen``: two unsure readings of the figures and the words that
    agree with each other and with the registry confirm each other."""
    return inputs.invoice_registry is not None and str(inputs.invoice_registry.total_fen) == fen


def check_amount(inputs: DecisionInputs) -> CheckResult:
    """The total in figures and in capital numerals agree with each other and with the amount asked.

    When one of the two could not be read, the other stands only if it was read with certainty and equals the
    invoice registry's total for this invoice (the registry then vouches for the figures the words would have
    confirmed; a total altered on the document still differs from the registry's).
    """
    invoice = inputs.documents.invoice
    figures = invoice.get(InvoiceField.TOTAL_FIGURES)
    printed_words = invoice.get(InvoiceField.TOTAL_WORDS)
    words = _in_words(printed_words)
    reasons: list[str | None] = []
    if figures is not None and words is not None:
        if figures.value != words.value:
            reasons.append("TOTAL_WORDS_DIFFER" if figures.certain and words.certain else "TOTAL_IN_DOUBT")
        elif not (figures.certain or words.certain) and not _registered_total(inputs, figures.value):
            reasons.append("TOTAL_IN_DOUBT")
    else:
        present = figures or words
        vouched = present is not None and present.certain and _registered_total(inputs, present.value)
        if not vouched:
            if figures is None:
                reasons.append("TOTAL_FIGURES_MISSING")
            if printed_words is None:
                reasons.append("TOTAL_WORDS_MISSING")
            elif words is None:
                reasons.append(
                    "TOTAL_WORDS_IN_DOUBT" if not printed_words.certain else "TOTAL_WORDS_UNREADABLE"
                )
    total = invoice_total(inputs)
    if total is not None:
        reasons.append(
            _reason(compare(total, str(inputs.stated.amount_asked_fen)), "TOTAL", "AMOUNT_ASKED_DIFFERS")
        )
    return CheckResult("AMOUNT", _rank(_unique(reasons)))


def check_dates(inputs: DecisionInputs) -> CheckResult:
    on_invoice = inputs.documents.invoice.get(InvoiceField.ISSUED_ON)
    if inputs.invoice_registry is not None:
        on_invoice = confirmed(on_invoice, inputs.invoice_registry.issued_on.isoformat())
    issued = _date(on_invoice)
    diagnosed = _date(inputs.documents.diagnosis.get(DiagnosisField.DIAGNOSED_ON))
    reasons: list[str | None] = []
    if issued is None:
        reasons.append("INVOICE_DATE_MISSING")
    if diagnosed is None:
        reasons.append("DIAGNOSIS_DATE_MISSING")
    if issued is not None and diagnosed is not None and diagnosed > issued:
        reasons.append("DIAGNOSIS_AFTER_INVOICE")
    if any(day is not None and day > inputs.today for day in (issued, diagnosed)):
        reasons.append("DATE_IN_FUTURE")
    return CheckResult("DATES", _rank(_unique(reasons)))


def check_authenticity(inputs: DecisionInputs) -> list[CheckResult]:
    """Every authenticity item of :data:`AUTHENTICITY_ITEMS`, in that order."""
    return [
        check_id_number(inputs),
        check_same_person(inputs),
        check_hospital(inputs),
        check_invoice(inputs),
        check_amount(inputs),
        check_dates(inputs),
    ]

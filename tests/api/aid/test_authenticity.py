"""api/aid/authenticity.py: every forgery rejected with its named reason, genuine applications pass, and a
difference the OCR doubted is told apart from a confident one."""

from __future__ import annotations

import datetime

import pytest

from api.aid.authenticity import AUTHENTICITY_ITEMS, Match, check_authenticity, compare
from api.aid.inputs import DecisionInputs
from api.aid.key_info import DocumentReading, FieldValue, IdCardField, InvoiceField
from oracle.aid.population import EXPECTED_REASON, Forgery
from tests.aid_cases import TODAY, case_of, inputs_of


def _failures(inputs: DecisionInputs) -> dict[str, tuple[str, ...]]:
    return {check.item: check.reasons for check in check_authenticity(inputs) if not check.passed}


def _with_field(reading: DocumentReading, name: str, value: FieldValue) -> DocumentReading:
    return reading.model_copy(update={"fields": {**reading.fields, name: value}})


def test_a_genuine_application_passes_every_check() -> None:
    case, registered = case_of(Forgery.NONE)
    checks = check_authenticity(inputs_of(case, registered))
    assert [check.item for check in checks] == list(AUTHENTICITY_ITEMS)
    assert all(check.passed for check in checks)


@pytest.mark.parametrize("forgery", [f for f in Forgery if f is not Forgery.NONE])
def test_every_forgery_fails_with_its_named_reason(forgery: Forgery) -> None:
    case, registered = case_of(forgery)
    failures = _failures(inputs_of(case, registered))
    reasons = {reason for item in failures.values() for reason in item}
    assert EXPECTED_REASON[forgery] in reasons, failures
    assert not any(reason.endswith(("_IN_DOUBT", "_MISSING")) for reason in reasons)


def test_the_id_number_is_checked_by_gb_11643_and_the_card_for_validity() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    number = case.id_card.id_number
    region_changed = "99" + number[2:17]
    from oracle.aid.resident_id import check_character

    cases = {
        "ID_REGION": region_changed + check_character(region_changed),
        "ID_FORMAT": number[:17],
        "ID_BIRTH_DATE": number[:6] + "20991301" + number[14:],
    }
    for reason, value in cases.items():
        card = _with_field(inputs.documents.id_card, IdCardField.ID_NUMBER, FieldValue(value=value))
        changed = inputs.model_copy(
            update={"documents": inputs.documents.model_copy(update={"id_card": card})}
        )
        assert reason in _failures(changed)["ID_NUMBER"]
    later = inputs.model_copy(update={"today": datetime.date(2090, 1, 1)})
    if case.id_card.valid_until is not None:
        assert "ID_CARD_EXPIRED" in _failures(later)["ID_NUMBER"]


def test_a_difference_at_a_doubted_character_is_not_taken_for_a_forgery() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    name = case.id_card.name
    misread = name[:-1] + ("甲" if name[-1] != "甲" else "乙")
    for doubtful, expected in (((len(name) - 1,), "NAME_IN_DOUBT"), ((), "NAME_MISMATCH")):
        invoice = _with_field(
            inputs.documents.invoice, InvoiceField.PAYER_NAME, FieldValue(value=misread, doubtful=doubtful)
        )
        changed = inputs.model_copy(
            update={"documents": inputs.documents.model_copy(update={"invoice": invoice})}
        )
        assert expected in _failures(changed)["SAME_PERSON"]


def test_a_doubted_invoice_number_is_never_looked_up_as_registered() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    number = FieldValue(value=case.invoice.number, doubtful=(3,))
    invoice = _with_field(inputs.documents.invoice, InvoiceField.NUMBER, number)
    changed = inputs.model_copy(
        update={"documents": inputs.documents.model_copy(update={"invoice": invoice})}
    )
    assert _failures(changed)["INVOICE"] == ("INVOICE_NUMBER_IN_DOUBT",)


def test_missing_fields_are_named() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    invoice = inputs.documents.invoice.model_copy(update={"fields": {}})
    changed = inputs.model_copy(
        update={"documents": inputs.documents.model_copy(update={"invoice": invoice})}
    )
    failures = _failures(changed)
    assert failures["INVOICE"] == ("INVOICE_NUMBER_MISSING",)
    assert "TOTAL_FIGURES_MISSING" in failures["AMOUNT"]
    assert "INVOICE_DATE_MISSING" in failures["DATES"]
    assert "HOSPITAL_MISSING" in failures["HOSPITAL"]


def test_an_unreadable_total_is_vouched_for_only_by_the_registry() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    fields = dict(inputs.documents.invoice.fields)
    del fields[InvoiceField.TOTAL_FIGURES]
    invoice = inputs.documents.invoice.model_copy(update={"fields": fields})
    without_figures = inputs.model_copy(
        update={"documents": inputs.documents.model_copy(update={"invoice": invoice})}
    )
    assert _failures(without_figures) == {}  # the words, read with certainty, equal the registry's total
    unregistered = without_figures.model_copy(update={"invoice_registry": None})
    assert "TOTAL_FIGURES_MISSING" in _failures(unregistered)["AMOUNT"]
    doubted = FieldValue(value=case.invoice.total_in_words, doubtful=(0,))
    unsure = invoice.model_copy(update={"fields": {**fields, InvoiceField.TOTAL_WORDS: doubted}})
    in_doubt = without_figures.model_copy(
        update={"documents": inputs.documents.model_copy(update={"invoice": unsure})}
    )
    assert "TOTAL_FIGURES_MISSING" in _failures(in_doubt)["AMOUNT"]
    asked_more = without_figures.model_copy(
        update={"stated": inputs.stated.model_copy(update={"amount_asked_fen": case.amount_asked_fen + 1})}
    )
    assert _failures(asked_more) == {"AMOUNT": ("AMOUNT_ASKED_DIFFERS",)}


def test_an_agreeing_reading_on_another_document_lifts_a_doubt() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    doubted = FieldValue(value=case.id_card.id_number, doubtful=(5,))
    card = _with_field(inputs.documents.id_card, IdCardField.ID_NUMBER, doubted)
    changed = inputs.model_copy(update={"documents": inputs.documents.model_copy(update={"id_card": card})})
    assert (
        _failures(changed) == {}
    )  # the invoice and the certificate print the same number, read with certainty
    others = {
        "invoice": _with_field(inputs.documents.invoice, InvoiceField.PAYER_ID_NUMBER, doubted),
        "diagnosis": _with_field(inputs.documents.diagnosis, "patient_id_number", doubted),
    }
    alone = changed.model_copy(update={"documents": changed.documents.model_copy(update=others)})
    assert _failures(alone)["ID_NUMBER"] == ("ID_NUMBER_IN_DOUBT",)


def test_dates_in_order_and_not_in_the_future() -> None:
    case, registered = case_of(Forgery.NONE)
    inputs = inputs_of(case, registered)
    earlier = inputs.model_copy(update={"today": case.invoice.issued_on - datetime.timedelta(days=1)})
    assert "DATE_IN_FUTURE" in _failures(earlier)["DATES"]
    assert case.invoice.issued_on < TODAY


def test_compare_tells_equal_doubtful_different_and_missing() -> None:
    assert compare("张伟", "张伟") is Match.EQUAL
    assert compare(FieldValue(value="张纬", doubtful=(1,)), "张伟") is Match.IN_DOUBT
    assert compare(FieldValue(value="张纬", doubtful=(0,)), "张伟") is Match.DIFFERENT
    assert compare("张伟", "张伟伟") is Match.DIFFERENT
    assert compare(None, "张伟") is Match.MISSING

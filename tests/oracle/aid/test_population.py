"""oracle/aid/population.py: generated applications are what they claim to be."""

from __future__ import annotations

from oracle.aid import resident_id
from oracle.aid.capital_numerals import parse_capital
from oracle.aid.invoices import index_invoices
from oracle.aid.population import Forgery, generate_cases
from tests.aid_cases import TODAY, generated, hospitals, registry_records, unregistered_hospitals


def test_the_same_seed_gives_the_same_cases_and_every_forgery_occurs() -> None:
    first = generated()
    again = generate_cases(
        hospitals(),
        40,
        today=TODAY,
        seed=7,
        unregistered_hospitals=unregistered_hospitals(),
        all_registry_names={record.name for record in registry_records()},
    )
    assert again.cases == first.cases
    assert {case.forgery for case in first.cases} >= {Forgery.NONE, Forgery.INVOICE_NUMBER_ONE_OFF}


def test_forgeries_differ_from_the_truth_exactly_as_described() -> None:
    made = generate_cases(
        hospitals(), 400, today=TODAY, seed=3, all_registry_names={r.name for r in registry_records()}
    )
    registered = index_invoices(made.invoices)
    names = {record.name for record in registry_records()}
    for case in made.cases:
        invoice, card = case.invoice, case.id_card
        in_registry = registered.get((invoice.code, invoice.number))
        valid = resident_id.is_valid(card.id_number, TODAY)
        assert valid == (case.forgery is not Forgery.ID_CHECK_DIGIT)
        assert (in_registry is None) == (
            case.forgery in (Forgery.INVOICE_NUMBER_ONE_OFF, Forgery.INVOICE_FABRICATED)
        )
        assert (invoice.issuer_name in names) == (case.forgery is not Forgery.HOSPITAL_ONE_OFF)
        assert (invoice.payer_name == card.name) == (case.forgery is not Forgery.INVOICE_NAME_ONE_OFF)
        assert (parse_capital(invoice.total_in_words) == invoice.total_fen) == (
            case.forgery is not Forgery.TOTAL_WORDS_DIFFER
        )
        assert (case.amount_asked_fen == invoice.total_fen) == (
            case.forgery is not Forgery.AMOUNT_ASKED_DIFFERS
        )
        assert (case.diagnosis.diagnosed_on <= invoice.issued_on) == (
            case.forgery is not Forgery.DIAGNOSIS_AFTER_INVOICE
        )
        assert (invoice.issued_on <= TODAY) == (case.forgery is not Forgery.DATE_IN_FUTURE)
        expired = card.valid_until is not None and card.valid_until < TODAY
        assert expired == (case.forgery is Forgery.ID_CARD_EXPIRED)
        if case.forgery is Forgery.INVOICE_NUMBER_ONE_OFF:
            assert any(
                sum(a != b for a, b in zip(invoice.number, other.number, strict=True)) == 1
                for other in made.invoices
                if other.code == invoice.code
            )

"""oracle/aid/investigation.py and identity_hash.py: the bank's feed, joined by the salted identity hash."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from oracle.aid.errors import SourceUnavailable
from oracle.aid.identity_hash import identity_hash
from oracle.aid.investigation import (
    InvestigationSource,
    SqliteInvestigationFeed,
    load_profiles,
    open_investigation_db,
)
from oracle.aid.population import investigation_records
from tests.aid_cases import SALT, generated


def test_the_feed_answers_by_salted_identity_hash_only() -> None:
    made = generated()
    records = investigation_records(made, SALT)
    engine = open_investigation_db(None)
    assert load_profiles(engine, records) == len(records)
    feed = SqliteInvestigationFeed(engine)
    assert isinstance(feed, InvestigationSource)
    known = [case for case in made.cases if made.profiles[case.id_card.id_number].value != "not_a_customer"]
    for case in known[:5]:
        record = feed.fetch(identity_hash(SALT, case.id_card.id_number))
        assert record is not None
        assert record.income_per_capita_yuan == record.annual_household_income_yuan // record.household_size
        assert feed.fetch(identity_hash(b"another salt!!!!", case.id_card.id_number)) is None
    strangers = [
        case for case in made.cases if made.profiles[case.id_card.id_number].value == "not_a_customer"
    ]
    for case in strangers:
        assert feed.fetch(identity_hash(SALT, case.id_card.id_number)) is None


def test_a_broken_feed_is_unavailable_not_empty() -> None:
    feed = SqliteInvestigationFeed(create_engine("sqlite://"))  # no table
    with pytest.raises(SourceUnavailable):
        feed.fetch(b"\x01" * 32)


def test_the_identity_hash_is_keyed_normalised_and_refuses_a_short_salt() -> None:
    number = "11010519491231002X"
    assert identity_hash(SALT, number) == identity_hash(SALT, " 11010519491231002x ")
    assert identity_hash(SALT, number) != identity_hash(SALT[::-1], number)
    with pytest.raises(ValueError, match="salt"):
        identity_hash(b"short", number)
    with pytest.raises(ValueError, match="empty"):
        identity_hash(SALT, "  ")

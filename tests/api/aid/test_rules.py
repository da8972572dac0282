"""api/aid/rules.py: rules as versioned data, their digests and terms, scoring."""

from __future__ import annotations

import json

import pytest

from api.aid.errors import RuleInvalid, RuleUnknown
from api.aid.rules import AidRule, PiecewiseLinear, RuleLibrary, Strategy, Table
from chain_client.contracts.aid_decisions import AidStrategy

RULES = RuleLibrary()


def test_both_strategies_are_packaged_as_rule_documents() -> None:
    a, b = RULES.by_name("every-item"), RULES.by_name("weighted-average@1")
    assert (a.strategy, b.strategy) == (Strategy.EVERY_ITEM, Strategy.WEIGHTED_AVERAGE)
    assert RULES.by_digest(a.digest()) == a
    assert a.terms().strategy is AidStrategy.EVERY_ITEM
    assert b.terms().pass_threshold == 9_200
    assert a.terms().item_codes == b.terms().item_codes
    with pytest.raises(RuleUnknown):
        RULES.by_name("lenient")
    with pytest.raises(RuleUnknown):
        RULES.by_digest(b"\x00" * 32)


def test_the_digest_covers_every_part_of_the_rule() -> None:
    rule = RULES.by_name("every-item")
    document = json.loads(rule.canonical_json())
    assert AidRule.from_json(rule.canonical_json()).digest() == rule.digest()
    variants = [
        {**document, "version": 2},
        {**document, "description": document["description"] + " "},
        {**document, "items": [{**document["items"][-1], "threshold": 4_999}, *document["items"][:-1]]},
    ]
    last = document["items"][-1]
    points = last["scoring"]["points"]
    variants.append(
        {
            **document,
            "items": [
                *document["items"][:-1],
                {
                    **last,
                    "scoring": {**last["scoring"], "points": [[0, 10_000], [24_001, 5_000], points[-1]]},
                },
            ],
        }
    )
    digests = {AidRule.model_validate(variant).digest() for variant in variants}
    assert len(digests) == len(variants)
    assert rule.digest() not in digests


def test_inconsistent_rules_are_refused() -> None:
    document = json.loads(RULES.by_name("weighted-average").canonical_json())
    bad = [
        {**document, "items": [{**item, "weight": 0} for item in document["items"]]},
        {**document, "strategy": "every_item"},  # with a pass threshold
        {**document, "items": [*document["items"], document["items"][0]]},  # duplicate code
        {**document, "items": [{**document["items"][0], "scoring": {"kind": "table", "values": {}}}]},
    ]
    for variant in bad:
        with pytest.raises(RuleInvalid):
            AidRule.from_json(json.dumps(variant))
    with pytest.raises(RuleInvalid):
        AidRule.from_json(b"not json")


def test_piecewise_linear_scores_round_down_and_clamp() -> None:
    income = PiecewiseLinear(points=((0, 10_000), (24_000, 5_000), (48_000, 0)))
    assert [income.score(x) for x in (-5, 0, 1, 12_000, 24_000, 24_001, 48_000, 10**9)] == [
        10_000, 10_000, 9_999, 7_500, 5_000, 4_999, 0, 0,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="increasing"):
        PiecewiseLinear(points=((5, 1), (5, 2)))
    assert Table(values={"a": 7}, default=3).score("b") == 3

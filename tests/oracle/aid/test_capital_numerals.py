"""oracle/aid/capital_numerals.py: amounts in capital Chinese numerals, written and read back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.aid.capital_numerals import MAX_FEN, parse_capital, to_capital


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "零元整"),
        (5, "伍分"),
        (1_000, "壹拾元整"),
        (1_005, "壹拾元零伍分"),
        (1_005_000, "壹万零伍拾元整"),
        (1_234_560, "壹万贰仟叁佰肆拾伍元陆角整"),
        (100_100_000, "壹佰万壹仟元整"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (123_456_789_012, "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"),
    ],
)
def test_amounts_are_written_by_the_accounting_rules(fen: int, words: str) -> None:
    assert to_capital(fen) == words
    assert parse_capital(words) == fen


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_every_amount_reads_back(fen: int) -> None:
    assert parse_capital(to_capital(fen)) == fen


def test_the_variants_the_rules_allow_are_read() -> None:
    assert parse_capital("人民币壹仟陆佰捌拾元零叁角贰分") == 168_032
    assert parse_capital("拾元整") == 1_000
    assert parse_capital("壹佰圆正") == 10_000
    assert parse_capital("壹拾元伍角") == 1_050


@pytest.mark.parametrize(
    "text",
    ["", "壹佰元", "伍叁元整", "壹万亿元整", "壹亿壹亿元整", "壹元零伍分整", "壹佰元x整", "佰元整", "元整"],
)
def test_anything_else_is_unreadable_rather_than_another_amount(text: str) -> None:
    assert parse_capital(text) is None


def test_out_of_range_amounts_are_refused() -> None:
    for fen in (-1, MAX_FEN + 1):
        with pytest.raises(ValueError, match="out of range"):
            to_capital(fen)

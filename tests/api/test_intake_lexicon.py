"""Single misreadings undone by closed lists: bank names, provinces, surnames."""

from __future__ import annotations

import pytest

from api.intake.lexicon import (
    NAME_PROVINCE_SUFFIXES,
    correct_bank,
    correct_province,
    edit_distance,
    strip_leading_noise,
)


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        ("中国邮政储鞋银行昆明北京支行", "中国邮政储蓄银行昆明北京支行"),  # one character substituted
        ("国工商银行杭州西湖支行", "中国工商银行杭州西湖支行"),  # one character lost
        ("中国银行合肥蜀山支行", "中国银行合肥蜀山支行"),  # exact: left alone
        ("中信银行武汉武昌支行", "中信银行武汉武昌支行"),  # exact, though one edit from 中国银行
        ("中言银行武汉支行", "中言银行武汉支行"),  # one edit from two banks: ambiguous, left alone
        ("让国建设贸行苏州虎丘支行", "让国建设贸行苏州虎丘支行"),  # two edits: left alone
    ],
)
def test_bank_names(read: str, printed: str) -> None:
    assert correct_bank(read) == printed


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        ("洲江省杭州市西湖区", "浙江省杭州市西湖区"),
        ("北京市朝阳区", "北京市朝阳区"),
        ("狭西省西安市雁塔区", "狭西省西安市雁塔区"),  # one edit from both 陕西省 and 山西省
    ],
)
def test_account_locations_start_with_a_province(read: str, printed: str) -> None:
    assert correct_province(read) == printed


def test_names_are_corrected_only_before_a_province_suffix() -> None:
    assert correct_province("安微省博爱基金会", NAME_PROVINCE_SUFFIXES) == "安徽省博爱基金会"
    assert correct_province("天门市慈善会", NAME_PROVINCE_SUFFIXES) == "天门市慈善会"  # not 天津市
    assert correct_province("天门市慈善会") == "天津市慈善会"  # why names must not use the default


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        ("了丁婷艳", "丁婷艳"),
        ("了欧阳宁", "欧阳宁"),
        ("丁婷艳", "丁婷艳"),
        ("素明涛", "素明涛"),
        ("了丁", "了丁"),
    ],
)
def test_a_misread_colon_before_a_surname_is_dropped(read: str, kept: str) -> None:
    assert strip_leading_noise(read) == kept


def test_edit_distance() -> None:
    assert edit_distance("", "") == 0
    assert edit_distance("中国银行", "中信银行") == 1
    assert edit_distance("国工商银行", "中国工商银行") == 1
    assert edit_distance("abc", "") == 3

"""api/intake/kie.py with api/intake/institution.py: label boxes linked to value boxes, on pages of
boxes laid out by hand (no OCR), one layout convention per test."""

from __future__ import annotations

from api.intake.engine import Glyph, PageText, TextBox
from api.intake.institution import INSTITUTION_CERTIFICATES, Field
from api.intake.kie import extract

H = 30.0
"""Character height of the made-up pages, in pixels."""


def box(text: str, left: float, top: float, *, scores: dict[int, float] | None = None) -> TextBox:
    """A recognised line: characters H wide, score 0.99 unless ``scores`` says otherwise."""
    glyphs = tuple(
        Glyph(char, (scores or {}).get(index, 0.99), (), (index + 0.5) / len(text))
        for index, char in enumerate(text)
    )
    quad = ((left, top), (left + H * len(text), top), (left + H * len(text), top + H), (left, top + H))
    return TextBox(text, 0.99, glyphs, left, top, left + H * len(text), top + H, quad)


def page(*boxes: TextBox) -> PageText:
    return PageText(tuple(boxes), 0, 0.0, 1240, 1754, 0.0)


def read(*boxes: TextBox) -> dict[str, str]:
    return {name: reading.value for name, reading in extract(page(*boxes), INSTITUTION_CERTIFICATES).items()}


def test_values_to_the_right_of_a_label_column() -> None:
    fields = read(
        box("名称：", 100, 100),
        box("北京市春晖基金会", 400, 100),
        box("法定代表人：", 100, 150),
        box("王芳", 400, 150),
        box("成立日期：", 100, 200),
        box("2001年1月1日", 400, 200),
    )
    assert fields == {Field.NAME: "北京市春晖基金会", Field.LEGAL_REPRESENTATIVE: "王芳"}


def test_a_label_and_its_value_in_one_box_and_a_second_label_inside_it() -> None:
    fields = read(box("存款人名称：河南省妇幼保健院法定代表人：杜雪", 100, 100))
    assert fields == {Field.NAME: "河南省妇幼保健院", Field.LEGAL_REPRESENTATIVE: "杜雪"}


def test_a_value_that_is_not_beside_its_label_is_not_taken_from_the_next_line() -> None:
    # The representative's value is missing; the line below is another field's.
    fields = read(
        box("法定代表人：", 100, 100),
        box("成立日期：", 100, 150),
        box("2001年1月1日", 400, 150),
        box("名称：", 100, 200),
        box("北京市春晖基金会", 400, 200),
    )
    assert Field.LEGAL_REPRESENTATIVE not in fields
    assert fields[Field.NAME] == "北京市春晖基金会"


def test_a_table_whose_header_row_holds_the_labels() -> None:
    fields = read(
        box("单位名称", 100, 100),
        box("法定代表人", 700, 100),
        box("上海市阳光慈善总会", 100, 160),
        box("李强", 700, 160),
    )
    assert fields == {Field.NAME: "上海市阳光慈善总会", Field.LEGAL_REPRESENTATIVE: "李强"}


def test_a_value_on_two_lines_is_joined_and_a_value_cell_centred_on_its_label() -> None:
    fields = read(
        box("开户银行", 100, 118),
        box("中国邮政储蓄银行昆明", 400, 100),
        box("北京路支行", 400, 136),
        box("名称", 100, 220),
        box("昆明市希望", 400, 220),
        box("公益服务中心", 400, 256),
        box("住所", 100, 320),
        box("昆明市北京路1号", 400, 320),
    )
    assert fields[Field.ACCOUNT_BANK] == "中国邮政储蓄银行昆明北京路支行"
    assert fields[Field.NAME] == "昆明市希望公益服务中心"


def test_stray_text_far_along_the_row_is_not_part_of_the_value() -> None:
    fields = read(box("法定代表人：", 100, 100), box("冯斌娜", 300, 100), box("银行江", 900, 100))
    assert fields[Field.LEGAL_REPRESENTATIVE] == "冯斌娜"


def test_letter_spaced_labels_over_several_boxes() -> None:
    fields = read(box("名", 100, 100), box("称", 250, 100), box("广州市爱心基金会", 400, 100))
    assert fields[Field.NAME] == "广州市爱心基金会"


def test_a_sentence_style_permit() -> None:
    fields = read(
        box("开户许可证", 400, 40),
        box("经审核，深圳市关爱志愿者协会符合开户条", 100, 100),
        box("件，准予开立基本存款账户。", 100, 140),
        box("法定代表人（单位负责人）：周杰", 100, 200),
        box("开户银行：招商银行深圳南山支行", 100, 250),
    )
    assert fields == {
        Field.NAME: "深圳市关爱志愿者协会",
        Field.LEGAL_REPRESENTATIVE: "周杰",
        Field.ACCOUNT_BANK: "招商银行深圳南山支行",
    }


def test_the_representative_named_in_a_certifying_sentence() -> None:
    fields = read(box("兹证明欧阳晓东同志系武汉市儿童医院的法定代表人。", 100, 100))
    assert fields == {Field.LEGAL_REPRESENTATIVE: "欧阳晓东", Field.NAME: "武汉市儿童医院"}


def test_a_landscape_licence_with_the_code_under_its_label_at_the_top_left() -> None:
    fields = read(
        box("统一社会信用代码", 60, 60),
        box("91440300708461136T", 60, 96),
        box("营业执照", 500, 150),
        box("名称", 80, 260),
        box("深圳恒通商贸有限公司", 300, 260),
        box("注册资本", 700, 260),
        box("壹佰万元", 900, 260),
        box("法定代表人", 80, 310),
        box("陈伟", 300, 310),
        box("成立日期", 700, 310),
        box("2001年1月1日", 900, 310),
    )
    assert fields == {
        Field.CREDIT_CODE: "91440300708461136T",
        Field.NAME: "深圳恒通商贸有限公司",
        Field.LEGAL_REPRESENTATIVE: "陈伟",
    }


def test_an_account_number_beside_the_code_label_is_not_a_code() -> None:
    fields = read(box("统一社会信用代码：", 100, 100), box("6222021001123456789", 500, 100))
    assert Field.CREDIT_CODE not in fields


def test_each_value_keeps_its_doubtful_characters_and_boxes() -> None:
    result = extract(
        page(box("法定代表人：", 100, 100), box("王芳", 400, 100, scores={1: 0.55})), INSTITUTION_CERTIFICATES
    )
    reading = result[Field.LEGAL_REPRESENTATIVE]
    assert reading.value == "王芳"
    assert reading.doubtful == (1,)
    assert reading.boxes == (1,)
    assert reading.confidence < 0.6

"""The certificates of institution onboarding as a document kind for :mod:`api.intake.kie`.

One schema covers the three documents an institution uploads, because they print the same fields
under different labels: the registration certificate (社会团体法人登记证书, 民办非企业单位登记证书,
基金会法人登记证书, 事业单位法人证书, 统一社会信用代码证书, 营业执照), the legal-person identification
page (法定代表人身份证明书) and the account-opening permit (开户许可证). The labels are those printed on
the Chinese originals, each field under every name it goes by; the validators keep only what a field
can contain and score how much the value looks like one (an organisation's name ends in a legal form,
a person's name starts with a surname, a branch name contains a bank and ends in 支行 or the like).
"""

from __future__ import annotations

import re
from enum import StrEnum

from api.intake.codes import find_code
from api.intake.kie import DocumentSchema, FieldSpec, SentenceRule, Value, is_cjk
from api.intake.lexicon import BANKS, COMPOUND_SURNAMES, PROVINCES, SURNAMES


class Field(StrEnum):
    """The fields of the first key information, named as in :class:`oracle.registry.records.RegistryRecord`."""

    NAME = "name"
    CREDIT_CODE = "credit_code"
    LEGAL_REPRESENTATIVE = "legal_representative"
    ACCOUNT_BANK = "account_bank"
    ACCOUNT_LOCATION = "account_location"


class DocumentKind(StrEnum):
    """Which certificate an image shows, recognised from its title."""

    REGISTRATION = "registration"
    LEGAL_PERSON = "legal_person"
    ACCOUNT_PERMIT = "account_permit"
    UNKNOWN = "unknown"


DOCUMENT_TITLES: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.ACCOUNT_PERMIT: ("开户许可证", "开户许可", "基本存款账户信息"),
    DocumentKind.LEGAL_PERSON: ("身份证明书", "身份证明", "法定代表人证明"),
    DocumentKind.REGISTRATION: ("登记证书", "营业执照", "法人证书", "信用代码证书"),
}
"""Words of each document's title (checked in this order: 开户许可证 before a generic 证)."""

_ORGANISATION_ENDINGS = (
    "基金会", "协会", "学会", "研究会", "促进会", "联合会", "商会", "总会", "慈善会", "公益会", "中心", "服务社",
    "公司", "集团", "医院", "卫生院", "保健院", "诊所", "学校", "学院", "大学", "幼儿园", "政府", "办事处",
    "委员会", "局", "厅", "署", "所", "站", "院", "社", "会", "馆", "部", "队", "合作社", "银行", "厂",
)  # fmt: skip
_BANK_ENDINGS = re.compile(r"^(.*?(?:支行|分行|营业部|营业室|分理处|储蓄所|信用社|信用合作联社|管理部))")
_BANK_WORDS = ("银行", "信用社", "信用合作")
_PLACE_SUFFIXES = ("省", "市", "区", "县", "州", "旗", "盟", "自治区")


def _name_char(char: str) -> bool:
    return is_cjk(char) or char in "()（）" or char.isdigit()


def clean_name(value: Value) -> Value | None:
    kept = value.keep(_name_char)
    text = kept.text
    start = next((i for i, char in enumerate(text) if is_cjk(char) or char in "(（"), len(text))
    end = max((i + 1 for i, char in enumerate(text) if is_cjk(char) or char in ")）"), default=start)
    kept = kept.slice(start, end)
    return kept if sum(is_cjk(char) for char in kept.text) >= 4 else None


def name_plausibility(text: str) -> float:
    return 1.0 if text.endswith(_ORGANISATION_ENDINGS) else 0.6


def clean_person(value: Value) -> Value | None:
    kept = value.keep(lambda char: is_cjk(char) or char == "·")
    text = kept.text
    start, end = len(text) - len(text.lstrip("·")), len(text.rstrip("·"))
    kept = kept.slice(start, max(start, end))
    text = kept.text
    for suffix in ("同志", "先生", "女士"):
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            kept = kept.slice(0, len(text) - len(suffix))
            text = kept.text
    return kept if 2 <= len(text) <= 6 or ("·" in text and len(text) <= 20) else None


def person_plausibility(text: str) -> float:
    if text[:2] in COMPOUND_SURNAMES or "·" in text:
        return 1.0
    surname = 1.0 if text[0] in SURNAMES else 0.6
    return surname if len(text) <= 4 else 0.5 * surname


def clean_bank(value: Value) -> Value | None:
    kept = value.keep(lambda char: is_cjk(char) or char in "()（）")
    text = kept.text
    if not any(word in text for word in _BANK_WORDS):
        return None
    ending = _BANK_ENDINGS.match(text)
    if ending is not None:
        kept = kept.slice(0, ending.end(1))
    return kept if len(kept.text) >= 4 else None


def find_bank(value: Value) -> Value | None:
    """A box that is a branch of a licensed bank by itself (``中国建设银行南京和平支行``), wherever it is.

    Used when the bank's label was not read. The central bank (中国人民银行) issues permits and
    holds no institution's account, so its name is never taken.
    """
    cleaned = clean_bank(value)
    if cleaned is None or cleaned.text.startswith("中国人民银行") or not _BANK_ENDINGS.match(cleaned.text):
        return None
    if not any(cleaned.text.startswith(bank) for bank in BANKS):
        return None
    return cleaned


def bank_plausibility(text: str) -> float:
    return 1.0 if _BANK_ENDINGS.match(text) else 0.7


def clean_place(value: Value) -> Value | None:
    kept = value.keep(is_cjk)
    return kept if len(kept.text) >= 2 and any(suffix in kept.text for suffix in _PLACE_SUFFIXES) else None


def place_plausibility(text: str) -> float:
    return 1.0 if any(text.startswith(province) for province in PROVINCES) else 0.6


def clean_code(value: Value) -> Value | None:
    return find_code(value)


_VALUE = r"[^,，。:：;；]"

NAME_LABELS = (
    "名称", "单位名称", "机构名称", "社会组织名称", "组织名称", "企业名称", "存款人名称", "存款人", "基金会名称",
    "社会团体名称", "民办非企业单位名称", "事业单位名称", "单位全称", "账户名称", "户名", "开户单位", "申请单位",
)  # fmt: skip
REPRESENTATIVE_LABELS = (
    "法定代表人", "法定代表人(负责人)", "法定代表人(单位负责人)", "单位负责人", "负责人", "法人代表",
    "法定代表人姓名", "主要负责人", "法定代表人或负责人", "法定代表人/负责人",
)  # fmt: skip
OTHER_LABELS = (
    "住所", "地址", "注册地址", "办公地址", "单位地址", "成立日期", "登记日期", "发证日期", "核准日期", "有效期",
    "有效期限", "营业期限", "注册资本", "注册资金", "开办资金", "原始基金数额", "类型", "经营范围", "业务范围",
    "宗旨和业务范围", "活动地域", "业务主管单位", "登记管理机关", "发证机关", "核准号", "编号", "账号", "账户号码",
    "账户性质", "职务", "性别", "年龄", "身份证号码", "证件号码", "证件类型", "联系电话", "电话", "证书编号",
    "举办单位", "日期", "币种",
)  # fmt: skip
"""Labels of printed fields that are not key information (their values must not be taken for it)."""

INSTITUTION_CERTIFICATES = DocumentSchema(
    name="institution_certificates",
    fields=(
        FieldSpec(
            Field.NAME.value,
            labels=NAME_LABELS,
            clean=clean_name,
            plausibility=name_plausibility,
            multiline=True,
        ),
        FieldSpec(
            Field.CREDIT_CODE.value,
            labels=("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "登记证号", "证照号码"),
            clean=clean_code,
            anywhere=clean_code,
            multiline=True,  # a narrow value column may wrap the code's last characters
        ),
        FieldSpec(
            Field.LEGAL_REPRESENTATIVE.value,
            labels=REPRESENTATIVE_LABELS,
            clean=clean_person,
            plausibility=person_plausibility,
        ),
        FieldSpec(
            Field.ACCOUNT_BANK.value,
            labels=("开户银行", "开户行", "开户机构", "开户银行名称", "开户网点"),
            clean=clean_bank,
            plausibility=bank_plausibility,
            anywhere=find_bank,
            multiline=True,
        ),
        FieldSpec(
            Field.ACCOUNT_LOCATION.value,
            labels=("开户地点", "开户地", "开户地区", "开户所在地", "账户所在地", "开户行所在地"),
            clean=clean_place,
            plausibility=place_plausibility,
            multiline=True,
        ),
    ),
    other_labels=OTHER_LABELS,
    sentences=(
        SentenceRule(
            Field.NAME.value, re.compile(rf"经审[核查][,，]?(?P<value>{_VALUE}{{4,60}}?)符合.{{0,4}}条件")
        ),
        SentenceRule(Field.NAME.value, re.compile(rf"(?:系|为|是)(?P<value>{_VALUE}{{4,60}}?)的法定代表人")),
        SentenceRule(
            Field.LEGAL_REPRESENTATIVE.value,
            re.compile(r"兹证明(?P<value>[\u4e00-\u9fff·]{2,8}?)(?:同志|先生|女士)?[,，]?(?:系|为|是|在)"),
        ),
    ),
    titles=tuple(title for titles in DOCUMENT_TITLES.values() for title in titles),
)


def document_kind(text: str) -> DocumentKind:
    """The certificate a page's text (separators removed) belongs to, by its title words."""
    for kind, titles in DOCUMENT_TITLES.items():
        if any(title in text for title in titles):
            return kind
    return DocumentKind.UNKNOWN

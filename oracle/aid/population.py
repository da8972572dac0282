"""Generated aid applicants and their applications, genuine and forged, with the truth to check against.

Individual aid cannot be tested or measured on real people's documents, so this module makes synthetic ones,
deterministic in a seed: a person (name, ID number of GB 11643, address, the ID card's issuing authority and
validity, a phone number), an illness diagnosed at a registered hospital (the diagnosis certificate), the
hospital's invoice for the treatment (registered in the invoice registry stand-in), the amount asked, and what
the bank knows about the person (the investigation feed). Each case carries its *forgery* (what, if anything,
was altered and how) and the *profile* of the applicant's means, so that a test or the benchmark knows the
expected outcome and its named reason.

The forgeries are the ones individual aid must catch: an ID number with a wrong check digit, an invoice made
out to a name one character off the ID card, an invoice number one digit off a registered one, an invoice
nobody issued, a hospital name one character off a registered hospital, a total altered or differing from
the amount asked, dates out of order or in the future, an expired ID card.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from oracle.aid import resident_id
from oracle.aid.capital_numerals import to_capital
from oracle.aid.identity_hash import identity_hash
from oracle.aid.investigation import CREDIT_SCORE_RANGE, Employment, InvestigationRecord
from oracle.aid.invoices import InvoiceKind, InvoiceLine, InvoiceRecord
from oracle.registry.dataset import person_name
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord
from oracle.registry.vocabulary import GIVEN_NAME_CHARACTERS, REGIONS, STREETS, Region

DEFAULT_SEED = 700
INCOME_LIMIT_YUAN = 24_000
"""Annual household income per head under which the default rules see a person in need (the generator
spreads incomes around it)."""
CREDIT_THRESHOLD = 550

# fmt: off
ILLNESSES: tuple[tuple[str, str], ...] = (
    ("急性淋巴细胞白血病", "血液科"), ("急性髓系白血病", "血液科"), ("再生障碍性贫血", "血液科"),
    ("慢性肾功能衰竭", "肾内科"), ("尿毒症", "肾内科"), ("肺恶性肿瘤", "胸外科"), ("乳腺恶性肿瘤", "乳腺外科"),
    ("胃恶性肿瘤", "胃肠外科"), ("结肠恶性肿瘤", "胃肠外科"), ("急性心肌梗死", "心内科"),
    ("先天性心脏病", "心外科"), ("脑出血", "神经外科"), ("脑梗死", "神经内科"), ("股骨颈骨折", "骨科"),
    ("腰椎间盘突出症", "骨科"), ("肝硬化失代偿期", "消化内科"), ("系统性红斑狼疮", "风湿免疫科"),
    ("重症肺炎", "呼吸内科"), ("糖尿病肾病", "内分泌科"), ("宫颈恶性肿瘤", "妇科"),
)
ADVICE: tuple[str, ...] = (
    "建议住院治疗", "建议继续化疗", "建议定期复查", "建议手术治疗", "建议休息两周", "建议规律透析", "建议门诊随访",
)
INPATIENT_ITEMS: tuple[str, ...] = ("床位费", "护理费", "西药费", "检查费", "化验费", "治疗费", "手术费", "材料费")
OUTPATIENT_ITEMS: tuple[str, ...] = ("挂号费", "西药费", "中成药费", "检查费", "化验费", "治疗费")
ETHNICITIES: tuple[str, ...] = ("汉", "汉", "汉", "汉", "汉", "汉", "回", "满", "壮", "苗", "蒙古", "土家")
LOOKALIKE_CHARACTERS: dict[str, str] = {
    "一": "二", "二": "三", "三": "五", "四": "西", "五": "王", "六": "大", "中": "申", "人": "入", "民": "名",
    "医": "区", "院": "阮", "儿": "几", "童": "重", "妇": "归", "保": "堡", "健": "键", "第": "弟", "市": "布",
}  # fmt: skip
"""Characters a forger swaps in a hospital's name: one stroke or one component away."""
# fmt: on


class DocumentKind(StrEnum):
    """The documents of an aid application, besides the application form."""

    ID_CARD = "id_card"
    """Resident identity card, front (portrait side) and back (national-emblem side) on one image."""
    INVOICE = "invoice"
    """Medical invoice (医疗收费票据)."""
    DIAGNOSIS = "diagnosis"
    """Diagnosis certificate (诊断证明书)."""


class Forgery(StrEnum):
    """What was altered in an application (``none`` for a genuine one)."""

    NONE = "none"
    ID_CHECK_DIGIT = "id_check_digit"
    """The ID number (on every document) has a wrong check digit."""
    ID_CARD_EXPIRED = "id_card_expired"
    """The ID card's validity ended before the application."""
    INVOICE_NAME_ONE_OFF = "invoice_name_one_off"
    """The invoice is someone else's: its payer's name is one character off the ID card's."""
    DIAGNOSIS_NAME_ONE_OFF = "diagnosis_name_one_off"
    """The diagnosis certificate is someone else's: the patient's name is one character off."""
    INVOICE_NUMBER_ONE_OFF = "invoice_number_one_off"
    """The invoice number differs from the registered invoice in a single digit."""
    INVOICE_FABRICATED = "invoice_fabricated"
    """No invoice was ever issued under this code and number."""
    HOSPITAL_ONE_OFF = "hospital_one_off"
    """The hospital's name on the documents is one character off a registered hospital's."""
    HOSPITAL_NOT_ONBOARDED = "hospital_not_onboarded"
    """A real hospital of the registry, but not an institution registered on the ledger (not a forgery of
    the documents: the aid cannot be paid to it)."""
    TOTAL_ALTERED = "total_altered"
    """The invoice's total (figures and capital numerals) was raised above the registered one."""
    TOTAL_WORDS_DIFFER = "total_words_differ"
    """The total in figures was raised; the capital numerals still say the registered amount."""
    AMOUNT_ASKED_DIFFERS = "amount_asked_differs"
    """The amount asked is more than the invoice's total."""
    DIAGNOSIS_AFTER_INVOICE = "diagnosis_after_invoice"
    DATE_IN_FUTURE = "date_in_future"
    """The invoice is dated after the day of the application."""

    @property
    def forged(self) -> bool:
        """Whether the application must never be approved on its documents."""
        return self is not Forgery.NONE


EXPECTED_REASON: dict[Forgery, str | None] = {
    Forgery.NONE: None,
    Forgery.ID_CHECK_DIGIT: "ID_CHECK_DIGIT",
    Forgery.ID_CARD_EXPIRED: "ID_CARD_EXPIRED",
    Forgery.INVOICE_NAME_ONE_OFF: "NAME_MISMATCH",
    Forgery.DIAGNOSIS_NAME_ONE_OFF: "NAME_MISMATCH",
    Forgery.INVOICE_NUMBER_ONE_OFF: "INVOICE_NOT_REGISTERED",
    Forgery.INVOICE_FABRICATED: "INVOICE_NOT_REGISTERED",
    Forgery.HOSPITAL_ONE_OFF: "HOSPITAL_NOT_REGISTERED",
    Forgery.HOSPITAL_NOT_ONBOARDED: "HOSPITAL_NOT_ONBOARDED",
    Forgery.TOTAL_ALTERED: "INVOICE_TOTAL_DIFFERS",
    Forgery.TOTAL_WORDS_DIFFER: "TOTAL_WORDS_DIFFER",
    Forgery.AMOUNT_ASKED_DIFFERS: "AMOUNT_ASKED_DIFFERS",
    Forgery.DIAGNOSIS_AFTER_INVOICE: "DIAGNOSIS_AFTER_INVOICE",
    Forgery.DATE_IN_FUTURE: "DATE_IN_FUTURE",
}
"""The named reason each forgery must be rejected with (among possibly others)."""


class Profile(StrEnum):
    """The applicant's means as the bank sees them, relative to the default rules' limits."""

    ELIGIBLE = "eligible"
    """Well under every limit: both strategies approve a genuine application."""
    INCOME_ABOVE_LIMIT = "income_above_limit"
    CREDIT_BELOW_THRESHOLD = "credit_below_threshold"
    COMPENSATED = "compensated"
    """Income a little above the limit, everything else excellent: strategy A rejects, B approves."""
    BORDERLINE = "borderline"
    """Every item just above its threshold: strategy A approves, B's weighted average rejects."""
    NOT_A_CUSTOMER = "not_a_customer"
    """The bank does not know the person: no investigation information."""


class IdCardDocument(BaseModel):
    """What an ID card (both sides, as a photocopy) shows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    sex: str
    ethnicity: str
    born: datetime.date
    address: str
    id_number: str
    issuing_authority: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    """``None`` for a card valid for life (长期)."""

    @property
    def validity_text(self) -> str:
        until = "长期" if self.valid_until is None else f"{self.valid_until:%Y.%m.%d}"
        return f"{self.valid_from:%Y.%m.%d}-{until}"


class InvoiceDocument(BaseModel):
    """What a medical invoice shows (a forgery may show what no registry record says)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    number: str
    kind: InvoiceKind
    issuer_name: str
    payer_name: str
    payer_id_number: str
    issued_on: datetime.date
    lines: tuple[InvoiceLine, ...]
    total_fen: int
    total_in_words: str

    @classmethod
    def of(cls, record: InvoiceRecord) -> InvoiceDocument:
        return cls(
            code=record.code,
            number=record.number,
            kind=record.kind,
            issuer_name=record.issuer_name,
            payer_name=record.payer_name,
            payer_id_number=record.payer_id_number,
            issued_on=record.issued_on,
            lines=record.lines,
            total_fen=record.total_fen,
            total_in_words=to_capital(record.total_fen),
        )


class DiagnosisDocument(BaseModel):
    """What a diagnosis certificate (诊断证明书) shows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hospital: str
    patient_name: str
    sex: str
    age: int
    patient_id_number: str
    department: str
    record_number: str
    diagnosed_on: datetime.date
    diagnosis: str
    advice: str
    doctor: str


class AidCase(BaseModel):
    """One application with its documents and the truth about it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_id: str
    id_card: IdCardDocument
    phone: str
    invoice: InvoiceDocument
    diagnosis: DiagnosisDocument
    amount_asked_fen: int
    hospital_credit_code: str
    forgery: Forgery
    profile: Profile
    today: datetime.date
    """The day the application is made (what "now" is when checking dates)."""

    @property
    def true_id_number(self) -> str:
        return self.id_card.id_number


@dataclass(frozen=True)
class GeneratedAid:
    """A generated population: the cases, the invoice registry's records and what the bank knows."""

    cases: list[AidCase]
    invoices: list[InvoiceRecord]
    profiles: dict[str, Profile]
    """Profile by ID number (the bank's view is built from it with the salt: :func:`investigation_records`)."""


def hospitals_of(records: Sequence[RegistryRecord]) -> list[RegistryRecord]:
    """The active hospitals of a registry."""
    return [r for r in records if r.org_type is OrgType.HOSPITAL and r.status is RegistrationStatus.ACTIVE]


def _region(rng: random.Random) -> Region:
    return rng.choice(REGIONS)


def _authority(region: Region) -> str:
    district = region.district.removesuffix("新区").removesuffix("区")
    return f"{region.city_name}公安局{district}分局"


def _address(rng: random.Random, region: Region) -> str:
    building = f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 28)}0{rng.randint(1, 4)}室"
    return f"{region.full_name}{rng.choice(STREETS)}{rng.randint(1, 399)}号{building if rng.random() < 0.6 else ''}"


def _id_card(rng: random.Random, today: datetime.date, *, expired: bool = False) -> IdCardDocument:
    region = _region(rng)
    age = rng.randint(3, 80)
    born = today - datetime.timedelta(days=age * 365 + rng.randrange(365))
    male = rng.random() < 0.5
    number = resident_id.generate(rng, region.code, born, male)
    issued_age = max(0, age - rng.randint(0, 9))
    valid_from = born + datetime.timedelta(days=issued_age * 365 + rng.randrange(300))
    valid_from = min(valid_from, today - datetime.timedelta(days=30))
    years = 5 if issued_age < 16 else 10 if issued_age < 26 else 20 if issued_age < 46 else None
    valid_until = None if years is None else valid_from.replace(year=valid_from.year + years)
    if expired:
        years = 10
        valid_from = today.replace(year=today.year - years) - datetime.timedelta(days=rng.randint(30, 600))
        valid_until = valid_from.replace(year=valid_from.year + years)
    elif valid_until is not None and valid_until <= today:
        valid_from = valid_until  # renewed on expiry
        valid_until = valid_from.replace(year=valid_from.year + (years or 20))
    return IdCardDocument(
        name=person_name(rng),
        sex="男" if male else "女",
        ethnicity=rng.choice(ETHNICITIES),
        born=born,
        address=_address(rng, region),
        id_number=number,
        issuing_authority=_authority(region),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _one_char_off(rng: random.Random, name: str) -> str:
    position = rng.randrange(1, len(name)) if len(name) > 1 else 0
    replacement = rng.choice([c for c in GIVEN_NAME_CHARACTERS if c != name[position]])
    return name[:position] + replacement + name[position + 1 :]


def _hospital_one_off(rng: random.Random, name: str, taken: set[str]) -> str:
    positions = [i for i, char in enumerate(name) if char in LOOKALIKE_CHARACTERS]
    rng.shuffle(positions)
    for position in positions:
        candidate = name[:position] + LOOKALIKE_CHARACTERS[name[position]] + name[position + 1 :]
        if candidate not in taken:
            return candidate
    raise ValueError(f"no one-character variant of {name!r}")  # pragma: no cover - every hospital has one


def _number_one_off(rng: random.Random, number: str, taken: set[str]) -> str:
    while True:
        position = rng.randrange(len(number))
        digit = rng.choice([d for d in "0123456789" if d != number[position]])
        candidate = number[:position] + digit + number[position + 1 :]
        if candidate not in taken:
            return candidate


def _lines(rng: random.Random, kind: InvoiceKind) -> tuple[InvoiceLine, ...]:
    items = INPATIENT_ITEMS if kind is InvoiceKind.INPATIENT else OUTPATIENT_ITEMS
    chosen = rng.sample(items, rng.randint(2, min(5, len(items))))
    scale = 3_000_00 if kind is InvoiceKind.INPATIENT else 40_00
    lines = []
    for item in chosen:
        amount = rng.randint(scale // 10, scale * 8)
        if rng.random() < 0.5:
            amount -= amount % 100  # whole yuan
        lines.append(InvoiceLine(item=item, amount_fen=amount))
    return tuple(lines)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _record_number(rng: random.Random, kind: InvoiceKind) -> str:
    return ("ZY" if kind is InvoiceKind.INPATIENT else "MZ") + f"{rng.randrange(10**8):08d}"


DEFAULT_MIX: dict[Forgery, int] = {
    Forgery.NONE: 12,
    **{forgery: 1 for forgery in Forgery if forgery is not Forgery.NONE},
}
"""Relative frequency of each forgery in :func:`generate_cases`."""


def generate_cases(
    hospitals: Sequence[RegistryRecord],
    count: int,
    *,
    today: datetime.date,
    seed: int = DEFAULT_SEED,
    unregistered_hospitals: Sequence[RegistryRecord] = (),
    all_registry_names: set[str] | None = None,
    mix: dict[Forgery, int] | None = None,
    profiles: Sequence[Profile] | None = None,
) -> GeneratedAid:
    """``count`` applications to ``hospitals`` (registered on the ledger), dated up to ``today``.

    Forgeries are drawn with the weights of ``mix`` (:data:`DEFAULT_MIX`); ``HOSPITAL_NOT_ONBOARDED`` needs
    ``unregistered_hospitals`` (registry hospitals not on the ledger) and is skipped without them. Profiles
    cycle through ``profiles`` (default: every genuine application eligible, except one in six spread over the
    other profiles). ``all_registry_names`` keeps a one-character-off hospital name from being another real
    institution's. The same arguments always give the same cases.
    """
    if not hospitals:
        raise ValueError("need at least one hospital")
    rng = random.Random(seed)
    weights = dict(mix or DEFAULT_MIX)
    if not unregistered_hospitals:
        weights.pop(Forgery.HOSPITAL_NOT_ONBOARDED, None)
    kinds, kind_weights = list(weights), list(weights.values())
    names = set(all_registry_names or ()) | {h.name for h in (*hospitals, *unregistered_hospitals)}
    invoices: list[InvoiceRecord] = []
    keys: set[tuple[str, str]] = set()
    numbers: set[str] = set()
    cases: list[AidCase] = []
    profile_of: dict[str, Profile] = {}
    other_profiles = [p for p in Profile if p is not Profile.ELIGIBLE]
    for index in range(count):
        forgery = rng.choices(kinds, kind_weights)[0]
        if profiles is not None:
            profile = profiles[index % len(profiles)]
        elif forgery is Forgery.NONE and rng.random() < 1 / 6:
            profile = rng.choice(other_profiles)
        else:
            profile = Profile.ELIGIBLE
        id_card = _id_card(rng, today, expired=forgery is Forgery.ID_CARD_EXPIRED)
        if forgery is Forgery.ID_CHECK_DIGIT:
            id_card = id_card.model_copy(
                update={"id_number": resident_id.with_wrong_check(id_card.id_number)}
            )
        hospital = rng.choice(
            unregistered_hospitals if forgery is Forgery.HOSPITAL_NOT_ONBOARDED else hospitals
        )
        illness, department = rng.choice(ILLNESSES)
        kind = rng.choice(list(InvoiceKind))
        diagnosed_on = today - datetime.timedelta(days=rng.randint(10, 150))
        issued_on = diagnosed_on + datetime.timedelta(days=rng.randint(0, 9))
        payer = _one_char_off(rng, id_card.name) if forgery is Forgery.INVOICE_NAME_ONE_OFF else id_card.name
        code = f"{hospital.credit_code[2:6]}{issued_on:%y}01"
        number = f"{rng.randrange(10**10):010d}"
        while (code, number) in keys:
            number = f"{rng.randrange(10**10):010d}"
        lines = _lines(rng, kind)
        record = InvoiceRecord(
            code=code,
            number=number,
            kind=kind,
            issuer_name=hospital.name,
            issuer_credit_code=hospital.credit_code,
            payer_name=payer,
            payer_id_number=id_card.id_number,
            issued_on=issued_on,
            lines=lines,
            total_fen=sum(line.amount_fen for line in lines),
        )
        if forgery is not Forgery.INVOICE_FABRICATED:
            invoices.append(record)
            keys.add(record.key)
            numbers.add(number)
        printed = InvoiceDocument.of(record)
        amount_asked = record.total_fen
        if forgery is Forgery.INVOICE_NUMBER_ONE_OFF:
            printed = printed.model_copy(update={"number": _number_one_off(rng, number, numbers)})
        elif forgery is Forgery.HOSPITAL_ONE_OFF:
            printed = printed.model_copy(update={"issuer_name": _hospital_one_off(rng, hospital.name, names)})
        elif forgery in (Forgery.TOTAL_ALTERED, Forgery.TOTAL_WORDS_DIFFER):
            raise_by = rng.randint(1, 9) * 10 ** rng.randint(3, 6)
            first = printed.lines[0]
            raised_lines = (
                first.model_copy(update={"amount_fen": first.amount_fen + raise_by}),
                *printed.lines[1:],
            )
            total = printed.total_fen + raise_by
            words = to_capital(total) if forgery is Forgery.TOTAL_ALTERED else printed.total_in_words
            printed = printed.model_copy(
                update={"lines": raised_lines, "total_fen": total, "total_in_words": words}
            )
            amount_asked = total
        elif forgery is Forgery.AMOUNT_ASKED_DIFFERS:
            amount_asked = record.total_fen + rng.randint(1, 9) * 10 ** rng.randint(2, 5)
        elif forgery is Forgery.DATE_IN_FUTURE:
            printed = printed.model_copy(
                update={"issued_on": today + datetime.timedelta(days=rng.randint(3, 60))}
            )
        hospital_name = printed.issuer_name
        diagnosis_date = diagnosed_on
        if forgery is Forgery.DIAGNOSIS_AFTER_INVOICE:
            diagnosis_date = issued_on + datetime.timedelta(days=rng.randint(2, 20))
        patient = (
            _one_char_off(rng, id_card.name) if forgery is Forgery.DIAGNOSIS_NAME_ONE_OFF else id_card.name
        )
        age = (today - id_card.born).days // 365
        diagnosis = DiagnosisDocument(
            hospital=hospital_name,
            patient_name=patient,
            sex=id_card.sex,
            age=age,
            patient_id_number=id_card.id_number,
            department=department,
            record_number=_record_number(rng, kind),
            diagnosed_on=diagnosis_date,
            diagnosis=illness,
            advice=rng.choice(ADVICE),
            doctor=person_name(rng),
        )
        cases.append(
            AidCase(
                case_id=f"aid-{seed}-{index:04d}",
                id_card=id_card,
                phone=_phone(rng),
                invoice=printed,
                diagnosis=diagnosis,
                amount_asked_fen=amount_asked,
                hospital_credit_code=hospital.credit_code,
                forgery=forgery,
                profile=profile,
                today=today,
            )
        )
        profile_of[id_card.id_number] = profile
    return GeneratedAid(cases=cases, invoices=invoices, profiles=profile_of)


def profile_record(
    rng: random.Random, profile: Profile, identity: bytes, observed_on: datetime.date
) -> InvestigationRecord | None:
    """What the bank knows about a person of ``profile`` (``None`` for someone it does not know)."""
    if profile is Profile.NOT_A_CUSTOMER:
        return None
    low_credit, high_credit = CREDIT_SCORE_RANGE
    household = rng.randint(1, 6)
    match profile:
        case Profile.ELIGIBLE:
            per_head = rng.randint(2_000, INCOME_LIMIT_YUAN // 2)
            credit = rng.randint(650, high_credit)
            employment = rng.choice([Employment.UNEMPLOYED, Employment.INFORMAL, Employment.RETIRED])
        case Profile.INCOME_ABOVE_LIMIT:
            per_head = rng.randint(INCOME_LIMIT_YUAN * 3 // 2, INCOME_LIMIT_YUAN * 4)
            credit = rng.randint(650, high_credit)
            employment = Employment.EMPLOYED
        case Profile.CREDIT_BELOW_THRESHOLD:
            per_head = rng.randint(2_000, INCOME_LIMIT_YUAN // 2)
            credit = rng.randint(low_credit, CREDIT_THRESHOLD - 60)
            employment = rng.choice([Employment.UNEMPLOYED, Employment.INFORMAL])
        case Profile.COMPENSATED:
            per_head = rng.randint(INCOME_LIMIT_YUAN + 1_000, INCOME_LIMIT_YUAN + 3_000)
            credit = rng.randint(820, high_credit)
            employment = Employment.UNEMPLOYED
        case Profile.BORDERLINE:
            per_head = rng.randint(INCOME_LIMIT_YUAN - 3_000, INCOME_LIMIT_YUAN - 1_500)
            credit = rng.randint(CREDIT_THRESHOLD + 20, CREDIT_THRESHOLD + 50)
            employment = Employment.EMPLOYED
        case _:  # pragma: no cover - every profile is handled
            raise AssertionError(profile)
    return InvestigationRecord(
        identity_hash="0x" + identity.hex(),
        employment=employment,
        household_size=household,
        annual_household_income_yuan=per_head * household + rng.randrange(household),
        credit_score=credit,
        overdue_accounts=0 if credit >= CREDIT_THRESHOLD else rng.randint(1, 4),
        aid_fraud_record=False,
        observed_on=observed_on,
    )


def investigation_records(
    generated: GeneratedAid, salt: bytes, *, seed: int = DEFAULT_SEED
) -> list[InvestigationRecord]:
    """The bank's records of the generated applicants, keyed by their salted identity hash."""
    rng = random.Random(seed + 1)
    records = []
    for case in generated.cases:
        profile = generated.profiles[case.id_card.id_number]
        record = profile_record(rng, profile, identity_hash(salt, case.id_card.id_number), case.today)
        if record is not None:
            records.append(record)
    return records

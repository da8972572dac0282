"""A synthetic government registry: deterministic, realistic, written as JSON lines.

The real registry cannot be queried from tests or demos, so the stand-in service and the file adapter
serve this one. It is generated from a seed (the same seed always gives byte-identical files, so test
expectations and benchmark figures are reproducible) and mixes the institutions onboarding meets:
foundations and charity associations, government agencies and local governments (which may receive
transfers), and the third parties (hospitals, suppliers, logistics firms). A few records are there to
be rejected: deregistered or revoked registrations and a for-profit company with a charity-like name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import structlog

from oracle.errors import RegistryDatasetInvalid
from oracle.jsonl import read_records, write_records
from oracle.registry import credit_code
from oracle.registry.records import OrgType, RegistrationStatus, RegistryRecord
from oracle.registry.vocabulary import (
    BANKS,
    CHARITY_THEMES,
    COMPOUND_SURNAMES,
    ENTERPRISE_BRANDS,
    GIVEN_NAME_CHARACTERS,
    GOVERNMENT_DEPARTMENTS,
    REGIONS,
    STREETS,
    SUPPLIER_TRADES,
    SURNAMES,
    Region,
)

log = structlog.get_logger(__name__)

DEFAULT_SIZE = 200
DEFAULT_SEED = 20240601

_TYPE_WEIGHTS: dict[OrgType, int] = {
    OrgType.FOUNDATION: 25,
    OrgType.SOCIAL_ORGANIZATION: 20,
    OrgType.GOVERNMENT_AGENCY: 10,
    OrgType.LOCAL_GOVERNMENT: 5,
    OrgType.HOSPITAL: 15,
    OrgType.ENTERPRISE: 15,
    OrgType.LOGISTICS: 10,
}


@dataclass(frozen=True)
class _Identity:
    """What the name decides about the code: who registered the institution, as what, where."""

    name: str
    authority: str
    category: str
    region_code: str
    non_profit: bool


def person_name(rng: random.Random) -> str:
    """A Chinese person name: mostly one-character surnames, given names of one or two characters."""
    surname = rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.05 else rng.choice(SURNAMES)
    given_length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN_NAME_CHARACTERS) for _ in range(given_length))


def _identity(rng: random.Random, org_type: OrgType, region: Region) -> _Identity:
    theme = rng.choice(CHARITY_THEMES)
    brand = rng.choice(ENTERPRISE_BRANDS)
    provincial = rng.random() < 0.4
    prefix, prefix_code = (
        (region.province, region.province_code) if provincial else (region.city_name, region.city_code)
    )
    match org_type:
        case OrgType.FOUNDATION:
            return _Identity(f"{prefix}{theme}基金会", "5", "3", prefix_code, non_profit=True)
        case OrgType.SOCIAL_ORGANIZATION:
            name = rng.choice(
                (
                    f"{prefix}慈善总会",
                    f"{region.full_name}慈善会",
                    f"{prefix}{theme}志愿者协会",
                    f"{region.city_name}{theme}公益服务中心",
                )
            )
            category = "2" if name.endswith("中心") else "1"
            return _Identity(name, "5", category, prefix_code, non_profit=True)
        case OrgType.GOVERNMENT_AGENCY:
            return _Identity(
                f"{region.full_name}{rng.choice(GOVERNMENT_DEPARTMENTS)}",
                "1",
                "1",
                region.code,
                non_profit=True,
            )
        case OrgType.LOCAL_GOVERNMENT:
            name = rng.choice(
                (f"{region.full_name}人民政府", f"{region.full_name}{rng.choice(STREETS)[:-1]}街道办事处")
            )
            return _Identity(name, "1", "1", region.code, non_profit=True)
        case OrgType.HOSPITAL:
            name = rng.choice(
                (
                    f"{region.city_name}第{rng.choice('一二三四五六')}人民医院",
                    f"{region.full_name}中医医院",
                    f"{region.city_name}儿童医院",
                    f"{region.full_name}妇幼保健院",
                    f"{region.city_name}{brand}康复医院",
                )
            )
            # Public hospitals are public institutions (事业单位); a private one is a company.
            if name.endswith("康复医院"):
                return _Identity(name, "9", "1", region.code, non_profit=False)
            return _Identity(name, "1", "2", region.code, non_profit=True)
        case OrgType.ENTERPRISE:
            name = f"{region.city_short}{brand}{rng.choice(SUPPLIER_TRADES)}有限公司"
            return _Identity(name, "9", "1", region.code, non_profit=False)
        case OrgType.LOGISTICS:
            name = f"{region.city_short}{brand}物流有限公司"
            return _Identity(name, "9", "1", region.code, non_profit=False)
    raise AssertionError(f"unhandled org type {org_type}")  # pragma: no cover


def _address(rng: random.Random, region: Region) -> str:
    number = rng.randint(1, 399)
    building = f"{rng.randint(1, 12)}号楼" if rng.random() < 0.3 else ""
    return f"{region.full_name}{rng.choice(STREETS)}{number}号{building}"


def _account_bank(rng: random.Random, region: Region) -> str:
    branch = rng.choice((region.district.removesuffix("区").removesuffix("新"), rng.choice(STREETS)[:-1]))
    return f"{rng.choice(BANKS)}{region.city_short}{branch}支行"


def _record(
    rng: random.Random,
    org_type: OrgType,
    taken_names: set[str],
    taken_codes: set[str],
    status: RegistrationStatus = RegistrationStatus.ACTIVE,
    fixed: tuple[Region, _Identity] | None = None,
) -> RegistryRecord:
    if fixed is not None:
        region, identity = fixed
    else:
        region = rng.choice(REGIONS)
        identity = _identity(rng, org_type, region)
        while identity.name in taken_names:
            region = rng.choice(REGIONS)
            identity = _identity(rng, org_type, region)
    code = credit_code.generate(rng, identity.authority, identity.category, identity.region_code)
    while code in taken_codes:
        code = credit_code.generate(rng, identity.authority, identity.category, identity.region_code)
    taken_names.add(identity.name)
    taken_codes.add(code)
    return RegistryRecord(
        credit_code=code,
        name=identity.name,
        org_type=org_type,
        non_profit=identity.non_profit,
        status=status,
        legal_representative=person_name(rng),
        registered_address=_address(rng, region),
        account_bank=_account_bank(rng, region),
        account_location=region.full_name,
        registered_on=datetime.date(1995, 1, 1) + datetime.timedelta(days=rng.randrange(29 * 365)),
    )


def generate_registry(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[RegistryRecord]:
    """``size`` distinct records (unique names and codes), the same ones for the same seed.

    The first three are the cases onboarding must reject whatever the documents say: a deregistered
    foundation, a revoked charity association, and a for-profit company whose name sounds charitable.
    About 5% of the rest are also not active.
    """
    if size < 0:
        raise ValueError(f"size must be non-negative, got {size}")
    rng = random.Random(seed)
    names: set[str] = set()
    codes: set[str] = set()
    pretender_region = rng.choice(REGIONS)
    edge_cases = [
        _record(rng, OrgType.FOUNDATION, names, codes, RegistrationStatus.DEREGISTERED),
        _record(rng, OrgType.SOCIAL_ORGANIZATION, names, codes, RegistrationStatus.REVOKED),
        _record(
            rng,
            OrgType.ENTERPRISE,
            names,
            codes,
            fixed=(
                pretender_region,
                _Identity(
                    f"{pretender_region.city_short}爱心公益服务有限公司",
                    "9",
                    "1",
                    pretender_region.code,
                    False,
                ),
            ),
        ),
    ]
    records = edge_cases[:size]
    org_types = list(_TYPE_WEIGHTS)
    weights = list(_TYPE_WEIGHTS.values())
    while len(records) < size:
        org_type = rng.choices(org_types, weights)[0]
        draw = rng.random()
        status = (
            RegistrationStatus.DEREGISTERED
            if draw < 0.04
            else RegistrationStatus.REVOKED
            if draw < 0.05
            else RegistrationStatus.ACTIVE
        )
        records.append(_record(rng, org_type, names, codes, status))
    return records


def write_registry(records: Iterable[RegistryRecord], path: Path) -> Path:
    """Write records as JSON lines (one record per line, UTF-8), replacing ``path`` atomically."""
    count = write_records(records, path)
    log.info("registry_written", path=str(path), records=count)
    return path


def read_registry(path: Path) -> list[RegistryRecord]:
    """Read a JSON-lines registry; raises :class:`RegistryDatasetInvalid` naming the bad line."""
    return read_records(path, RegistryRecord, RegistryDatasetInvalid)


def index_by_code(records: Sequence[RegistryRecord]) -> dict[str, RegistryRecord]:
    """Records keyed by credit code; a duplicate code is a broken registry, not a lookup choice."""
    index: dict[str, RegistryRecord] = {}
    for record in records:
        if record.credit_code in index:
            raise ValueError(f"duplicate credit code {record.credit_code} in registry")
        index[record.credit_code] = record
    return index


def ensure_registry(path: Path, size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> Path:
    """Generate the registry file at ``path`` unless it already exists (demos and services start here)."""
    if not path.exists():
        write_registry(generate_registry(size, seed), path)
    return path

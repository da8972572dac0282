"""Aid decision rules as versioned data [800]: items, scoring, thresholds, weights and the strategy.

A rule is a JSON document (``api/aid/rules/*.json``, schema :data:`RULE_SCHEMA`). Its digest, keccak256 of
its canonical encoding, is what a bank registers on-chain before the rule is used, together with the rule's
numeric terms (:meth:`AidRule.terms`), which the contract uses to check every decision's outcome against its
scores. Changing anything in a rule (a breakpoint, a weight, a word of its description) makes another rule
with another digest, which must be registered again.

Each item has a *source* and a *scoring*:

- ``check:<ITEM>`` with ``pass_fail``: 10000 when the authenticity check passed, else 0;
- ``investigation:<field>`` with ``piecewise_linear``: points ``[x, score]`` in increasing ``x``; between two
  points the score is interpolated and rounded down (floor), outside them it is the nearest end's;
- ``investigation:<field>`` with ``table``: the score of the field's value, or ``default``.

Strategy ``every_item`` (A) approves when every item's score exceeds its threshold; ``weighted_average`` (B)
when ``sum(weight * score) > pass_threshold * sum(weight)``. Scores are integers 0-10000.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Final, Literal, Self

from eth_utils import keccak
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.aid.errors import RuleInvalid, RuleUnknown
from api.aid.inputs import canonical
from chain_client.contracts.aid_decisions import MAX_SCORE, AidRuleTerms, AidStrategy

RULE_SCHEMA: Final = "welfare-aid-ledger/aid-rule/v1"


class Strategy(StrEnum):
    EVERY_ITEM = "every_item"
    """Strategy A: every item's score above its threshold."""
    WEIGHTED_AVERAGE = "weighted_average"
    """Strategy B: the weighted average of the scores above the pass threshold."""

    @property
    def on_chain(self) -> AidStrategy:
        return AidStrategy.EVERY_ITEM if self is Strategy.EVERY_ITEM else AidStrategy.WEIGHTED_AVERAGE


Score = int


class PassFail(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["pass_fail"] = "pass_fail"


class PiecewiseLinear(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["piecewise_linear"] = "piecewise_linear"
    points: tuple[tuple[int, Score], ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _increasing(self) -> Self:
        xs = [x for x, _ in self.points]
        if xs != sorted(set(xs)):
            raise ValueError("points must have strictly increasing x")
        if any(not 0 <= y <= MAX_SCORE for _, y in self.points):
            raise ValueError(f"scores must be 0-{MAX_SCORE}")
        return self

    def score(self, x: int) -> Score:
        points = self.points
        if x <= points[0][0]:
            return points[0][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if x <= x1:
                return y0 + (y1 - y0) * (x - x0) // (x1 - x0)
        return points[-1][1]


class Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["table"] = "table"
    values: dict[str, Score]
    default: Score = Field(0, ge=0, le=MAX_SCORE)

    def score(self, key: str) -> Score:
        return self.values.get(key, self.default)


class RuleItem(BaseModel):
    """One audit item of a rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,31}$")
    source: str = Field(pattern=r"^(check|investigation):[A-Za-z_]+$")
    scoring: PassFail | PiecewiseLinear | Table = Field(discriminator="kind")
    threshold: Score = Field(ge=0, le=MAX_SCORE)
    weight: int = Field(ge=0, le=65_535)
    reason: str | None = Field(None, pattern=r"^[A-Z][A-Z0-9_]{0,31}$")
    """The reason named when the item scores at or below its threshold (authenticity items name their own)."""
    missing_score: Score = Field(0, ge=0, le=MAX_SCORE)
    """The score when the source has no value (e.g. the bank does not know the applicant)."""


class AidRule(BaseModel):
    """A decision rule (see the module documentation)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    schema_: Literal["welfare-aid-ledger/aid-rule/v1"] = Field(RULE_SCHEMA, alias="schema")
    name: str = Field(pattern=r"^[a-z0-9-]+$")
    version: int = Field(ge=1)
    description: str
    strategy: Strategy
    pass_threshold: Score = Field(0, ge=0, le=MAX_SCORE)
    items: tuple[RuleItem, ...] = Field(min_length=1, max_length=32)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        codes = [item.code for item in self.items]
        if len(set(codes)) != len(codes):
            raise ValueError("item codes must be distinct")
        if self.strategy is Strategy.EVERY_ITEM and self.pass_threshold:
            raise ValueError("strategy every_item has no pass threshold")
        if self.strategy is Strategy.WEIGHTED_AVERAGE and not sum(item.weight for item in self.items):
            raise ValueError("strategy weighted_average needs some weight")
        for item in self.items:
            if item.source.startswith("check:") and not isinstance(item.scoring, PassFail):
                raise ValueError(f"{item.code}: a check scores pass_fail")
        return self

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def canonical_json(self) -> bytes:
        return canonical(self.model_dump(mode="json", by_alias=True))

    def digest(self) -> bytes:
        """keccak256 of the canonical encoding: what a bank registers on-chain."""
        return keccak(self.canonical_json())

    def terms(self) -> AidRuleTerms:
        """The numeric terms the contract registers with the digest."""
        return AidRuleTerms(
            strategy=self.strategy.on_chain,
            pass_threshold=self.pass_threshold,
            item_codes=tuple(item.code for item in self.items),
            thresholds=tuple(item.threshold for item in self.items),
            weights=tuple(item.weight for item in self.items),
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> AidRule:
        try:
            return cls.model_validate(json.loads(raw))
        except (json.JSONDecodeError, ValidationError) as error:
            raise RuleInvalid(f"not a valid aid rule: {error}") from None


def _packaged() -> list[AidRule]:
    folder = resources.files("api.aid") / "rules"
    return [
        AidRule.from_json(entry.read_bytes())
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".json")
    ]


class RuleLibrary:
    """The rules this installation knows: the packaged ones, and any loaded from files."""

    def __init__(self, rules: list[AidRule] | None = None) -> None:
        self._rules: dict[bytes, AidRule] = {}
        for rule in _packaged() if rules is None else rules:
            self.add(rule)

    def add(self, rule: AidRule) -> bytes:
        digest = rule.digest()
        self._rules[digest] = rule
        return digest

    def load(self, path: Path) -> AidRule:
        rule = AidRule.from_json(path.read_bytes())
        self.add(rule)
        return rule

    def by_digest(self, digest: bytes) -> AidRule:
        try:
            return self._rules[digest]
        except KeyError:
            raise RuleUnknown(f"with digest 0x{digest.hex()}") from None

    def by_name(self, name: str) -> AidRule:
        """The rule called ``name`` (``name@version`` for a given version; the latest version otherwise)."""
        base, _, version = name.partition("@")
        matching = [rule for rule in self._rules.values() if rule.name == base]
        if version:
            matching = [rule for rule in matching if str(rule.version) == version]
        if not matching:
            raise RuleUnknown(f"named {name!r}")
        return max(matching, key=lambda rule: rule.version)

    def __iter__(self) -> Iterator[AidRule]:
        return iter(sorted(self._rules.values(), key=lambda rule: rule.label))

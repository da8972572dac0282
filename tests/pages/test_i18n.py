"""The label catalog and the templates (``api/pages/labels.py``, ``api/pages/i18n.py``): both languages for every
key, every key the pages use is in the catalog, every value the API answers has its label, and no template
writes a word of its own (every label comes through ``t()``)."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

import pytest

from api.audit.institution_audit import Decision as RuleDecision
from api.audit.institution_audit import Match
from api.core.roles import Role
from api.intake.key_info import FieldName
from api.pages.i18n import MissingLabel, Translator
from api.pages.labels import LABELS
from api.verify import EdgeKind, NodeKind, TransactionKind
from chain_client.contracts import (
    Checkpoint,
    DonationForm,
    GovernmentTransferStatus,
    InstitutionKind,
    InstitutionStatus,
    LotStatus,
    OrderStatus,
    PlanStatus,
)
from tests.pages.test_languages import CJK, foreign_words

PAGES: Final = Path(__file__).resolve().parents[2] / "api" / "pages"
TEMPLATES: Final = sorted((PAGES / "templates").glob("*.html"))
SOURCES: Final = sorted(PAGES.rglob("*.py"))
VISIBLE_ATTRIBUTES: Final = ("placeholder", "title", "alt", "aria-label")
JINJA: Final = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
LETTER: Final = re.compile(r"[A-Za-z\u3400-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_has_both_languages_with_the_same_fields() -> None:
    for key, (chinese, english) in LABELS.items():
        assert chinese.strip(), key
        assert english.strip(), key
        assert _fields(chinese) == _fields(english), key


def test_each_label_is_in_its_own_language() -> None:
    """The rule the browser walk applies to whole pages, applied to every label (pages and receipts)."""
    for key, (chinese, english) in LABELS.items():
        assert not CJK.search(english), key
        assert foreign_words(chinese) == set(), key


def test_an_unknown_label_raises() -> None:
    with pytest.raises(MissingLabel):
        Translator("en")("no.such.label")
    assert Translator("zh")("plan.number", n=3) == "计划 #3"
    assert Translator("en")("plan.number", n=3) == "Plan #3"


def _used_keys() -> set[str]:
    keys: set[str] = set()
    for template in TEMPLATES:
        keys |= set(re.findall(r"\bt\('([a-z_.0-9]+)'", template.read_text()))
    for source in SOURCES:
        text = source.read_text()
        keys |= set(re.findall(r"\b(?:t|ctx\.t|zh|en)\(\"([a-z_.0-9]+)\"", text))
        keys |= set(re.findall(r"PageDenied\(\"([a-z_.]+)\"", text))
        keys |= {f"done.{name}" for name in re.findall(r"done=\(\"([a-z_]+)\"", text)}
    # Keys built at render time (``t('done.' ~ name)``) and examples in docstrings are not keys.
    return {key for key in keys if "." in key and not key.endswith(".")}


def test_every_label_the_pages_use_is_in_the_catalog() -> None:
    used = _used_keys()
    assert len(used) > 200
    assert sorted(used - set(LABELS)) == []


@pytest.mark.parametrize(
    ("group", "values"),
    [
        ("tx_kind", [kind.value for kind in TransactionKind]),
        ("edge", [kind.value for kind in EdgeKind]),
        ("node", [kind.value for kind in NodeKind]),
        ("role", [role.value for role in Role]),
        ("field", [field.value for field in FieldName]),
        ("plan_status", [status.name.lower() for status in PlanStatus if status.name != "NONE"]),
        ("order_status", [status.name.lower() for status in OrderStatus if status.name != "NONE"]),
        ("lot_status", [status.name.lower() for status in LotStatus if status.name != "NONE"]),
        ("checkpoint", [checkpoint.name.lower() for checkpoint in Checkpoint if checkpoint.name != "NONE"]),
        ("institution_status", [status.name.lower() for status in InstitutionStatus]),
        (
            "transfer_status",
            [status.name.lower() for status in GovernmentTransferStatus if status.name != "NONE"],
        ),
        ("kind", [kind.name.lower() for kind in InstitutionKind]),
        ("form", [form.name.lower() for form in DonationForm if form.name != "NONE"]),
        ("match", [match.value for match in Match]),
        ("decision", [decision.value for decision in RuleDecision]),
    ],
)
def test_every_value_the_api_answers_has_a_label(group: str, values: list[str]) -> None:
    assert values
    assert [value for value in values if f"{group}.{value}" not in LABELS] == []


class _Words(HTMLParser):
    """Text and visible attributes of a template with its Jinja parts blanked, outside ``translate="no"``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = values.get("translate") == "no" or tag in ("script", "style")
        if not (hidden or self._hidden()):
            self.found += [values[name] or "" for name in VISIBLE_ATTRIBUTES if name in values]
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden():
            self.found.append(data)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_a_template_writes_no_word_of_its_own(template: Path) -> None:
    parser = _Words()
    parser.feed(JINJA.sub("\x00", template.read_text()))
    words = [text.replace("\x00", "").strip() for text in parser.found]
    assert [text for text in words if LETTER.search(text)] == []

"""The pages' two languages: every label in Chinese and in English, and how a request picks one.

Labels live in :data:`api.pages.labels.LABELS` (key -> ``(中文, English)``). A template asks for a label with
``t("key")`` (``t("key", n=3)`` fills ``{n}``) and for the name of a value with ``tv("status", "open")``
(the key ``status.open``). An unknown key raises :class:`MissingLabel`, so a page cannot render with a label
that has no translation. Data (names, hashes, addresses, amounts, order documents) is never translated and
is marked ``translate="no"`` in the HTML, the standard attribute for content that is not to be translated.

The language comes from ``?lang=zh|en`` (remembered in a cookie), else the cookie, else the browser's
``Accept-Language``; Chinese when nothing says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from fastapi import Request

from api.pages.labels import LABELS

Language = Literal["zh", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("zh", "en")
DEFAULT_LANGUAGE: Final[Language] = "zh"
LANGUAGE_COOKIE: Final = "ledger_lang"


class MissingLabel(KeyError):
    """A template asked for a label the catalog does not have (in either language)."""


@dataclass(frozen=True)
class Translator:
    """The labels of one language."""

    language: Language
    labels: Mapping[str, tuple[str, str]] = field(default_factory=lambda: LABELS)

    def __call__(self, key: str, /, **params: object) -> str:
        try:
            pair = self.labels[key]
        except KeyError:
            raise MissingLabel(f"no label {key!r} in the pages' catalog (api/pages/labels.py)") from None
        text = pair[0] if self.language == "zh" else pair[1]
        return text.format(**params) if params else text

    def value(self, group: str, value: object) -> str:
        """The label of ``value`` in ``group`` (``status``, ``edge``, ``role``...): key ``group.value``."""
        return self(f"{group}.{value}")

    def has(self, key: str) -> bool:
        return key in self.labels


def _parse(value: str | None) -> Language | None:
    if value is None:
        return None
    value = value.strip().lower()
    if value.startswith("zh"):
        return "zh"
    if value.startswith("en"):
        return "en"
    return None


def language_of(request: Request) -> tuple[Language, bool]:
    """The request's language, and whether it was chosen by ``?lang=`` (then it is to be remembered)."""
    chosen = _parse(request.query_params.get("lang"))
    if chosen is not None:
        return chosen, True
    remembered = _parse(request.cookies.get(LANGUAGE_COOKIE))
    if remembered is not None:
        return remembered, False
    for part in request.headers.get("accept-language", "").split(","):
        found = _parse(part.split(";")[0])
        if found is not None:
            return found, False
    return DEFAULT_LANGUAGE, False

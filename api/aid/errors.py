"""Errors of individual aid, under one base :class:`AidError` (mapped once to 4xx by the HTTP layer)."""

from __future__ import annotations

from collections.abc import Sequence


class AidError(Exception):
    """Base of every error raised by ``api.aid``."""


class ApplicationInvalid(AidError, ValueError):
    """The application form or its documents cannot be accepted; ``problems`` says why (nothing was stored)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("application refused: " + "; ".join(problems))
        self.problems = tuple(problems)


class DocumentUnreadable(AidError):
    """A document image could not be decoded or holds no text."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"the {kind} document cannot be read: {reason}")
        self.kind = kind
        self.reason = reason


class RuleUnknown(AidError, LookupError):
    """No rule with this digest or name is in the rule library."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no aid rule {what}")
        self.what = what


class RuleInvalid(AidError, ValueError):
    """A rule document is not a valid rule."""


class InputsInvalid(AidError, ValueError):
    """A decision-inputs document is not canonical JSON of the inputs schema."""


class DecisionNotFound(AidError, LookupError):
    """The transaction recorded no aid decision."""

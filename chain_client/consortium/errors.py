"""Errors of the consortium kit: each names what was wrong so that an operator can fix it."""

from __future__ import annotations

from chain_client.errors import ChainClientError


class ConsortiumError(ChainClientError):
    """Base of every error the consortium kit raises."""


class KitInvalid(ConsortiumError):
    """A kit directory, a parameter of ``init``, or a bank name is not what the kit needs."""


class ExtraDataInvalid(ConsortiumError):
    """A QBFT ``extraData`` field is malformed (wrong lengths, not RLP, wrong structure)."""


class DeploymentMismatch(ConsortiumError):
    """The node behind the URL is not the kit's network (another chain id) or refused a step."""

"""Errors of the consortium kit: each names what was wrong so that an operator can fix it."""

from __future__ import annotations

from chain_client.errors import ChainClientError, ContractReverted


class ConsortiumError(ChainClientError):
    """Base of every error the consortium kit raises."""


class KitInvalid(ConsortiumError):
    """A kit directory, a parameter of ``init``, or a bank name is not what the kit needs."""


class ExtraDataInvalid(ConsortiumError):
    """A QBFT ``extraData`` field is malformed (wrong lengths, not RLP, wrong structure)."""


class DeploymentMismatch(ConsortiumError):
    """The node behind the URL is not the kit's network (another chain id) or refused a step."""


class NodeUnreachable(ConsortiumError):
    """No JSON-RPC node answers at the URL given (connection refused, timeout, not HTTP)."""


class BankChangeInvalid(ConsortiumError):
    """A membership change cannot go on as asked: the council is not in charge yet, nothing is proposed, the change
    is already proposed or already in effect."""


class CouncilRefused(ConsortiumError):
    """The chain refused a step of a membership change; ``error_name`` is the contract's custom error
    (``ConsortiumLastMember``, ``CouncilAlreadyApproved``, ``CouncilNotBank``...). Nothing was sent: the client
    simulates every transaction before sending it."""

    def __init__(self, message: str, reverted: ContractReverted) -> None:
        super().__init__(message)
        self.error_name = reverted.error_name
        self.reverted = reverted


class NotEnoughApprovals(ConsortiumError):
    """A change has ``approvals`` of the ``needed`` approvals of current banks; ``missing`` more must approve."""

    def __init__(self, message: str, *, approvals: int, needed: int) -> None:
        super().__init__(message)
        self.approvals = approvals
        self.needed = needed
        self.missing = needed - approvals

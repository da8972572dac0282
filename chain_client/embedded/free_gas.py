"""Free gas, as on a Besu free-gas network: a base fee of zero that stays zero (Besu's ``zeroBaseFee``).

Under EIP-1559 a zero base fee does not stay zero: a block more than half full raises it by at least
one wei. Besu's ``zeroBaseFee`` genesis option pins it at zero instead, so that transactions with a
zero fee cap (and so a zero price) are always valid and no account ever needs ether; who may transact
is decided by account permissioning, not by fees. :func:`vm_for_base_fee` gives the Prague VM that does
the same: every header it creates carries a base fee of zero, and it accepts only headers that do.
"""

from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI
from eth.validation import validate_gas_limit
from eth.vm.forks.prague import PragueVM
from eth_utils import ValidationError

_prague_header_from_parent = PragueVM.create_header_from_parent


def _zero_base_fee_header(parent_header: BlockHeaderAPI | None, **header_params: Any) -> BlockHeaderAPI:
    header: BlockHeaderAPI = _prague_header_from_parent(parent_header, **header_params)
    return header.copy(base_fee_per_gas=0)


class ZeroBaseFeePragueVM(PragueVM):
    """Prague with the base fee pinned at zero (Besu ``zeroBaseFee``)."""

    create_header_from_parent = staticmethod(_zero_base_fee_header)

    @classmethod
    def validate_gas(cls, header: BlockHeaderAPI, parent_header: BlockHeaderAPI) -> None:
        validate_gas_limit(header.gas_limit, parent_header.gas_limit)
        if header.base_fee_per_gas != 0:
            raise ValidationError(f"a zero-base-fee chain has base fee 0, not {header.base_fee_per_gas}")


def vm_for_base_fee(genesis_base_fee: int) -> type[PragueVM]:
    """The VM of a chain whose genesis has ``genesis_base_fee``: zero pins it (free gas), any other
    value follows EIP-1559."""
    return ZeroBaseFeePragueVM if genesis_base_fee == 0 else PragueVM

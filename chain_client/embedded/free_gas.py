"""Free gas, as on a Besu free-gas network: a base fee of zero that stays zero (Besu's ``zeroBaseFee``).

Under EIP-1559 a zero base fee does not stay zero: a block more than half full raises it by at least
one wei. Besu's ``zeroBaseFee`` genesis option pins it at zero instead, so that transactions with a
zero fee cap (and so a zero price) are always valid and no account ever needs ether; who may transact
is decided by account permissioning, not by fees. :func:`vm_for_base_fee` makes a Prague VM do
the same: every header it creates carries a base fee of zero, and it accepts only headers that do.
"""

from __future__ import annotations

from typing import Any

from eth.abc import BlockHeaderAPI
from eth.validation import validate_gas_limit
from eth.vm.forks.prague import PragueVM
from eth_utils import ValidationError


def with_zero_base_fee(vm_class: type[PragueVM]) -> type[PragueVM]:
    """``vm_class`` with the base fee pinned at zero (Besu ``zeroBaseFee``): every header it creates
    carries a base fee of zero, and it accepts only headers that do."""
    create_header = vm_class.create_header_from_parent

    def create_header_from_parent(
        parent_header: BlockHeaderAPI | None, **header_params: Any
    ) -> BlockHeaderAPI:
        header: BlockHeaderAPI = create_header(parent_header, **header_params)
        return header.copy(base_fee_per_gas=0)

    def validate_gas(cls: type[PragueVM], header: BlockHeaderAPI, parent_header: BlockHeaderAPI) -> None:
        validate_gas_limit(header.gas_limit, parent_header.gas_limit)
        if header.base_fee_per_gas != 0:
            raise ValidationError(f"a zero-base-fee chain has base fee 0, not {header.base_fee_per_gas}")

    namespace = {
        "__doc__": f"{vm_class.__name__} with the base fee pinned at zero (Besu ``zeroBaseFee``).",
        "create_header_from_parent": staticmethod(create_header_from_parent),
        "validate_gas": classmethod(validate_gas),
    }
    return type(f"ZeroBaseFee{vm_class.__name__}", (vm_class,), namespace)


def vm_for_base_fee(vm_class: type[PragueVM], genesis_base_fee: int) -> type[PragueVM]:
    """The VM of a chain whose genesis has ``genesis_base_fee``: zero pins it (free gas), any other
    value follows EIP-1559."""
    return with_zero_base_fee(vm_class) if genesis_base_fee == 0 else vm_class

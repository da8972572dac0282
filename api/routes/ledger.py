"""What ledger this service serves: the chain id, the contracts' addresses, the latest block."""

from __future__ import annotations

from fastapi import APIRouter

from api.core.errors import ERROR_RESPONSES
from api.deps import PlatformDep
from api.schemas.common import AsOf, hex0x
from api.schemas.ledger import LedgerOut

router = APIRouter(prefix="/ledger", tags=["ledger"], responses=ERROR_RESPONSES)


@router.get("", response_model=LedgerOut)
def ledger(platform: PlatformDep) -> LedgerOut:
    """The chain id, every contract's address and the latest block, so anyone can check answers
    against their own node (no sign-in)."""
    client = platform.client
    block = client.backend.get_block("latest")
    return LedgerOut(
        chain_id=client.chain_id,
        contracts=dict(platform.ledger.addresses()),
        money={"symbol": platform.money.symbol, "decimals": platform.money.decimals},
        as_of=AsOf(
            block_number=block.number if block else 0, block_hash=hex0x(block.hash) if block else None
        ),
    )

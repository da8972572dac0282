"""What ledger this service serves: the chain id, the contracts' addresses, the latest block."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.core.errors import ERROR_RESPONSES
from api.deps import PlatformDep, ReadModelDep
from api.indexer import MAX_PAGE, EventRecord, IndexerStatus, Page
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


@router.get("/read-model", response_model=IndexerStatus)
def read_model_status(read_model: ReadModelDep) -> IndexerStatus:
    """How far the read model has indexed the chain: the block it is as of, events and transactions held."""
    return read_model.status()


@router.get("/events", response_model=Page[EventRecord])
def events(
    read_model: ReadModelDep,
    account: Annotated[
        str | None, Query(pattern=r"^0x[0-9a-fA-F]{40}$", description="named in any argument")
    ] = None,
    contract: Annotated[str | None, Query(max_length=64, description="e.g. WelfarePools")] = None,
    name: Annotated[str | None, Query(max_length=64, description="e.g. DonationReceived")] = None,
    pool_id: Annotated[int | None, Query(ge=0, le=2**53 - 1)] = None,
    from_block: Annotated[int | None, Query(ge=0, le=2**53 - 1)] = None,
    to_block: Annotated[int | None, Query(ge=0, le=2**53 - 1)] = None,
    offset: Annotated[int, Query(ge=0, le=2**53 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> Page[EventRecord]:
    """Every ledger event matching the filters, oldest first (the regulator's replay of the whole history,
    page by page); ``as_of_block`` says which block the answer is as of."""
    return read_model.events(
        account=account,
        contract=contract,
        name=name,
        pool_id=pool_id,
        from_block=from_block,
        to_block=to_block,
        offset=offset,
        limit=limit,
    )

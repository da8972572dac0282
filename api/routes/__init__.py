"""One APIRouter per resource; :data:`ROUTERS` is what the app factory mounts, in this order."""

from fastapi import APIRouter

from api.routes import (
    auth,
    deposit_tokens,
    donations,
    government_transfers,
    ledger,
    plans,
    transactions,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    ledger.router,
    plans.router,
    government_transfers.router,
    donations.router,
    deposit_tokens.router,
    transactions.router,
)

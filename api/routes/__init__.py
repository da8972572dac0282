"""One APIRouter per resource; :data:`ROUTERS` is what the app factory mounts, in this order."""

from fastapi import APIRouter

from api.routes import (
    accounts,
    audit_trail,
    auth,
    deposit_tokens,
    donations,
    government_transfers,
    institutions,
    ledger,
    lots,
    orders,
    plans,
    regulator,
    transactions,
    verify,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    ledger.router,
    accounts.router,
    institutions.router,
    plans.router,
    government_transfers.router,
    donations.router,
    deposit_tokens.router,
    orders.router,
    lots.router,
    regulator.router,
    audit_trail.router,
    transactions.router,
    verify.router,
)

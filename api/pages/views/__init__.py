"""One APIRouter per group of pages; :data:`ROUTERS` is what :func:`api.pages.install_pages` mounts."""

from fastapi import APIRouter

from api.pages.views import bank, charity, donor, government, orders, public, regulator, third_party

ROUTERS: tuple[APIRouter, ...] = (
    public.router,
    donor.router,
    charity.router,
    orders.router,
    third_party.router,
    bank.router,
    regulator.router,
    government.router,
)

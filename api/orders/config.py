"""Settings of the payment-order services (``LEDGER_ORDERS_*`` environment variables)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OrderSettings(BaseSettings):
    """Where deliveries are kept, how long orders run, how the matcher cycles."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_ORDERS_", extra="ignore")

    database_url: str = Field("sqlite:///var/orders.db", description="SQLAlchemy URL of the delivery store")
    order_ttl_seconds: int = Field(7 * 86_400, gt=0, description="default time from issue to deadline")
    matcher_interval_seconds: float = Field(0.5, gt=0, description="pause between matcher cycles when idle")
    matcher_batch: int = Field(200, gt=0, description="most settlements the matcher sends per cycle")
    key_cache_seconds: float = Field(60.0, ge=0, description="how long a party's registered key is reused")

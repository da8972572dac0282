"""Path parameters more than one router takes, declared once (their bounds and OpenAPI descriptions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from api.schemas.common import JSON_SAFE_MAX

PoolId = Annotated[int, Path(ge=1, le=JSON_SAFE_MAX, description="the plan's pool id")]
OrderId = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="the order id, 0x + 64 hex")]

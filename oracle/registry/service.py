"""A stand-in for the government registry's HTTP service, serving a registry dataset file.

The real registry cannot be reached from tests, demos or CI; this small FastAPI app gives the
:class:`oracle.registry.adapters.HttpRegistryAdapter` a real HTTP peer with the same answers a
registry gives: the record, 404 with a reason when the code is unknown, 422 when the code is not a
well-formed credit code. Build it in-process with :func:`create_app`; ``python -m oracle
registry-service`` serves it with uvicorn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel

from oracle.errors import InvalidCreditCode
from oracle.registry.credit_code import validate
from oracle.registry.dataset import index_by_code, read_registry
from oracle.registry.records import RegistryRecord

MAX_PAGE = 500


class RecordPage(BaseModel):
    """One page of the registry, in file order."""

    total: int
    offset: int
    limit: int
    records: list[RegistryRecord]


def create_app(dataset_path: Path) -> FastAPI:
    """The registry service over the JSON-lines file at ``dataset_path`` (read once, at build time)."""
    records = read_registry(dataset_path)
    by_code = index_by_code(records)
    app = FastAPI(title="Government registry (stand-in)", version="1")

    @app.get("/records/{credit_code}", response_model=RegistryRecord)
    def get_record(credit_code: str) -> RegistryRecord:
        """The record filed under a unified social credit code."""
        try:
            validate(credit_code)
        except InvalidCreditCode as error:
            raise HTTPException(
                status_code=422, detail={"reason": error.reason, "credit_code": credit_code}
            ) from error
        record = by_code.get(credit_code)
        if record is None:
            raise HTTPException(
                status_code=404,
                detail={"reason": "no institution is registered under this code", "credit_code": credit_code},
            )
        return record

    @app.get("/records", response_model=RecordPage)
    def list_records(
        offset: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50
    ) -> RecordPage:
        """A page of records in file order."""
        return RecordPage(
            total=len(records), offset=offset, limit=limit, records=records[offset : offset + limit]
        )

    return app

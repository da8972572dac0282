"""The FastAPI service wrapping the ledger for people."""

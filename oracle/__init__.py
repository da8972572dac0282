"""Oracles: bring government-registry and bank-system records onto the ledger, signed.

Subpackages: ``oracle.registry`` (the government registry: credit codes, records, adapters, a stand-in
service). Errors share one base, :class:`oracle.errors.OracleError`.
"""

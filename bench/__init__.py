"""Benchmarks of the welfare-aid ledger: ``python -m bench NAME [--quick]``.

Each benchmark is a module of this package with a ``run(quick: bool) -> dict`` function;
the runner prints progress to stderr and the figures as one JSON object on the last line.
"""

BENCHMARKS: dict[str, str] = {
    "api": "bench.api",
    "aid": "bench.aid",
    "chain": "bench.chain",
    "gas": "bench.gas",
    "indexer": "bench.indexer",
    "ocr": "bench.ocr",
    "orders": "bench.orders",
    "pools": "bench.pools",
}
"""Benchmark name -> module; every module exposes ``run(quick: bool) -> dict[str, object]``."""

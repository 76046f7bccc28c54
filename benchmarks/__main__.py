"""``make bench`` / ``python -m benchmarks [NAME ...]``: run the benchmarks, print their tables.

Each benchmark is a subpackage with a ``run.main() -> int``; results are tables, never
timed assertions (those belong here, not in the test suite).
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("pk", "outcomes", "ledger", "audit", "web", "workers", "fhir", "demo", "pages")


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    status = 0
    for name in chosen:
        print(f"\n=== benchmark: {name} ===", flush=True)
        status |= importlib.import_module(f"benchmarks.{name}.run").main([])
    return status


sys.exit(main(sys.argv[1:]))

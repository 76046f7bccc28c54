"""``make bench`` / ``python -m benchmarks [NAME ...]``: run the benchmarks, print one table.

Each benchmark is a subpackage with a ``run.main(argv) -> int`` that prints its own table and
records its targets with :func:`benchmarks.summary.record`. This runner clears ``var/bench/``,
runs each chosen benchmark in its own Python process (each configures Django its own way —
a temporary SQLite file, a recreated PostgreSQL database — which one process could do only
once), then prints the summary table of every target, measured against its alternative in
the same run. Results are tables, never timed assertions.

Exit status: non-zero only when a benchmark failed (an exception or a non-zero return); an
unmet target is a finding the table names, not an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import summary

BENCHMARKS = ("pk", "outcomes", "ledger", "audit", "web", "workers", "fhir", "demo", "pages")
ROOT = Path(__file__).resolve().parents[1]


def _run_one(name: str) -> int:
    """The benchmark's exit status, run as ``python -c 'benchmarks.<name>.run.main([])'``."""
    code = f"import sys; from benchmarks.{name}.run import main; sys.exit(main([]))"
    environment = dict(os.environ, KETACLINIC_BENCH_DIR=str(summary.bench_dir()))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment).returncode


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    summary.clear()
    failed: list[str] = []
    for name in chosen:
        print(f"\n=== benchmark: {name} ===", flush=True)
        started = time.perf_counter()
        status = _run_one(name)
        print(f"=== {name}: exit {status} in {time.perf_counter() - started:.0f} s ===", flush=True)
        if status != 0:
            failed.append(f"{name} (exit {status})")
    print("\n=== summary (var/bench/*.json) ===\n", flush=True)
    summary.print_table()
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
        return 1
    return 0


sys.exit(main(sys.argv[1:]))

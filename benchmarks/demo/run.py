"""Demo seeding benchmark: seconds per demo step at 1,000 and 10,000 patients on SQLite,
and the bulk writers against the per-row ways they replaced, measured in the same run.

    .venv/bin/python -m benchmarks demo                  # 1,000 and 10,000 (about 3 minutes)
    .venv/bin/python benchmarks/demo/run.py --sizes 1000

Each size seeds a fresh SQLite database through the CLI (``ketaclinic migrate`` then
``ketaclinic demo --patients N --timings``) and reads the step table it prints: wall-clock
seconds and the process's CPU seconds (which a busy machine does not inflate). Then, on one
database seeded with the patients and treatment of 1,000, each alternative writes the same
rows inside a transaction that is rolled back:

- the ledger: ``create_ledger(write=IN_BULK)`` (the demo) against ``ONE_BY_ONE`` (the live
  ``append_entry``, an entry at a time, as the demo used to); the two chains must match;
- vital signs (the largest table): ``bulk_write.insert_rows`` against ``bulk_create`` (the
  chart demo before) and a ``save()`` per row.

Not a test: nothing here is timed in CI.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from ketaclinic.cli import main; sys.exit(main())"]


def _environment(database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["KETACLINIC_DATABASE_URL"] = f"sqlite:///{database}"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _seed(size: int, folder: Path) -> list[tuple[str, float, float]]:
    """Seed ``size`` patients into a fresh database; the step table ``--timings`` prints."""
    database = folder / f"demo-{size}.sqlite3"
    env = _environment(database)
    subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*CLI, "demo", "--patients", str(size), "--timings"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    steps = []
    for line in done.stderr.splitlines()[1:]:
        name, wall, cpu = line.rsplit(maxsplit=2)
        steps.append((name.strip(), float(wall), float(cpu)))
    return steps


def _compare(size: int, folder: Path) -> None:
    """Run ``--compare`` in a child: Django is set up for one database per process."""
    database = folder / f"compare-{size}.sqlite3"
    env = _environment(database)
    subprocess.run([*CLI, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, str(Path(__file__)), "--compare", str(size)], env=env, check=True
    )


def _timed(function) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _in_rollback(function) -> tuple[float, float]:
    from django.db import transaction

    with transaction.atomic():
        seconds = _timed(function)
        transaction.set_rollback(True)
    return seconds


def _comparisons(size: int) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.config.settings"
    import datetime as dt
    import random

    import django

    django.setup()
    from django.db import transaction

    from ketaclinic.apps.charting.models import VitalSign
    from ketaclinic.apps.demo import organisation, patients
    from ketaclinic.apps.demo import treatment as demo_treatment
    from ketaclinic.apps.demo.charting import VITAL_COLUMNS
    from ketaclinic.apps.demo.ledger import IN_BULK, ONE_BY_ONE, create_ledger
    from ketaclinic.apps.ledger.models import LedgerEntry
    from ketaclinic.apps.treatment.models import Session
    from ketaclinic.apps.web import clock
    from ketaclinic.apps.web.bulk_write import insert_rows

    now = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    clock.install(clock.FixedClock(now))
    rng = random.Random(20261122)
    with transaction.atomic():
        _org, sites, users = organisation.create_organisation()
        patients.create_patients(size, list(sites.values()), users["nurse"], rng, now.date())
        demo_treatment.create_treatment(list(sites.values()), users, rng, now)
    state = rng.getstate()
    print(f"\nSame rows, two ways, {size:,} patients (wall s / CPU s; rolled back after each)")
    print(f"{'rows':<40} {'entries':>8} {'new way':>15} {'old way':>15} {'ratio':>7}")
    chains = {}

    def ledger(way):
        def run():
            rng.setstate(state)
            create_ledger(list(sites.values()), users, rng, now, write=way)
            ordered = LedgerEntry.objects.order_by("chain", "position")
            chains[way] = list(ordered.values_list("hash", flat=True))

        return run

    bulk = _in_rollback(ledger(IN_BULK))
    one = _in_rollback(ledger(ONE_BY_ONE))
    entries = len(chains[IN_BULK])
    _row("ledger: in bulk vs append_entry", entries, bulk, one)
    if len(chains[ONE_BY_ONE]) != entries:
        print("PROBLEM: the two ways wrote ledgers of different lengths")
        return 1

    session_ids = list(Session.objects.order_by("id").values_list("id", flat=True)[:2000])
    nurse = users["nurse"].pk
    rows = [
        (sid, now - dt.timedelta(minutes=m), 120 + m % 30, 80, 70 + m % 9, 97, None, nurse,
         now - dt.timedelta(minutes=m - 1))
        for sid in session_ids for m in range(0, 100, 7)
    ]  # fmt: skip
    names = [f"{name}_id" if name in ("session", "entered_by") else name for name in VITAL_COLUMNS]
    fast = _in_rollback(lambda: insert_rows(VitalSign, VITAL_COLUMNS, rows))
    orm = _in_rollback(
        lambda: VitalSign.objects.bulk_create(
            [VitalSign(**dict(zip(names, row, strict=True))) for row in rows], batch_size=2000
        )
    )
    sample = rows[:3000]
    saves = _in_rollback(
        lambda: [VitalSign(**dict(zip(names, row, strict=True))).save() for row in sample]
    )
    _row("vitals: insert_rows vs bulk_create", len(rows), fast, orm)
    scaled = (saves[0] * len(rows) / len(sample), saves[1] * len(rows) / len(sample))
    _row("vitals: insert_rows vs save() per row*", len(rows), fast, scaled)
    print(f"* save() timed on {len(sample):,} rows and scaled to {len(rows):,}")
    return 0


def _row(label: str, count: int, new: tuple[float, float], old: tuple[float, float]) -> None:
    ratio = old[0] / new[0] if new[0] else float("inf")
    print(
        f"{label:<40} {count:>8,} {new[0]:>7.2f}/{new[1]:<7.2f} {old[0]:>7.2f}/{old[1]:<7.2f}"
        f" {ratio:>6.1f}x"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.demo")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--compare-size", type=int, default=1000)
    parser.add_argument("--compare", type=int, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args(argv)
    if args.compare:
        return _comparisons(args.compare)
    with tempfile.TemporaryDirectory(prefix="ketaclinic-demo-bench-") as folder:
        results = {size: _seed(size, Path(folder)) for size in args.sizes}
        steps = list(dict.fromkeys(step for table in results.values() for step, _, _ in table))
        header = "".join(f" {f'{size:,} wall/CPU s':>19}" for size in args.sizes)
        print(f"Demo seeding on SQLite, seconds per step\n{'step':<14}{header}")
        for step in steps:
            cells = ""
            for size in args.sizes:
                found = {name: (wall, cpu) for name, wall, cpu in results[size]}.get(step)
                cells += f" {found[0]:>9.2f}/{found[1]:<9.2f}" if found else f" {'':>19}"
            print(f"{step:<14}{cells}")
        _compare(args.compare_size, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

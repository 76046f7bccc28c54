"""Demo seeding benchmark: the demo at 1,000 / 10,000 / 100,000 patients on PostgreSQL and
1,000 / 10,000 on SQLite (wall seconds, CPU seconds, peak memory, seconds per step), and
the bulk writers against the per-row ways they replaced, measured in the same run.

    .venv/bin/python -m benchmarks demo               # every size (PostgreSQL: 20+ minutes)
    .venv/bin/python benchmarks/demo/run.py --postgres-sizes 1000 10000 --sqlite-sizes 1000

Targets (issue 18, section 4): ``demo --patients 100000`` under 300 s on PostgreSQL, and
memory flat in the patient count: peak RSS at 100,000 at most 1.5x peak RSS at 10,000.

Each size seeds a fresh database through the CLI (``ketaclinic demo --patients N
--timings``) in a child process of its own measuring process, which reads the child's CPU
seconds and peak RSS with ``resource.getrusage(RUSAGE_CHILDREN)`` (so each size's peak is
its own, not the largest so far). PostgreSQL databases are copied from one migrated
template (``KETACLINIC_BENCH_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/``,
databases ``ketaclinic_demo_bench_*``, dropped afterwards); the server's own CPU is not
in the CPU column. Then, on one SQLite database seeded with the patients and treatment of
1,000, each alternative writes the same rows inside a transaction that is rolled back:

- the ledger: ``create_ledger(write=IN_BULK)`` (the demo) against ``ONE_BY_ONE`` (the live
  ``append_entry``, an entry at a time, as the demo used to); the two chains must match;
- vital signs (the largest table): ``bulk_write.insert_rows`` against ``bulk_create`` (the
  chart demo before) and a ``save()`` per row.

Rows for ``make bench``'s table go through ``benchmarks.summary.record`` (or, without it,
to ``var/bench/demo.json`` in its format). Not a test: nothing here is timed in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from ketaclinic.cli import main; sys.exit(main())"]


POSTGRES = os.environ.get("KETACLINIC_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/")
PREFIX = "ketaclinic_demo_bench"
TARGET_SECONDS = 300
RSS_RATIO = 1.5


def _environment(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["KETACLINIC_DATABASE_URL"] = url
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _measure(url: str, size: int) -> int:
    """In the measuring process: seed ``size`` patients as its only child; print wall and
    CPU seconds, the child's peak RSS and the step table as one JSON line."""
    wall = time.perf_counter()
    done = subprocess.run(
        [*CLI, "demo", "--patients", str(size), "--timings"],
        env=_environment(url),
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - wall
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    steps = []
    lines = done.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("demo step"))
    for line in lines[start + 1 :]:
        name, step_wall, cpu, peak_mib = line.rsplit(maxsplit=3)
        steps.append((name.strip(), float(step_wall), float(cpu), float(peak_mib)))
    result = {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "steps": steps,
    }
    print(json.dumps(result))
    return 0


def _seed(url: str, size: int) -> dict:
    """Seed ``size`` patients into the (fresh, migrated) database at ``url``, measured."""
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), "--measure", url, str(size)],
        env=_environment(url),
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sqlite(size: int, folder: Path) -> dict:
    url = f"sqlite:///{folder / f'demo-{size}.sqlite3'}"
    subprocess.run([*CLI, "migrate"], env=_environment(url), check=True, capture_output=True)
    return _seed(url, size)


def _postgres_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
        admin.execute(sql)


def _postgres(sizes: list[int]) -> dict[int, dict]:
    """Each size in a copy of one migrated template database, dropped afterwards."""
    template = f"{PREFIX}_template"
    _postgres_admin(f"DROP DATABASE IF EXISTS {template}")
    _postgres_admin(f"CREATE DATABASE {template}")
    results = {}
    try:
        url = POSTGRES + template
        subprocess.run([*CLI, "migrate"], env=_environment(url), check=True, capture_output=True)
        for size in sizes:
            name = f"{PREFIX}_{size}"
            _postgres_admin(f"DROP DATABASE IF EXISTS {name}")
            _postgres_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
            try:
                results[size] = _seed(POSTGRES + name, size)
            finally:
                _postgres_admin(f"DROP DATABASE IF EXISTS {name}")
    finally:
        _postgres_admin(f"DROP DATABASE IF EXISTS {template}")
    return results


def _print_sizes(database: str, results: dict[int, dict]) -> None:
    sizes = list(results)
    print(
        f"\nDemo seeding on {database} (wall s / CPU s / peak RSS MiB at the step's end, "
        "of the seeding process)"
    )
    print(f"{'patients':<14}" + "".join(f" {f'{size:,}':>24}" for size in sizes))
    print(f"{'total':<14}" + "".join(
        f" {results[s]['wall']:>9.1f}/{results[s]['cpu']:<9.1f}/{results[s]['rss_mib']:>5.0f}"
        for s in sizes
    ))  # fmt: skip
    steps = list(dict.fromkeys(step[0] for r in results.values() for step in r["steps"]))
    for step in steps:
        cells = ""
        for size in sizes:
            found = {name: rest for name, *rest in results[size]["steps"]}.get(step)
            cells += (
                f" {found[0]:>9.2f}/{found[1]:<9.2f}/{found[2]:>5.0f}" if found else f" {'':>24}"
            )
        print(f"{step:<14}{cells}")


def _record(target: str, measured: str, alternative: str, ratio: str, met: bool | None) -> None:
    """One row for ``make bench``'s table, through ``benchmarks.summary`` when it exists."""
    try:
        from benchmarks.summary import record
    except ImportError:
        folder = ROOT / "var" / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "demo.json"
        rows = json.loads(path.read_text()) if path.exists() else []
        rows.append({"benchmark": "demo", "target": target, "measured": measured,
                     "alternative": alternative, "ratio": ratio, "met": met})  # fmt: skip
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
        return
    record("demo", target, measured, alternative, ratio, met)


def _record_targets(postgres: dict[int, dict], sqlite: dict[int, dict]) -> None:
    big, ten = postgres.get(100_000), postgres.get(10_000)
    if big is not None:
        _record(
            "demo --patients 100000 on PostgreSQL < 300 s",
            f"{big['wall']:.0f} s wall, {big['cpu']:.0f} s CPU",
            f"target {TARGET_SECONDS} s",
            f"{big['wall'] / TARGET_SECONDS:.2f}x the target (wall)",
            big["wall"] < TARGET_SECONDS,
        )
        if ten is not None:
            ratio = big["rss_mib"] / ten["rss_mib"]
            _record(
                "demo peak RSS at 100k <= 1.5x at 10k (PostgreSQL)",
                f"{big['rss_mib']:.0f} MiB at 100,000",
                f"{ten['rss_mib']:.0f} MiB at 10,000",
                f"{ratio:.2f}x",
                ratio <= RSS_RATIO,
            )
            _record(
                "demo CPU s per patient, 100k vs 10k (PostgreSQL, linear = 1.0)",
                f"{big['cpu']:.0f} s CPU at 100,000",
                f"{ten['cpu']:.0f} s CPU at 10,000",
                f"{big['cpu'] / ten['cpu'] / 10:.2f}x per patient",
                None,
            )
    for size, result in sqlite.items():
        _record(
            f"demo --patients {size} on SQLite (measured, no target)",
            f"{result['wall']:.0f} s wall, {result['cpu']:.0f} s CPU",
            f"PostgreSQL: {postgres[size]['cpu']:.0f} s CPU" if size in postgres else "",
            f"{result['rss_mib']:.0f} MiB peak RSS",
            None,
        )


def _compare(size: int, folder: Path) -> None:
    """Run ``--compare`` in a child: Django is set up for one database per process."""
    database = folder / f"compare-{size}.sqlite3"
    env = _environment(f"sqlite:///{database}")
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
    parser.add_argument("--postgres-sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--sqlite-sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--compare-size", type=int, default=1000)
    parser.add_argument("--compare", type=int, help=argparse.SUPPRESS)  # the child's job
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)  # the measuring process
    args = parser.parse_args(argv)
    if args.compare:
        return _comparisons(args.compare)
    if args.measure:
        return _measure(args.measure[0], int(args.measure[1]))
    postgres = _postgres(args.postgres_sizes) if args.postgres_sizes else {}
    if postgres:
        _print_sizes("PostgreSQL", postgres)
    with tempfile.TemporaryDirectory(prefix="ketaclinic-demo-bench-") as folder:
        sqlite = {size: _sqlite(size, Path(folder)) for size in args.sqlite_sizes}
        if sqlite:
            _print_sizes("SQLite", sqlite)
        _record_targets(postgres, sqlite)
        if args.compare_size:
            _compare(args.compare_size, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

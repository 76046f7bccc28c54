"""Outcomes benchmark: the dashboard's figures at 1,000, 10,000 and 100,000 patients on
PostgreSQL, against the naive approach (every score into pandas, lifelines, statsmodels).

Run from the repository root (PostgreSQL at postgresql://postgres@127.0.0.1:5432):

    .venv/bin/python -m benchmarks outcomes            # all three sizes (about 10 minutes)
    .venv/bin/python benchmarks/outcomes/run.py --sizes 1000 10000

It creates (or recreates) the database ``ketaclinic_bench``, migrates it, adds synthetic
patients in steps (``synthetic.py``), stores their course outcomes (``refresh_course_outcomes``,
timed: the one-off cost of materialising), then times the dashboard's computation
(``cohort_report``: counts, life table, weekly histogram, statistics and the four SVG
plots; median of 5 runs) and the naive computation (one run), with the queries each
issues and tracemalloc's peak. The numbers of both must be identical (every count, every
Wilson bound and every Kaplan–Meier step to 1e-9); a mismatch makes the run fail.
Not a test: nothing here is timed in CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "ketaclinic_bench"
AS_OF = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def _recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _setup_django(name: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    os.environ["KETACLINIC_DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    os.environ.setdefault(
        "KETACLINIC_DATA_DIR", str(Path(tempfile.gettempdir()) / "ketaclinic-bench")
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.config.settings"
    import django

    django.setup()


def _measure(function, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, peaks, result, queries = [], [], None, 0
    for _ in range(repeat):
        tracemalloc.start()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - started)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        queries = len(captured)
    return statistics.median(times), queries, max(peaks) / 2**20, result


def _compare(report, naive: dict) -> list[str]:
    s = report.summary
    problems = []
    pairs = {
        "responded": s.response,
        "remitted": s.remission,
        "rapid": s.rapid_response,
        "worsened": s.worsening,
    }
    expected = {"lost": s.lost_to_follow_up, "adverse_events": s.adverse_events, "holds": s.holds}
    for name, pair in pairs.items():
        expected[f"{name}_itt"] = pair.intent_to_treat
        expected[f"{name}_completers"] = pair.completers
    if naive["started"] != s.started:
        problems.append(f"started {s.started} vs {naive['started']}")
    for name, p in expected.items():
        events, total, lower, upper = naive[name]
        if (
            (p.events, p.total) != (events, total)
            or abs(p.lower - lower) > 1e-9
            or abs(p.upper - upper) > 1e-9
        ):
            problems.append(f"{name}: {p} vs {naive[name]}")
    for step in s.durability.steps:
        if abs(naive["survival"][step.time] - step.survival) > 1e-9:
            problems.append(f"survival at {step.time}: {step.survival}")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--naive-up-to",
        type=int,
        default=None,
        help="run the naive approach only up to this many patients (it takes minutes at 100k)",
    )
    parser.add_argument("--database", default=DATABASE, help=f"recreated; default {DATABASE}")
    args = parser.parse_args(argv)
    _recreate_database(args.database)
    _setup_django(args.database)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.outcomes.naive import naive_figures
    from benchmarks.outcomes.synthetic import add_patients
    from ketaclinic.apps.accounts.models import Organisation, Site, User
    from ketaclinic.apps.outcomes.cohort import CohortFilters
    from ketaclinic.apps.outcomes.refreshing import refresh_course_outcomes
    from ketaclinic.apps.outcomes.reporting import cohort_report

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER DATABASE \"{args.database}\" SET ketaclinic.audit_writable = 'on'")
    organisation = Organisation.objects.create(name="Benchmark clinics")
    sites = [
        Site.objects.create(organisation=organisation, name=n, slug=n.lower(), timezone=tz)
        for n, tz in (("North", "America/New_York"), ("South", "America/Chicago"))
    ]
    prescriber = User.objects.create(username="bench-prescriber")
    nurse = User.objects.create(username="bench-nurse")
    filters = CohortFilters(tuple(site.pk for site in sites))

    print(f"PostgreSQL {connection.pg_version // 10000}, database {args.database}, as of {AS_OF}")
    header = (
        f"{'patients':>9} | {'store (s)':>9} | {'dashboard (ms)':>14} | {'queries':>7} | "
        f"{'peak MiB':>8} | {'naive (s)':>9} | {'queries':>7} | {'peak MiB':>8} | "
        f"{'faster':>7} | identical"
    )
    print(header)
    print("-" * len(header))
    total, status = 0, 0
    for size in sorted(args.sizes):
        added = size - total
        course_ids = add_patients(
            added,
            site_ids=[s.pk for s in sites],
            prescriber_id=prescriber.pk,
            nurse_id=nurse.pk,
            as_of=AS_OF,
            seed=size,
        )
        started = time.perf_counter()
        refresh_course_outcomes(course_ids, AS_OF)
        stored = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        total = size
        fast, fast_queries, fast_peak, report = _measure(lambda: cohort_report(filters), 5)
        mine = f"{size:>9,} | {stored:>9.1f} | {fast * 1000:>14.1f} | {fast_queries:>7} | "
        mine += f"{fast_peak:>8.1f} | "
        if args.naive_up_to is not None and size > args.naive_up_to:
            print(f"{mine}{'(not run)':>9} | {'':>7} | {'':>8} | {'':>7} |", flush=True)
            continue
        slow, slow_queries, slow_peak, naive = _measure(lambda: naive_figures(AS_OF), 1)
        problems = _compare(report, naive)
        status |= bool(problems)
        print(
            f"{mine}{slow:>9.2f} | {slow_queries:>7} | {slow_peak:>8.1f} | "
            f"{slow / fast:>6.0f}× | {'yes' if not problems else 'NO: ' + '; '.join(problems[:3])}",
            flush=True,
        )
    print(
        "store: materialising the added patients' course outcomes (one-off; afterwards one "
        "course per change). dashboard: median of 5 runs of cohort_report with its plots."
    )
    return status


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))

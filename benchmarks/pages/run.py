"""Pages benchmark: does every staff page and list API endpoint stay flat from 1,000 to 100,000
patients? (issue 18: p95 at 100k <= 1.5x p95 at 1k.)

    .venv/bin/python -m benchmarks pages          # SQLite 1k, 10k; PostgreSQL 1k, 10k, 100k
    .venv/bin/python benchmarks/pages/run.py --databases sqlite --sizes 1000 10000
    .venv/bin/python benchmarks/pages/run.py --only patients   # routes whose address contains it

Each size is a demo clinic (``ketaclinic demo --patients N``) kept between runs in
``var/bench/pages/`` (SQLite files) or the PostgreSQL databases ``pages_<N>``; a database whose
patient count is not N is rebuilt (``--reseed`` rebuilds every one). Then a child process per
database and size opens every route the URL resolver knows, in-process with Django's test
``Client`` logged in as the medical director (who may open every staff page): 2 warm-ups, then
``--requests`` timed GETs, wall-clock and this process's CPU time per request, and the query
count of one request. Routes are enumerated, not listed, so a new page cannot be missed; the
ones it cannot open are printed with the reason (public pages, exports, POST-only addresses,
parameters it cannot fill). Path parameters are filled from the seeded data: the patient with
the most assessments, the session with the most vital signs, its course, and the newest row of
everything else the director can see.

Prints, per database, one table: route | p95 ms at each size | ratio largest/smallest | CPU ms
(median, at each size) | queries at each size. The ratio is of wall-clock p95 (the target's
measure) within one run; the machine is shared, so the CPU column says whether a ratio above
1.5 is the page or the neighbours. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "var" / "bench" / "pages"
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
CLI = [sys.executable, "-c", "import sys; from ketaclinic.cli import main; sys.exit(main())"]
TARGET_RATIO = 1.5
DEFAULT_SIZES = {"sqlite": (1000, 10000), "postgresql": (1000, 10000, 100000)}

# Whole namespaces or names that are not staff pages, with the reason printed for each.
EXCLUDED_NAMESPACES = {
    "admin": "Django admin (not a product page)",
    "fhir": "FHIR (SMART token auth; measured by benchmarks/fhir)",
    "self_report": "public (patient link)",
    "home_check_in": "public (patient link)",
    "join": "public (enquiry form)",
    "reminder_stop": "public (patient link)",
    "sms_hooks": "public (signed webhook)",
}
EXCLUDED_NAMES = {
    "healthz": "public probe",
    "accounts:login": "public",
    "accounts:logout": "ends the session",
    "accounts:mfa-verify": "second factor",
    "accounts:mfa-enrol": "second factor",
    "api-v1:openapi-json": "static schema",
    "api-v1:openapi-view": "static schema viewer",
}
EXPORT_SUFFIXES = (".csv", ".pdf")
# List endpoints that require a filter: the query string they are opened with.
REQUIRED_QUERIES = {
    "api/v1/assessments": "patient_id={patient_id}",
    "api/v1/screenings": "patient_id={patient_id}",
    "api/v1/schedule": "site={site_id}",
}


def _database_url(database: str, size: int) -> str:
    if database == "postgresql":
        return f"{POSTGRES_SERVER}/pages_{size}"
    return f"sqlite:///{STORE / f'sqlite-{size}.sqlite3'}"


def _environment(database: str, size: int) -> dict[str, str]:
    env = dict(os.environ)
    env["KETACLINIC_DATABASE_URL"] = _database_url(database, size)
    env["DJANGO_SETTINGS_MODULE"] = "ketaclinic.config.settings"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")])
    return env


_COUNT = """
import django
django.setup()
from ketaclinic.apps.patients.models import Patient
try:
    print(Patient.objects.count())
except Exception:
    print(-1)
"""


def _fresh_database(database: str, size: int) -> None:
    if database == "postgresql":
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "pages_{size}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "pages_{size}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{STORE / f'sqlite-{size}.sqlite3'}{suffix}").unlink(missing_ok=True)


def _analyze(database: str, size: int) -> None:
    """Planner statistics, as a clinic that grew to this size has them (PostgreSQL's
    autovacuum; on SQLite an ``ANALYZE`` after a bulk load, docs/scaling.md). A freshly seeded
    database has none: PostgreSQL then guesses a couple of rows a table, and SQLite walks the
    site index and sorts every patient instead of reading the list's order index."""
    if database == "postgresql":
        import psycopg

        with psycopg.connect(_database_url(database, size), autocommit=True) as connection:
            connection.execute("ANALYZE")
    else:
        import sqlite3

        with contextlib.closing(sqlite3.connect(STORE / f"sqlite-{size}.sqlite3")) as connection:
            connection.execute("ANALYZE")


def _ensure_seeded(database: str, size: int, reseed: bool) -> None:
    """Seed ``size`` demo patients unless the database already holds exactly that many."""
    STORE.mkdir(parents=True, exist_ok=True)
    env = _environment(database, size)
    if not reseed:
        # Migrations added since the seeding (new indexes, stored tables) apply first.
        subprocess.run([*CLI, "migrate"], env=env, check=False, stdout=subprocess.DEVNULL)
        try:
            counted = subprocess.run(
                [sys.executable, "-c", _COUNT], env=env, capture_output=True, text=True, check=True
            )
            if int(counted.stdout.strip() or -1) == size:
                return
        except (subprocess.CalledProcessError, ValueError):
            pass
    print(f"seeding {database} with {size:,} patients ...", flush=True)
    _fresh_database(database, size)
    subprocess.run([*CLI, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*CLI, "demo", "--patients", str(size), "--timings"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------- the child: one database, one size


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    from django.urls import URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def _parameter_values(director) -> dict[str, str]:
    """A value for each path parameter the routes use, from the seeded clinic (the director
    sees both sites)."""
    from django.apps import apps
    from django.db.models import Count

    def newest(label: str) -> str | None:
        pk = apps.get_model(label).objects.order_by("-pk").values_list("pk", flat=True).first()
        return None if pk is None else str(pk)

    patient_model = apps.get_model("patients.Patient")
    session_model = apps.get_model("treatment.Session")
    patient = patient_model.objects.annotate(n=Count("assessments")).order_by("-n", "pk").first()
    session = session_model.objects.annotate(n=Count("vital_signs")).order_by("-n", "pk").first()
    site = apps.get_model("accounts.Site").objects.order_by("pk").first()
    values = {
        "patient_id": str(patient.pk) if patient else None,
        "session_id": str(session.pk) if session else None,
        "course_id": str(session.course_id) if session else None,
        "site_slug": site.slug if site else None,
        "site_id": str(site.pk) if site else None,
        "instrument": "phq9",
        "kind": "nursing",
        "scale_id": "phq9",
        "user_id": str(director.pk),
    }
    models_by_parameter = {
        "container_id": "ledger.Container",
        "alert_id": "alerts.Alert",
        "screening_id": "treatment.Screening",
        "assessment_id": "assessments.Assessment",
        "enquiry_id": "enquiries.Enquiry",
        "program_id": "kap.KapProgram",
        "group_id": "iop.IopGroup",
        "prescription_id": "homeprogram.HomePrescription",
        "inventory_id": "ledger.Inventory",
        "authorization_id": "billing.PriorAuthorization",
        "discrepancy_id": "ledger.Discrepancy",
        "entry_id": "ledger.LedgerEntry",
    }
    for parameter, label in models_by_parameter.items():
        try:
            values[parameter] = newest(label)
        except LookupError:
            values[parameter] = None
    return {key: value for key, value in values.items() if value is not None}


def _routes(director) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(route label, URL) for every route to time, and (route, reason) for the rest."""
    from django.urls import get_resolver

    values = _parameter_values(director)
    chosen: dict[str, tuple[str, str]] = {}
    skipped: list[tuple[str, str]] = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        namespace = (name or "").split(":")[0]
        if namespace in EXCLUDED_NAMESPACES or route.startswith("admin/"):
            continue  # whole areas, named once in the printed notes
        if name in EXCLUDED_NAMES:
            skipped.append((route, EXCLUDED_NAMES[name]))
            continue
        if route.endswith(EXPORT_SUFFIXES):
            skipped.append((route, "export (streams every row it is asked for)"))
            continue
        parameters = list(pattern.pattern.regex.groupindex)
        missing = [parameter for parameter in parameters if parameter not in values]
        if missing:
            skipped.append((route, f"cannot fill {', '.join(missing)}"))
            continue
        url = "/" + route
        for parameter in parameters:
            url = url.replace(f"<int:{parameter}>", values[parameter])
            url = url.replace(f"<str:{parameter}>", values[parameter])
            url = url.replace(f"<slug:{parameter}>", values[parameter])
            url = url.replace(f"<{parameter}>", values[parameter])
        if route in REQUIRED_QUERIES:
            url += "?" + REQUIRED_QUERIES[route].format(**values)
        chosen.setdefault(route, (route, url))
    return list(chosen.values()), skipped


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(requests: int, warmups: int, only: str) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from ketaclinic.apps.accounts import mfa
    from ketaclinic.apps.accounts.models import User
    from ketaclinic.apps.patients.models import Patient

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    director = User.objects.get(username="director")
    client = Client()
    client.force_login(director)
    session = client.session
    mfa.mark_verified(session)
    session.save()
    routes, skipped = _routes(director)
    results: dict[str, dict] = {}
    for route, url in routes:
        if only and only not in route:
            continue
        first = client.get(url)
        if first.status_code != 200:
            reason = {405: "POST only", 302: "redirects", 404: "not found for the filled ids"}
            skipped.append((route, reason.get(first.status_code, f"HTTP {first.status_code}")))
            continue
        for _ in range(warmups - 1):
            client.get(url)
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        walls, cpus = [], []
        for _ in range(requests):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        results[route] = {
            "url": url,
            "median_ms": statistics.median(walls),
            "p95_ms": _percentile(walls, 0.95),
            "cpu_median_ms": statistics.median(cpus),
            "cpu_p95_ms": _percentile(cpus, 0.95),
            "queries": len(queries),
        }
    return {"patients": Patient.objects.count(), "routes": results, "skipped": skipped}


# ---------------------------------------------------------------- the parent: tables and summary


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    print(" | ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)))
    print("-|-".join("-" * width for width in widths))
    for row in rows:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _short(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 else str(size)


def _table(database: str, by_size: dict[int, dict]) -> list[dict]:
    sizes = sorted(by_size)
    small, large = sizes[0], sizes[-1]
    routes = sorted(set().union(*(by_size[size]["routes"] for size in sizes)))
    rows, ratios = [], []
    for route in routes:
        cells = [by_size[size]["routes"].get(route) for size in sizes]
        wall = cpu = None
        if cells[0] and cells[-1]:
            wall = cells[-1]["p95_ms"] / cells[0]["p95_ms"]
            cpu = cells[-1]["cpu_p95_ms"] / max(cells[0]["cpu_p95_ms"], 0.1)
            ratios.append({"route": route, "ratio": wall, "cpu_ratio": cpu})
        rows.append(
            [
                "/" + route,
                *(f"{cell['p95_ms']:.1f}" if cell else "—" for cell in cells),
                f"{wall:.2f}" + (" !" if wall > TARGET_RATIO else "") if wall else "—",
                *(f"{cell['cpu_p95_ms']:.1f}" if cell else "—" for cell in cells),
                f"{cpu:.2f}" + (" !" if cpu > TARGET_RATIO else "") if cpu else "—",
                "/".join(str(cell["queries"]) if cell else "—" for cell in cells),
            ]
        )
    ratio = f"{_short(large)}/{_short(small)}"
    header = [
        "route",
        *(f"p95 ms {_short(size)}" for size in sizes),
        f"ratio {ratio}",
        *(f"CPU p95 {_short(size)}" for size in sizes),
        f"CPU {ratio}",
        "queries " + "/".join(_short(size) for size in sizes),
    ]
    print(
        f"\n{database}: wall-clock p95 and this process's CPU-time p95 per request, in ms "
        "(' !' marks a ratio over 1.5; on PostgreSQL the CPU column leaves out the server's)"
    )
    _print_table(header, rows)
    return ratios


def _record(database: str, sizes: list[int], ratios: list[dict]) -> None:
    small, large = _short(sizes[0]), _short(sizes[-1])
    over = sorted((row for row in ratios if row["ratio"] > TARGET_RATIO), key=lambda r: -r["ratio"])
    worst = max(ratios, key=lambda row: row["ratio"]) if ratios else None
    cpu_over = [row for row in ratios if row["cpu_ratio"] > TARGET_RATIO]
    measured = (
        f"{len(ratios) - len(over)} of {len(ratios)} routes within on wall-clock p95 "
        f"(worst /{worst['route']} {worst['ratio']:.2f}x); {len(ratios) - len(cpu_over)} of "
        f"{len(ratios)} on CPU-time p95"
        if worst
        else "nothing measured"
    )
    rows = [
        {
            "benchmark": "pages",
            "target": f"every staff page and list endpoint: p95 at {large} <= 1.5x p95 at {small} "
            f"({database})",
            "measured": measured,
            "alternative": f"the same route at {small} patients, same run",
            "ratio": f"{worst['ratio']:.2f}x" if worst else "—",
            "met": bool(ratios) and not over,
        }
    ]
    from benchmarks.summary import record_rows

    record_rows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", choices=tuple(DEFAULT_SIZES), default=None)
    parser.add_argument("--sizes", nargs="+", type=int, default=None)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--only", default="", help="time only routes containing this text")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.requests, args.warmups, args.only)))
        return 0
    started = time.process_time()
    for database in args.databases or tuple(DEFAULT_SIZES):
        sizes = sorted(args.sizes or DEFAULT_SIZES[database])
        by_size = {}
        for size in sizes:
            _ensure_seeded(database, size, args.reseed)
            _analyze(database, size)
            child = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__)),
                    "--measure",
                    "--requests",
                    str(args.requests),
                    "--warmups",
                    str(args.warmups),
                    "--only",
                    args.only,
                ],
                env=_environment(database, size),
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            by_size[size] = json.loads(child.stdout.strip().splitlines()[-1])
            (STORE / f"{database}-{size}.json").write_text(json.dumps(by_size[size], indent=2))
        ratios = _table(database, by_size)
        skipped = {route: reason for size in sizes for route, reason in by_size[size]["skipped"]}
        print(
            f"\nnot timed ({len(skipped)}); also not timed: "
            + "; ".join(
                f"{namespace}/ ({reason})" for namespace, reason in EXCLUDED_NAMESPACES.items()
            )
        )
        for route, reason in sorted(skipped.items()):
            print(f"  /{route}: {reason}")
        if len(sizes) > 1 and not args.only:
            _record(database, sizes, ratios)
    print(f"\nparent CPU {time.process_time() - started:.1f} s; the machine is shared")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Web benchmark: what an authenticated, audited read costs against the bare-Django ceiling.

Builds a demo clinic (``ketaclinic demo``) in a fresh database, serves it with gunicorn
exactly as ``ketaclinic serve`` does (threads 4, the product's settings), serves the ceiling
(``bare.py``: one row by primary key, no middleware) with the same gunicorn settings, and
drives each with the same closed-loop clients. Prints one table: requests per second, p50
and p95, and each product path as a share of the ceiling measured in the same run; then the
product's API read with 1, 2 and 4 gunicorn processes (no global lock means throughput rises
with processes). Not a test: nothing asserts.

    .venv/bin/python -m benchmarks web                      # SQLite, 1,000 patients
    .venv/bin/python benchmarks/web/run.py --database postgresql --patients 1000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "ketaclinic_bench_web"

TARGETS = (
    # (label, path template, share of the ceiling the issue asks for)
    ("API: one patient (audited)", "/api/v1/patients/{patient}", 0.30),
    ("page: patient chart (audited)", "/patients/{patient}/", 0.15),
    ("page: patient list", "/patients/", None),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(data_dir: str, database: str) -> dict[str, str]:
    env = dict(os.environ)
    env["KETACLINIC_DATA_DIR"] = data_dir
    env["DJANGO_SETTINGS_MODULE"] = "ketaclinic.config.settings"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")])
    if database == "postgresql":
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
        env["KETACLINIC_DATABASE_URL"] = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
    else:
        env["KETACLINIC_DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    return env


_LOGIN = """
import json, django
django.setup()
from django.test import Client
from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.patients.models import Patient
nurse = User.objects.get(username="nurse")
client = Client()
client.force_login(nurse)
patient = Patient.objects.filter(site__in=nurse.sites.all()).order_by("pk").first()
print(json.dumps({"cookie": f"sessionid={client.cookies['sessionid'].value}",
                  "patient": patient.pk}))
"""


@contextlib.contextmanager
def _gunicorn(env: dict[str, str], app: str, workers: int):
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn {app} did not start")
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _row(label: str, result, ceiling, target) -> list[str]:
    share = result.per_second / ceiling.per_second if ceiling and ceiling.per_second else None
    verdict = ""
    if target is not None and share is not None:
        verdict = "met" if share >= target else f"below {target:.0%}"
    return [
        label,
        f"{result.per_second:,.0f}",
        f"{result.percentile(50):.1f}",
        f"{result.percentile(95):.1f}",
        f"{share:.1%}" if share is not None else "—",
        verdict,
        str(result.errors),
    ]


def seed_demo(env: dict[str, str], patients: int) -> None:
    """Migrate ``env``'s database and seed a demo clinic of ``patients`` in it."""
    ketaclinic = str(BIN / "ketaclinic")
    subprocess.run([ketaclinic, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [ketaclinic, "demo", "--patients", str(patients)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def log_in(env: dict[str, str], script: str = _LOGIN) -> dict:
    """What ``script`` prints (a logged-in session's cookie, a patient...), run in ``env``."""
    done = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True)
    return json.loads(done.stdout)


def rows_against_ceiling(
    env: dict[str, str],
    targets,
    patient: int,
    cookie: str,
    *,
    workers: int,
    clients: int,
    seconds: float,
    results: dict | None = None,
) -> list[list[str]]:
    """The bare-Django ceiling, then each of ``targets`` (label, path template, share of the
    ceiling asked for) under the same load, each path warmed up first: the table's rows.
    ``results``, if given, receives each label's ``LoadResult`` (the ceiling's as "ceiling")."""
    results = {} if results is None else results
    from benchmarks.web.load import run_load

    load = {"clients": clients, "seconds": seconds}
    with _gunicorn(env, "benchmarks.web.bare:application", workers) as port:
        run_load(port, f"/bare/patients/{patient}", seconds=1)  # warm-up
        ceiling = run_load(port, f"/bare/patients/{patient}", **load)
    results["ceiling"] = ceiling
    rows = [_row("bare Django: one row (ceiling)", ceiling, None, None)]
    with _gunicorn(env, "ketaclinic.config.wsgi:application", workers) as port:
        for label, template, target in targets:
            path = template.format(patient=patient)
            run_load(port, path, cookie=cookie, seconds=1)
            result = run_load(port, path, cookie=cookie, **load)
            results[label] = result
            rows.append(_row(label, result, ceiling, target))
    return rows


def _print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    line = " | ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))
    print(line)
    print("-|-".join("-" * width for width in widths))
    for row in rows:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    from benchmarks.web.load import run_load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=None, help="default: as `ketaclinic serve` (1 on SQLite)"
    )
    args = parser.parse_args(argv)
    args.workers = args.workers or (1 if args.database == "sqlite" else 2)
    with tempfile.TemporaryDirectory(prefix="kc-web-bench-") as data_dir:
        env = _environment(data_dir, args.database)
        seed_demo(env, args.patients)
        login = log_in(env)
        cookie, patient = login["cookie"], login["patient"]
        load = {"clients": args.clients, "seconds": args.seconds}
        measured: dict = {}
        rows = rows_against_ceiling(
            env, TARGETS, patient, cookie, workers=args.workers, results=measured, **load
        )
        print(
            f"\n{args.database}, {args.patients:,} patients, {args.clients} clients, "
            f"{args.workers} gunicorn process(es) x 4 threads, {args.seconds:g} s each"
        )
        _print_table(["path", "req/s", "p50 ms", "p95 ms", "of ceiling", "target", "errors"], rows)

        scaling = []
        path = TARGETS[0][1].format(patient=patient)
        for workers in (1, 2, 4):
            with _gunicorn(env, "ketaclinic.config.wsgi:application", workers) as port:
                run_load(port, path, cookie=cookie, seconds=1)
                scaling.append((workers, run_load(port, path, cookie=cookie, **load)))
        base = scaling[0][1].per_second or 1.0
        print("\nAPI read by gunicorn processes (target: 4 processes >= 1.7x of 1)")
        rows = [
            [
                str(w),
                f"{r.per_second:,.0f}",
                f"{r.percentile(95):.1f}",
                f"{r.per_second / base:.2f}x",
            ]
            for w, r in scaling
        ]
        _print_table(["processes", "req/s", "p95 ms", "x of 1 process"], rows)
    _record(args, measured)
    return 0


# Where the time goes, from the profile (``docs/scaling.md``, "Where an audited read's time
# goes"): named in the summary when a target is not met.
GAPS = {
    "API: one patient (audited)": "in the server 6-7 ms of CPU per request against "
    "the ceiling's 1.1-1.5 ms (/proc of the gunicorn tree, before the 8 Dec request-path "
    "work). In process (benchmarks/fhir/cpu.py) about half of the read is the audit: the "
    "writer thread's insert and fsync'd commit of a batch of one, and the handoff. The rest"
    " is spread thin: four prepared queries (session, user, access, row), Django's "
    "middleware stack, django-ninja's auth and parameter parsing. Removed on 8 Dec: "
    "Django's has_perm backend loop, the URL walk past every page pattern, the idle "
    "middleware's reverse, ninja's validate-and-dump round trip of the response "
    "(instructions per read in benchmarks/fhir/README.md); one SQLite process is GIL-bound "
    "(docs/scaling.md, where an audited read's time goes)",
    "page: patient chart (audited)": "about 35 ms of CPU per page on the loaded machine (68 "
    "before this session's work): page and base templates 5 ms, alert badge 3 ms, audit 3.5 "
    "ms, weight form 2.5 ms, Django's template engine about 1 ms per section; trimming is "
    "spent, a per-patient fragment cache with proven invalidation is what is left "
    "(benchmarks/web/chart_cpu.py --profile)",
}


def _record(args, measured: dict) -> None:
    """The issue-18 targets into ``make bench``'s one table (``benchmarks.summary``)."""
    from benchmarks.summary import record

    ceiling = measured["ceiling"]
    setting = f"{args.database}, {args.workers} processes x 4 threads, {args.clients} clients"
    for label, _template, target in TARGETS:
        result = measured[label]
        share = result.per_second / ceiling.per_second if ceiling.per_second else 0.0
        met = None if target is None else share >= target
        record(
            "web",
            f"{label}: >= {target:.0%} of bare Django" if target else f"{label} (no target)",
            f"{result.per_second:,.0f} req/s, p95 {result.percentile(95):.0f} ms",
            f"bare Django {ceiling.per_second:,.0f} req/s ({setting})",
            f"{share:.1%}",
            met,
            gap=GAPS.get(label) if met is False else None,
        )
    api = measured[TARGETS[0][0]]
    p95 = api.percentile(95)
    record(
        "web",
        f"API read p95 under {args.clients} clients <= 50 ms",
        f"{p95:.1f} ms",
        f"bare Django p95 {ceiling.percentile(95):.1f} ms",
        f"{p95 / 50:.2f}x of the limit",
        p95 <= 50,
        gap=None if p95 <= 50 else GAPS[TARGETS[0][0]],
    )


if __name__ == "__main__":
    sys.exit(main())

"""Server CPU per patient-chart request, in process, against the bare-Django ceiling.

The load benchmark (``run.py``) measures requests per second through gunicorn, which on a
shared 2-core machine moves with everyone else's load. This one counts what a request costs
the server itself: ``time.process_time()`` around Django's test ``Client`` (the full
middleware stack, the session, the audit write) logged in as the demo nurse, over an
existing demo database (``ketaclinic demo --patients 1000``). The ceiling is ``bare.py``'s
application called the same way in a second process (its own settings), so the ratio of the
two is measured in one run. ``--profile`` adds a cProfile of the chart split by where the
time goes. Not a test: nothing asserts.

    KETACLINIC_DATABASE_URL=sqlite:///var/demo.sqlite3 PYTHONPATH=src \\
        .venv/bin/python -m benchmarks.web.chart_cpu --requests 200 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Where a chart request's CPU goes, by the first matching file path fragment of the function
#: that spends it (self time, so nothing is counted twice).
SPLIT = (
    ("SVG charts", ("svg_chart.py", "charts.py", "_chart.py", "trajectory", "vitals_chart")),
    ("database driver (sqlite3/psycopg)", ("sqlite3", "psycopg")),
    ("Django ORM and SQL compiler", ("django/db/",)),
    ("templates (Django template engine)", ("django/template/", "django/templatetags/")),
    ("URL reversing and resolving", ("django/urls/",)),
    ("middleware, sessions, auth", ("django/contrib/", "django/middleware/", "middleware")),
    ("audit", ("apps/audit/",)),
    ("Django core (handlers, http, utils)", ("django/",)),
    ("ketaclinic (views, templatetags, models)", ("ketaclinic/",)),
)


def _time_requests(get, count: int) -> list[float]:
    """CPU milliseconds of each of ``count`` calls of ``get`` after two warm-ups."""
    get()
    get()
    spent = []
    for _ in range(count):
        started = time.process_time()
        get()
        spent.append((time.process_time() - started) * 1000)
    return spent


def _split(profile: cProfile.Profile) -> list[tuple[str, float]]:
    stats = pstats.Stats(profile)
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, self_time, _ct, _callers) in stats.stats.items():
        where = "other (stdlib, builtins)"
        for label, fragments in SPLIT:
            if any(fragment in filename for fragment in fragments):
                where = label
                break
        totals[where] = totals.get(where, 0.0) + self_time
    whole = sum(totals.values())
    return sorted(((label, spent / whole) for label, spent in totals.items()), key=lambda r: -r[1])


def chart_cost(count: int, profile: bool) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    from ketaclinic.apps.accounts.models import User
    from ketaclinic.apps.patients.models import Patient

    nurse = User.objects.get(username="nurse")
    client = Client(HTTP_HOST="localhost")
    client.force_login(nurse)
    patient = Patient.objects.filter(site__in=nurse.sites.all()).order_by("pk").first()
    path = f"/patients/{patient.pk}/"

    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")

    queries = []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        get()
    spent = _time_requests(get, count)
    result = {
        "path": path,
        "ms": spent,
        "queries": len(queries),
        "bytes": len(client.get(path).content),
    }
    if profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(20):
            get()
        profiler.disable()
        result["split"] = _split(profiler)
        out = ROOT / "var" / "chart.prof"
        out.parent.mkdir(exist_ok=True)
        profiler.dump_stats(out)
        result["profile_file"] = str(out)
    return result


_CEILING = """
import json, sys, time
sys.path[:0] = [{root!r}]
from benchmarks.web import bare
from benchmarks.web.chart_cpu import _time_requests
from django.test import Client
from django.db import connection
client = Client()
with connection.cursor() as cursor:
    cursor.execute("SELECT min(id) FROM patients_patient")
    patient = cursor.fetchone()[0]
def get():
    if client.get(f"/bare/patients/{{patient}}").status_code != 200:
        raise RuntimeError("the ceiling did not answer 200")
print(json.dumps(_time_requests(get, {count})))
"""


def ceiling_cost(count: int) -> list[float]:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", _CEILING.format(root=str(ROOT), count=count)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    ceiling = ceiling_cost(args.requests * 10)
    chart = chart_cost(args.requests, args.profile)
    chart_ms, ceiling_ms = statistics.median(chart["ms"]), statistics.median(ceiling)
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"chart {chart['path']}: {chart['queries']} queries, {chart['bytes']:,} bytes")
    print("| request | CPU ms median | CPU ms min | ceiling / this |")
    print("|---|---|---|---|")
    print(f"| bare Django: one row (ceiling) | {ceiling_ms:.2f} | {min(ceiling):.2f} | 100% |")
    print(
        f"| patient chart (nurse, audited) | {chart_ms:.2f} | {min(chart['ms']):.2f} "
        f"| {ceiling_ms / chart_ms:.1%} |"
    )
    if "split" in chart:
        print("\n| where the chart's CPU goes (cProfile self time) | share |\n|---|---|")
        for label, share in chart["split"]:
            print(f"| {label} | {share:.0%} |")
        print(f"\nprofile: {chart['profile_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class _Split:
    """Exclusive CPU time by part of a request: each template by name, each inclusion tag's
    function, the SVG builders, the two context processors, the audit batch and chain pass.

    Timers (``process_time`` around the call, minus what nested timed parts spent) wrap the
    parts in place, so the split costs a few microseconds per part, unlike a profiler that
    inflates call-heavy code such as the template engine several times over."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._stack: list[float] = []

    def timed(self, label: str, function):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            self._stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                nested = self._stack.pop()
                spent = time.process_time() - started
                self.spent[label] = self.spent.get(label, 0.0) + spent - nested
                if self._stack:
                    self._stack[-1] += spent

        return wrapper

    def install(self) -> None:
        from django.template import base, engines, library

        from ketaclinic.apps.assessments.templatetags import assessments
        from ketaclinic.apps.audit import chaining, recorder
        from ketaclinic.apps.outcomes import patient

        template_render = base.Template.render
        split = self

        def render_template(template, context):
            label = f"template {template.name}"
            return split.timed(label, template_render)(template, context)

        base.Template.render = render_template
        tag_render = library.InclusionNode.render

        def render_tag(node, context):
            return split.timed(f"tag {node.func.__name__}", tag_render)(node, context)

        library.InclusionNode.render = render_tag
        assessments.trajectory_svg = self.timed("SVG trajectories", assessments.trajectory_svg)
        patient.charts = _Proxy(patient.charts, self)
        recorder.RequestBatch.flush = self.timed("audit batch insert", recorder.RequestBatch.flush)
        chaining.chain_after_commit = self.timed(
            "audit chain pass (the writer thread's, in gunicorn)", chaining.chain_after_commit
        )
        engine = engines["django"].engine
        engine.__dict__["template_context_processors"] = tuple(
            self.timed(f"context processor {processor.__name__}", processor)
            for processor in engine.template_context_processors
        )

    def rows(self, whole_ms: float, requests: int) -> list[tuple[str, float]]:
        per_request = {label: value * 1000 / requests for label, value in self.spent.items()}
        rows = sorted(per_request.items(), key=lambda row: -row[1])
        rows.append(
            (
                "the rest: middleware, session, view code, response",
                whole_ms - sum(per_request.values()),
            )
        )
        return rows


class _Proxy:
    """The outcomes chart module with its course chart timed."""

    def __init__(self, module, split: _Split) -> None:
        self._module = module
        self.trajectory_chart = split.timed("SVG outcome course chart", module.trajectory_chart)

    def __getattr__(self, name: str):
        return getattr(self._module, name)


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
        out = ROOT / "var" / "chart.prof"
        out.parent.mkdir(exist_ok=True)
        profiler.dump_stats(out)
        result["profile_file"] = str(out)
        split = _Split()
        split.install()
        started = time.process_time()
        for _ in range(count):
            get()
        whole_ms = (time.process_time() - started) * 1000 / count
        result["split"] = split.rows(whole_ms, count)
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
        print("\n| where a chart request's CPU goes (exclusive, timed in place) | ms | share |")
        print("|---|---|---|")
        whole = sum(spent for _label, spent in chart["split"])
        for label, spent in chart["split"]:
            print(f"| {label} | {spent:.2f} | {spent / whole:.0%} |")
        print(f"| whole request (timers on) | {whole:.2f} | 100% |")
        print(f"\ncProfile of 20 requests (CPU clock): {chart['profile_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

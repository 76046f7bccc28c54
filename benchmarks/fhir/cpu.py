"""Server CPU per request, in process: the API read and FHIR read and search vs the ceiling.

Requests per second on a shared 2-core machine move with everyone else's load; the CPU
time one process spends per request does not (much). This calls each WSGI application
directly in a loop (the REST API's patient read, ``api``; FHIR ``read`` and ``search``) —
the product's (every middleware, the session, audit on) and the ceiling's
(``benchmarks/web/bare.py``), each in its own process since each configures Django its own
way — and reports ``time.process_time()`` per request (all threads of the process, so the
audit writer's share is counted; ``request thread`` is the calling thread's own), the best
of a few rounds. ``--profile`` prints the product paths' cProfile instead.

    .venv/bin/python -m benchmarks.fhir.cpu --sqlite var/demo.sqlite3
    .venv/bin/python -m benchmarks.fhir.cpu --sqlite var/demo.sqlite3 --profile search
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PATHS = {
    "api": "/api/v1/patients/{patient}",
    "read": "/fhir/Patient/{patient}",
    "search": "/fhir/Observation?patient={patient}&_count=50",
}


def _environ(path: str, cookie: str) -> dict:
    route, _q, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT": "application/fhir+json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def _call(application, path: str, cookie: str) -> bytes:
    status: list[str] = []
    body = b"".join(
        application(_environ(path, cookie), lambda s, headers, exc=None: status.append(s))
    )
    if not status[0].startswith("200"):
        raise RuntimeError(f"{path}: {status[0]} {body[:200]!r}")
    return body


def cpu_ms_per_request(
    application, path: str, cookie: str, n: int, rounds: int
) -> tuple[float, float]:
    """The least process CPU per request over ``rounds`` loops of ``n`` calls (warm first),
    and the request thread's own share of that round (the rest is the audit writer's)."""
    for _ in range(max(5, n // 10)):
        _call(application, path, cookie)
    best, own = float("inf"), 0.0
    for _ in range(rounds):
        start, start_own = time.process_time(), time.thread_time()
        for _ in range(n):
            _call(application, path, cookie)
        total = (time.process_time() - start) / n * 1000
        if total < best:
            best, own = total, (time.thread_time() - start_own) / n * 1000
    return best, own


def _child(kind: str, n: int, rounds: int, profile: str | None) -> None:
    """Runs in a child process: ``kind`` is ``bare`` or ``product``; prints JSON."""
    login = json.loads(os.environ["KC_CPU_LOGIN"])
    if kind == "bare":
        from benchmarks.web.bare import application

        path = f"/bare/patients/{login['patient']}"
        print(json.dumps({"ceiling": cpu_ms_per_request(application, path, "", n, rounds)}))
        return
    import django

    django.setup()
    from ketaclinic.config.wsgi import application

    cookie = login["cookie"]
    if profile:
        import cProfile
        import pstats

        path = PATHS[profile].format(patient=login["patient"])
        for _ in range(20):
            _call(application, path, cookie)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            _call(application, path, cookie)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        print(json.dumps({}))
        return
    out = {
        name: cpu_ms_per_request(application, template.format(**login), cookie, n, rounds)
        for name, template in PATHS.items()
    }
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> int:
    from benchmarks.fhir.run import _LOGIN
    from benchmarks.web.run import _environment, log_in

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", type=Path, required=True, help="a seeded demo database")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=sorted(PATHS), help="cProfile one path instead")
    parser.add_argument("--child", choices=("bare", "product"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.requests, args.rounds, args.profile)
        return 0
    env = _environment(str(args.sqlite.resolve().parent), "sqlite")
    env["KETACLINIC_DATABASE_URL"] = f"sqlite:///{args.sqlite.resolve()}"
    env["KC_CPU_LOGIN"] = json.dumps(log_in(env, _LOGIN))
    results: dict[str, float] = {}
    kinds = ("product",) if args.profile else ("bare", "product")
    for kind in kinds:
        command = [sys.executable, "-m", "benchmarks.fhir.cpu", "--sqlite", str(args.sqlite)]
        command += ["--child", kind, "--requests", str(args.requests)]
        command += ["--rounds", str(args.rounds)]
        if args.profile:
            command += ["--profile", args.profile]
        done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE)
        results.update(json.loads(done.stdout.decode().strip().splitlines()[-1]))
    if args.profile:
        return 0
    ceiling = results["ceiling"][0]
    print(f"load average {os.getloadavg()[0]:.2f}; CPU ms per request (best of {args.rounds})")
    header = f"{'path':<8} {'CPU ms':>7} {'request thread':>15} {'x ceiling':>10}"
    print(f"{header} {'ceiling share':>14}")
    for name in ("ceiling", *PATHS):
        value, own = results[name]
        print(f"{name:<8} {value:7.3f} {own:15.3f} {value / ceiling:10.2f} {ceiling / value:14.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

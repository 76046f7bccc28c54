"""Workers benchmark: does throughput rise with gunicorn processes on PostgreSQL?

The proof there is no global lock on the request path (docs/scaling.md): the authenticated,
audited ``GET /api/v1/patients/<id>`` served by 1, 2 and 4 gunicorn processes (4 threads
each, the product's settings) against a scratch PostgreSQL database migrated and seeded with
a small demo clinic, driven by the same closed-loop clients; and, in the same run and at the
same process counts, the bare-Django ceiling (``benchmarks/web/bare.py``). Prints req/s, p95
and each count's throughput as a multiple of 1 process (target: 4 processes >= 1.7x of 1).
Not a test: nothing asserts.

    .venv/bin/python -m benchmarks workers
    .venv/bin/python benchmarks/workers/run.py --seconds 10 --pool-size 4
"""

from __future__ import annotations

import argparse
import sys
import tempfile

from benchmarks.web import run as web

BENCH_DATABASE = "bench_workers"
WORKER_COUNTS = (1, 2, 4)
TARGET = 1.7
WARM_UP_SECONDS = 5


def _environment(data_dir: str, pool_size: int | None) -> dict[str, str]:
    import psycopg

    with psycopg.connect(web.POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    env = web._environment(data_dir, "sqlite")  # paths and settings module; database below
    env["KETACLINIC_DATABASE_URL"] = web.POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{BENCH_DATABASE}"
    env.pop("KETACLINIC_DATABASE_POOL_SIZE", None)
    if pool_size:
        env["KETACLINIC_DATABASE_POOL_SIZE"] = str(pool_size)
    return env


def _measure(env, app: str, path: str, cookie: str, load: dict) -> dict[int, object]:
    from benchmarks.web.load import run_load

    results = {}
    for workers in WORKER_COUNTS:
        with web._gunicorn(env, app, workers) as port:
            # Warm-up: every process opens its connections and takes its first-request
            # costs (lazy imports, URL and schema caches); 1 s left 4 processes still cold.
            run_load(port, path, cookie=cookie, seconds=WARM_UP_SECONDS)
            results[workers] = run_load(port, path, cookie=cookie, **load)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--pool-size", type=int, default=None, help="KETACLINIC_DATABASE_POOL_SIZE for the product"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kc-workers-bench-") as data_dir:
        env = _environment(data_dir, args.pool_size)
        web.seed_demo(env, args.patients)
        login = web.log_in(env)
        cookie, patient = login["cookie"], login["patient"]
        load = {"clients": args.clients, "seconds": args.seconds}
        ceiling = _measure(
            env, "benchmarks.web.bare:application", f"/bare/patients/{patient}", "", load
        )
        product = _measure(
            env,
            "ketaclinic.config.wsgi:application",
            web.TARGETS[0][1].format(patient=patient),
            cookie,
            load,
        )
    pool = f"pool of {args.pool_size}" if args.pool_size else "persistent connections"
    print(
        f"\nPostgreSQL ({pool}), {args.patients:,} demo patients, {args.clients} clients, "
        f"gunicorn N processes x 4 threads, {args.seconds:g} s each"
    )
    rows = []
    for label, results in (
        ("API: one patient (audited)", product),
        ("bare Django: one row (ceiling)", ceiling),
    ):
        base = results[1].per_second or 1.0
        for workers, result in results.items():
            ratio = result.per_second / base
            verdict = ""
            if workers == max(WORKER_COUNTS) and label.startswith("API"):
                verdict = "met" if ratio >= TARGET else f"below {TARGET}x"
            rows.append(
                [
                    label,
                    str(workers),
                    f"{result.per_second:,.0f}",
                    f"{result.percentile(95):.1f}",
                    f"{ratio:.2f}x",
                    f"{result.per_second / ceiling[workers].per_second:.1%}"
                    if ceiling[workers].per_second
                    else "—",
                    verdict,
                    str(result.errors),
                ]
            )
    web._print_table(
        ["path", "processes", "req/s", "p95 ms", "x of 1", "of ceiling", "target", "errors"],
        rows,
    )
    from benchmarks.summary import record

    most = max(WORKER_COUNTS)
    ratio = product[most].per_second / (product[1].per_second or 1.0)
    bare_ratio = ceiling[most].per_second / (ceiling[1].per_second or 1.0)
    record(
        "workers",
        f"API read, {most} processes >= {TARGET}x of 1 (PostgreSQL)",
        f"{product[1].per_second:,.0f} -> {product[most].per_second:,.0f} req/s",
        f"bare Django {ceiling[1].per_second:,.0f} -> {ceiling[most].per_second:,.0f} req/s "
        f"({bare_ratio:.2f}x)",
        f"{ratio:.2f}x",
        ratio >= TARGET,
        gap=None
        if ratio >= TARGET
        else "2 cores: the ceiling itself reaches only "
        f"{bare_ratio:.2f}x at {most} processes; one product process already keeps a core "
        "busy (GIL-bound request threads) while PostgreSQL's backends take the other",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

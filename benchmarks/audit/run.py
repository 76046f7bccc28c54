"""Audit benchmark: what auditing a chart page costs, the old way and the new, same run.

    .venv/bin/python -m benchmarks audit                 # PostgreSQL (recreates a database)
    .venv/bin/python benchmarks/audit/run.py --sqlite    # a temporary SQLite file
    .venv/bin/python benchmarks/audit/run.py --pages 300 --threads 1 4

A chart page records three events. Both ways write the same three rows:

- *locked* (before): each event in its own durable transaction under the chain head's row
  lock (``SELECT ... FOR UPDATE``, SHA-256, INSERT, head UPDATE, COMMIT) — three times;
- *batched* (now): one INSERT of the three unchained events, then the chain pass after the
  commit (advisory lock on PostgreSQL — a busy chainer is skipped — HMAC, UPDATE).

Pages per second with 1 and N threads (each its own connection, the way gunicorn's processes
each hold one), and the ratio. The locked way cannot gain from threads: every event of every
page queues on one row. A page whose write times out on SQLite's lock (5 s) counts as failed.
Not a test: nothing here is timed in CI.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "ketaclinic_bench_audit"
EVENTS_PER_PAGE = 3


def _setup_django(sqlite: bool) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    work = Path(tempfile.mkdtemp(prefix="ketaclinic-bench-audit-"))
    if sqlite:
        os.environ["KETACLINIC_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        os.environ["KETACLINIC_DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    os.environ["KETACLINIC_DATA_DIR"] = str(work)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ketaclinic.config.settings"
    import django

    django.setup()
    return os.environ["KETACLINIC_DATABASE_URL"]


def _events(page: int):
    from ketaclinic.apps.audit.models import AuditEvent
    from ketaclinic.apps.web import clock

    return [
        AuditEvent(
            occurred_at=clock.now(),
            actor_username="bench",
            action="view",
            object_type=kind,
            object_id=str(page),
            request_id=f"bench{page:012d}",
            path=f"/patients/{page}/",
            detail={"page": page},
        )
        for kind in ("patient", "assessment_trajectory", "course_outcome")
    ]


def locked_page(page: int) -> None:
    """The old append: a durable transaction and the head's row lock per event."""
    from django.db import transaction

    from ketaclinic.apps.audit.hashchain import GENESIS_HASH, canonical_bytes
    from ketaclinic.apps.audit.models import AuditEvent, ChainHead

    for event in _events(page):
        with transaction.atomic(durable=True):
            head, _ = ChainHead.objects.select_for_update().get_or_create(
                name="bench-locked", defaults={"position": 0, "last_hash": GENESIS_HASH}
            )
            digest = hashlib.sha256(
                head.last_hash.encode() + b"\n" + canonical_bytes({"page": page})
            ).hexdigest()
            AuditEvent.objects.bulk_create([event])
            head.position += 1
            head.last_hash = digest
            head.save(update_fields=["position", "last_hash"])


def batched_page(page: int) -> None:
    """The new append: the request's batch, one INSERT; the chain pass after the commit."""
    from ketaclinic.apps.audit.recorder import insert_unchained

    insert_unchained(_events(page))


def _run(way, pages: int, threads: int) -> tuple[float, int]:
    """Pages per second that went through, and how many failed (SQLite's lock timeout)."""
    from django.db import OperationalError, connections

    per_thread = pages // threads
    failed: list[int] = []

    def work(offset: int) -> None:
        try:
            for page in range(offset, offset + per_thread):
                try:
                    way(page)
                except OperationalError:
                    failed.append(page)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n * per_thread,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return (per_thread * threads - len(failed)) / elapsed, len(failed)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args(argv)
    url = _setup_django(args.sqlite)
    from django.core.management import call_command

    from ketaclinic.apps.audit.chaining import chain_pending
    from ketaclinic.apps.audit.models import AuditEvent
    from ketaclinic.apps.audit.verification import verify_audit_chain

    call_command("migrate", verbosity=0)
    print(f"{url.split('://')[0]}, {args.pages} chart pages of {EVENTS_PER_PAGE} events each")
    print(
        f"{'threads':>7} | {'locked pages/s':>14} | {'failed':>6} | {'batched pages/s':>15} | "
        f"{'failed':>6} | {'ratio':>6}"
    )
    for threads in args.threads:
        _run(batched_page, 20, 1)  # warm connections and caches
        locked, locked_failed = _run(locked_page, args.pages, threads)
        chain_pending()  # the locked run's rows, so the batched run chains only its own
        batched, batched_failed = _run(batched_page, args.pages, threads)
        print(
            f"{threads:>7} | {locked:>14.0f} | {locked_failed:>6} | {batched:>15.0f} | "
            f"{batched_failed:>6} | {batched / locked:>5.1f}×"
        )
    left = chain_pending().chained
    report = verify_audit_chain(grace_seconds=86_400)
    print(
        f"{AuditEvent.objects.count()} events; {left} left for the final chain pass; "
        f"{report.summary()}"
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

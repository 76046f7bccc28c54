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

Then verification (issue 18): a trail of synthetic chained events is seeded straight into the
table (MACs computed here, rows inserted in chunks) to 10,000 and 1,000,000 events
(``--verify-sizes``). At each size: ``audit verify --since-checkpoint`` over one day's events
(``--day-events``, 5,000 by default) after the checkpoint where the day began, and — up to
``--full-max`` events — the full verify against chained HMAC-SHA256 over the same canonical
bytes (its floor). Times are the best of three, wall clock and process CPU.
Not a test: nothing here is timed in CI.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "ketaclinic_bench_audit"
EVENTS_PER_PAGE = 3


def _setup_django(sqlite: bool, database: str = DATABASE) -> str:
    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root / "src"), str(root)]  # ketaclinic, and benchmarks.summary
    work = Path(tempfile.mkdtemp(prefix="ketaclinic-bench-audit-"))
    if sqlite:
        os.environ["KETACLINIC_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        os.environ["KETACLINIC_DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"
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
    parser.add_argument(
        "--verify-sizes", type=int, nargs="*", default=[10_000, 1_000_000], metavar="EVENTS"
    )
    parser.add_argument("--day-events", type=int, default=5_000, help="one day's events")
    parser.add_argument("--full-max", type=int, default=100_000, help="largest full verify")
    parser.add_argument("--skip-pages", action="store_true", help="only the verification")
    parser.add_argument("--database", default=DATABASE, help="the PostgreSQL database to recreate")
    args = parser.parse_args(argv)
    url = _setup_django(args.sqlite, args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    vendor = url.split("://")[0]
    status = 0 if args.skip_pages else _pages(args, vendor)
    if args.verify_sizes:
        status |= _verification(args.verify_sizes, args.day_events, args.full_max, vendor)
    return status


def _pages(args: argparse.Namespace, vendor: str) -> int:
    from benchmarks.summary import record
    from ketaclinic.apps.audit.chaining import chain_pending
    from ketaclinic.apps.audit.models import AuditEvent
    from ketaclinic.apps.audit.verification import verify_audit_chain

    print(f"{vendor}, {args.pages} chart pages of {EVENTS_PER_PAGE} events each")
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
        record(
            "audit",
            f"chart page's 3 audit events, batched ({threads} thread(s), {vendor})",
            f"{batched:.0f} pages/s ({batched_failed} failed)",
            f"locked append {locked:.0f} pages/s ({locked_failed} failed)",
            f"{batched / locked:.1f}x",
            None,
        )
    left = chain_pending().chained
    report = verify_audit_chain(grace_seconds=86_400)
    print(
        f"{AuditEvent.objects.count()} events; {left} left for the final chain pass; "
        f"{report.summary()}"
    )
    return 0 if report.ok else 1


# --- verification at scale ----------------------------------------------------------------

SEED_CHUNK = 10_000
SEED_START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _seed(upto: int, day_events: int) -> None:
    """Chain synthetic events on to position ``upto``, as the chainer would have: each row's
    MAC is ``event_mac`` over exactly the fields the verifier reads back (one day holds
    ``day_events`` events, evenly spaced)."""
    from django.db import connection, transaction

    from ketaclinic.apps.audit.chaining import audit_key
    from ketaclinic.apps.audit.keyedchain import GENESIS_MAC, event_mac, key_id
    from ketaclinic.apps.audit.models import AuditEvent

    key = audit_key()
    made_by = key_id(key)
    head = (
        AuditEvent.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", "mac")
        .first()
    )
    position, mac = head if head else (0, GENESIS_MAC)
    spacing = dt.timedelta(seconds=86_400 / day_events)
    table = AuditEvent._meta.db_table
    columns = (
        "position", "occurred_at", "actor_username", "action", "object_type", "object_id",
        "outcome", "request_id", "client_address", "path", "detail", "mac", "key_id",
    )  # fmt: skip
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608  # nosec B608 - constants
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    adapt = connection.ops.adapt_datetimefield_value
    while position < upto:
        rows = []
        for _ in range(min(SEED_CHUNK, upto - position)):
            position += 1
            when = SEED_START + spacing * position
            fields = {
                "position": position,
                "occurred_at": when.isoformat(),
                "actor_id": None,
                "actor_username": "bench",
                "site_id": None,
                "patient_id": None,
                "action": "view",
                "object_type": "patient",
                "object_id": str(position % 997),
                "outcome": "success",
                "request_id": f"bench{position:012d}",
                "client_address": "10.0.0.1",
                "path": f"/patients/{position % 997}/",
                "detail": {"page": position},
            }
            mac = event_mac(key, mac, fields)
            rows.append(
                (
                    position, adapt(when), "bench", "view", "patient", fields["object_id"],
                    "success", fields["request_id"], "10.0.0.1", fields["path"],
                    json.dumps(fields["detail"]), mac, made_by,
                )
            )  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _timed(function) -> tuple[float, float]:
    """(best wall seconds, process CPU seconds of that run) over three runs."""
    best = (float("inf"), 0.0)
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def _hmac_floor(after: int) -> float:
    """HMAC-SHA256 chained over the same canonical bytes the full verify hashes (prebuilt)."""
    import hmac

    from ketaclinic.apps.audit.chaining import audit_key
    from ketaclinic.apps.audit.hashchain import canonical_bytes
    from ketaclinic.apps.audit.keyedchain import GENESIS_MAC
    from ketaclinic.apps.audit.models import CHAINED_COLUMNS, AuditEvent, chained_fields_of

    key = audit_key()
    rows = AuditEvent.objects.filter(position__gt=after).order_by("position")
    blobs = [
        canonical_bytes(chained_fields_of(dict(zip(CHAINED_COLUMNS, row, strict=True))))
        for row in rows.values_list(*CHAINED_COLUMNS).iterator(chunk_size=5000)
    ]

    def chain() -> None:
        previous = GENESIS_MAC
        for blob in blobs:
            previous = hmac.new(key, previous.encode() + b"\n" + blob, "sha256").hexdigest()

    return _timed(chain)[1]


def _verification(sizes: list[int], day_events: int, full_max: int, vendor: str) -> int:
    from benchmarks.summary import record
    from ketaclinic.apps.audit.models import VerifiedAuditCheckpoint
    from ketaclinic.apps.audit.verification import (
        _record_verified_checkpoint,
        verify_audit_chain,
        verify_audit_chain_since_checkpoint,
    )

    print(f"\n## audit verify at scale ({vendor}; one day = {day_events:,} events)\n")
    print(
        "| events | seed | full verify (CPU) | HMAC floor, same bytes (CPU) | ratio "
        "| incremental: one day (wall / CPU) | target < 1 s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    status = 0
    for size in sorted(sizes):
        started = time.perf_counter()
        _seed(size - day_events, day_events)
        seeded = time.perf_counter() - started
        start = size - day_events
        full_cells = ["-", "-", "-"]
        if size <= full_max:
            report = verify_audit_chain(record=True)  # the day begins at a verified checkpoint
            if not report.ok:
                print(f"broken seed: {report.summary()}")
                return 1
            _seed(size, day_events)
            full_wall, full_cpu = _timed(verify_audit_chain)
            floor = _hmac_floor(0)
            full_cells = [f"{full_wall:.2f} s ({full_cpu:.2f} s)", f"{floor:.3f} s",
                          f"{full_cpu / floor:.0f}x"]  # fmt: skip
            record(
                "audit",
                f"full `audit verify` vs HMAC-SHA256 over the same bytes ({size:,}, {vendor})",
                f"{full_cpu:.2f} s CPU ({full_wall:.2f} s wall)",
                f"HMAC chained {floor:.3f} s CPU",
                f"{full_cpu / floor:.0f}x",
                None,
            )
        else:
            # Too slow to run in full by default: the checkpoint where the day begins is
            # signed at the MAC the seeding computed (the full run at this size proves
            # nothing more about incremental cost).
            from ketaclinic.apps.audit.models import AuditEvent

            mac = AuditEvent.objects.get(position=start).mac
            _record_verified_checkpoint(start, mac, full=True)
            _seed(size, day_events)
        seeded = time.perf_counter() - started

        def incremental(start: int = start) -> None:
            VerifiedAuditCheckpoint.objects.filter(position__gt=start).delete()
            report = verify_audit_chain_since_checkpoint()
            if not report.ok or report.checked != day_events + 1:
                raise RuntimeError(f"a benchmark of a broken trail is void: {report.summary()}")

        wall, cpu = _timed(incremental)
        met = wall < 1
        print(
            f"| {size:,} | {seeded:.0f} s | {' | '.join(full_cells)} "
            f"| {wall * 1000:.0f} ms / {cpu * 1000:.0f} ms | {'yes' if met else 'NO'} |"
        )
        record(
            "audit",
            f"incremental `audit verify --since-checkpoint`, one day < 1 s ({size:,} events, "
            f"{vendor})",
            f"{wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU ({day_events:,} events)",
            full_cells[0] if size <= full_max else "full verify not run at this size",
            f"{wall:.2f} of the 1 s budget",
            met,
            gap="per-event ORM row + json.dumps + HMAC; see benchmarks/audit --profile",
        )
        sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Seeding more patients costs more rows, not more statements per patient.

Every generator writes in batches (``bulk_create``, or ``bulk_write.insert_rows`` with one
``executemany`` per 5,000 rows), so doubling the patients adds statements only where a
table's rows spill into another batch. About twenty tables are written in batches; at these
sizes none needs more than three further batches for 200 more patients (patients go 76 to a
statement on SQLite, so 200 more take three), which gives the bound below. The reminders
the demo raises one at a time (REMS forms due) depend on the last few weeks of sessions,
which the clinic's chairs limit, not on how many patients it has. A statement per patient
would add 200; per course about 140; per esketamine session about 90.
"""

from __future__ import annotations

import re
from collections import Counter

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ketaclinic.apps.demo.seeding import seed_demo_clinic

BATCHED_TABLES = 20
EXTRA_BATCHES_PER_TABLE = 3
BOUND = BATCHED_TABLES * EXTRA_BATCHES_PER_TABLE + 20  # + reminders raised one by one


def _statements(patient_count: int) -> Counter:
    """Statements by kind and table for one seeding, rolled back afterwards."""
    kinds: Counter = Counter()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            seed_demo_clinic(patient_count=patient_count, seed=5)
        transaction.set_rollback(True)
    for query in queries.captured_queries:
        sql = query["sql"]
        if "SAVEPOINT" in sql:
            kinds["savepoint"] += 1
            continue
        match = re.search(r'(INSERT|UPDATE|DELETE|SELECT).*?(?:INTO|FROM|UPDATE)\s+"?(\w+)', sql)
        kinds[f"{match.group(1)} {match.group(2)}" if match else sql[:30]] += 1
    return kinds


def test_twice_the_patients_adds_only_a_few_batches_of_statements(db, fixed_clock):
    small, large = _statements(200), _statements(400)
    grown = {k: large[k] - small[k] for k in large | small if large[k] != small[k]}
    extra = sum(large.values()) - sum(small.values())
    assert 0 < extra <= BOUND, sorted(grown.items(), key=lambda item: -abs(item[1]))

"""Ledger benchmark: write a two-year ledger through the real operations, then time what an
inspector and the nightly check need — ``verify_ledger``, the full CSV export, the dashboard.

Not a test: nothing asserts. A fresh database in a temporary directory (SQLite) unless
``KETACLINIC_DATABASE_URL`` points at a PostgreSQL server you are happy to fill.

    .venv/bin/python benchmarks/ledger/run.py            # 2,000 doses
    .venv/bin/python benchmarks/ledger/run.py --doses 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from decimal import Decimal


def _setup(data_dir: str) -> None:
    os.environ.setdefault("KETACLINIC_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doses", type=int, default=2000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kc-ledger-bench-") as data_dir:
        _setup(data_dir)
        _run(args.doses)
    return 0


def _run(doses: int) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from ketaclinic.apps.accounts.models import Organisation, Site, User
    from ketaclinic.apps.ledger.balances import ledger_tasks, stock_by_product
    from ketaclinic.apps.ledger.choices import Drug, Measure, ProductForm
    from ketaclinic.apps.ledger.exporting import csv_lines, entry_rows, filtered_entries
    from ketaclinic.apps.ledger.models import Container, Product
    from ketaclinic.apps.ledger.operations import receive_stock, record_administration
    from ketaclinic.apps.ledger.verification import verify_ledger
    from ketaclinic.apps.patients.models import Patient
    from ketaclinic.apps.web import clock

    organisation = Organisation.objects.create(name="Bench")
    site = Site.objects.create(organisation=organisation, name="Bench", slug="bench")
    nurse = User.objects.create(username="nurse")
    nurse.sites.add(site)
    patients = [
        Patient.objects.create(
            site=site,
            mrn=f"B{i:06d}",
            given_name="P",
            family_name=f"Bench{i}",
            date_of_birth=dt.date(1980, 1, 1),
            sex_at_birth="female",
        )
        for i in range(200)
    ]
    product = Product.objects.create(
        name="Ketamine HCl 10 mg/mL, 20 mL",
        ndc="0409-2051-05",
        drug=Drug.KETAMINE_HCL,
        form=ProductForm.SOLUTION,
        strength_mg=Decimal("10"),
        measure=Measure.MICROLITRE,
        package_quantity=20000,
    )
    vials_needed = doses // 5 + 1  # five 3.5 mL doses per 20 mL vial
    start = dt.datetime(2024, 3, 1, 14, 0, tzinfo=dt.UTC)
    clock.install(clock.FixedClock(start + dt.timedelta(days=730)))
    began = time.perf_counter()
    batch = 0
    while vials_needed > 0:
        batch += 1
        receive_stock(
            site=site,
            product=product,
            lot_number=f"BENCH{batch}",
            expires_on=dt.date(2030, 1, 31),
            containers=min(500, vials_needed),
            supplier_name="S",
            supplier_address="A",
            supplier_dea="RS1234563",
            invoice="I",
            user=nurse,
        )
        vials_needed -= 500
    containers = list(Container.objects.filter(site=site).order_by("pk"))
    index = 0
    write_began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        record_administration(
            container=containers[0],
            patient=patients[0],
            volume_drawn_ml="3.5",
            volume_given_ml="3.5",
            user=nurse,
        )
    per_dose_queries = len(queries)
    for n in range(1, doses):
        container = containers[index]
        container.refresh_from_db(fields=["on_hand"])
        if container.on_hand < 3500:
            index += 1
            container = containers[index]
        record_administration(
            container=container,
            patient=patients[n % len(patients)],
            volume_drawn_ml="3.5",
            volume_given_ml="3.5",
            user=nurse,
            occurred_at=start + dt.timedelta(minutes=50 * n),
        )
        reset_queries()
    write_seconds = time.perf_counter() - write_began
    setup_seconds = write_began - began

    timings = []
    t = time.perf_counter()
    report = verify_ledger()
    timings.append(("verify_ledger (chain + balances)", time.perf_counter() - t))
    t = time.perf_counter()
    size = sum(len(line) for line in csv_lines(entry_rows(filtered_entries([site.pk]))))
    timings.append(("full CSV export", time.perf_counter() - t))
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as dashboard_queries:
        stock_by_product(site.pk, dt.date(2026, 3, 1))
        ledger_tasks(site.pk, dt.date(2026, 3, 1))
    timings.append(("dashboard numbers", time.perf_counter() - t))

    # The floor any verification stands on: SHA-256 over the same canonical bytes, chained.
    from ketaclinic.apps.audit.hashchain import GENESIS_HASH, canonical_bytes
    from ketaclinic.apps.ledger.models import LedgerEntry

    blobs = [canonical_bytes(e.chained_fields()) for e in LedgerEntry.objects.order_by("pk")]
    t = time.perf_counter()
    previous = GENESIS_HASH
    for blob in blobs:
        previous = hashlib.sha256(previous.encode() + b"\n" + blob).hexdigest()
    hashlib_seconds = time.perf_counter() - t
    verify_seconds = timings[0][1]

    engine = connection.vendor
    print(f"database: {engine}; entries: {report.entries_checked:,}; ok: {report.ok}")
    print(f"receipts ({len(containers)} vials): {setup_seconds:.2f} s")
    print(
        f"{doses:,} administrations through record_administration: {write_seconds:.1f} s "
        f"({doses / write_seconds:,.0f}/s; {per_dose_queries} queries each)"
    )
    for label, seconds in timings:
        print(f"{label}: {seconds:.2f} s")
    print(
        f"hashlib sha256 over the same {len(blobs):,} canonical records: {hashlib_seconds:.3f} s; "
        f"verify_ledger / hashlib = {verify_seconds / hashlib_seconds:.0f}x (target <= 10x)"
    )
    print(f"CSV size: {size / 1e6:.1f} MB; dashboard queries: {len(dashboard_queries)}")


if __name__ == "__main__":
    sys.exit(main())

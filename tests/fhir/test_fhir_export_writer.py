"""The Bulk Data writer's fast path writes, byte for byte, what a REST read of the same
resource returns, for every resource type the demo clinic produces, and what the standard
library's JSON encoder (the writer's encoder before orjson) wrote.

The writer reads the largest tables as tuples, converts dates itself and encodes with
orjson; a read goes through the same sources one row at a time. Any drift between the two
(a column left out, a date converted differently, a float printed another way) fails here.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import orjson
import pytest
from django.contrib.auth.models import Group

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.fhir import bulk
from ketaclinic.fhir.choices import ExportLevel
from ketaclinic.fhir.elements import as_number, instant
from ketaclinic.fhir.models import ExportJob
from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.responses import dumps_bytes
from ketaclinic.fhir.searching import read_resource
from ketaclinic.fhir.sources import sqlite_instant_text


def _stdlib(line: bytes) -> bytes:
    value = json.loads(line)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def test_every_exported_line_is_the_read_of_that_resource_byte_for_byte(db, fixed_clock, tmp_path):
    seed_demo_clinic(patient_count=12, seed=16)
    reader = User.objects.create(username="fhir-export-reader")
    reader.groups.set(Group.objects.filter(name__in=Role.values))
    reader.sites.set(Site.objects.all())
    job = ExportJob(requested_by=reader, level=ExportLevel.SYSTEM)  # not saved, as the bench
    written: dict[str, int] = {}
    for type_name in bulk.export_types(ExportLevel.SYSTEM):
        entry = bulk._write_type(job, type_name, tmp_path, None)
        lines = (tmp_path / entry["file"]).read_bytes().splitlines(keepends=True)
        assert len(lines) == entry["count"]
        written[type_name] = len(lines)
        for line in lines:
            resource_id = orjson.loads(line)["id"]
            found = read_resource(reader, type_name, resource_id)
            assert found is not None, f"{type_name}/{resource_id} exported but not readable"
            assert dumps_bytes(found[0]) + b"\n" == line, f"{type_name}/{resource_id}"
            assert _stdlib(line) == line, f"{type_name}/{resource_id}: not the stdlib's bytes"
    assert set(written) == set(RESOURCE_TYPES)
    assert all(written.values()), written


@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_orjson_prints_every_stored_decimal_as_the_standard_library_does(places):
    """Stored quantities have at most three decimal places (the models' ``decimal_places``);
    over that range both encoders print the same digits."""
    step = Decimal(1).scaleb(-places)
    samples = [step * n for n in (1, 3, 7, 10, 99, 101, 999, 12345, 99999, 1234567)]
    samples += [Decimal("0.001"), Decimal("0.125"), Decimal("72.5"), Decimal("1.1")]
    for value in samples:
        number = as_number(value)
        assert orjson.dumps(number) == json.dumps(number).encode(), value


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 10, 14, 0, 5, 250000, tzinfo=dt.UTC),
        dt.datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 7, 1, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
)
def test_sqlites_text_of_an_instant_reads_as_the_isoformat_of_the_aware_value(moment):
    """SQLite keeps Django's ``str`` of the naive UTC value; the export prints that text as
    the FHIR instant a read prints from the datetime (``elements.instant``)."""
    stored = str(moment.astimezone(dt.UTC).replace(tzinfo=None))
    assert sqlite_instant_text(stored) == instant(moment.astimezone(dt.UTC))
    assert sqlite_instant_text(stored.replace(" ", "T")) == instant(moment.astimezone(dt.UTC))
    assert sqlite_instant_text(None) is None

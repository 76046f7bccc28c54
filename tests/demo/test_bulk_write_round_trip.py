"""``bulk_write`` stores exactly what the ORM stores, on either database (PostgreSQL by COPY).

COPY's text format has its own escapes (tab between columns, newline between rows, a
backslash escape, ``\\N`` for NULL): a value containing any of them must come back as it
went in, as must NULLs, dates, decimals, bytes and JSON. Each case writes one row through
the ORM and its twin through ``bulk_write``, then compares every column read back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.charting.models import RemsRecord
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.treatment.models import Screening, Session
from ketaclinic.apps.web.bulk_write import insert_objects, insert_rows, update_rows

TRICKY = "tab\there\nnew line\r\nback\\slash \\N \\t \\\\ \"quoted\" 'single' é ✓ 日本\x01end"
JSON_VALUE = {
    "note": TRICKY,
    "missing": None,
    "list": [1, 2.5, "a\tb", {"nested": "c\\nd"}],
    "flag": False,
    "empty": "",
}
MOMENT = dt.datetime(2026, 3, 10, 9, 30, 15, 250000, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def demo(db, fixed_clock):
    seed_demo_clinic(patient_count=8, seed=2)
    return (
        list(Session.objects.filter(rems_record__isnull=True).order_by("id")[:4]),
        User.objects.get(username="nurse"),
    )


def _form(session: Session, nurse: User, **changes) -> RemsRecord:
    values = {
        "session": session,
        "dose_mg": Decimal("84.0"),
        "lot": "LOT\t7",
        "monitoring_minutes": 125,
        "bp_before_systolic": 128,
        "bp_before_diastolic": 80,
        "bp_40min_systolic": None,
        "sedation": True,
        "dissociation": False,
        "respiratory_status": "normal",
        "concomitant_medications": TRICKY,
        "adverse_events": "",
        "patient_first_name": "Zoë",
        "patient_birth_date": dt.date(1961, 2, 28),
        "first_treatment": None,
        "benzodiazepines": True,
        "document_pdf": b"%PDF\x00\x01\\\t\n\xff",
        "next_attempt_at": None,
        "sent_at": MOMENT,
        "prepared_by": nurse,
        "prepared_at": MOMENT.astimezone(dt.UTC),
    }
    values.update(changes)
    return RemsRecord(**values)


def _stored(record_id: int) -> dict:
    row = RemsRecord.objects.filter(pk=record_id).values().get()
    row.pop("id"), row.pop("session_id")
    if row["document_pdf"] is not None:
        row["document_pdf"] = bytes(row["document_pdf"])  # memoryview on PostgreSQL
    return row


def test_rows_written_in_bulk_read_back_exactly_as_the_orm_writes_them(demo):
    (first, second, *_), nurse = demo
    by_orm = _form(first, nurse)
    by_orm.save()
    in_bulk = _form(second, nurse)
    insert_objects(RemsRecord, [in_bulk])
    assert _stored(in_bulk.pk) == _stored(by_orm.pk)
    stored = _stored(in_bulk.pk)
    assert stored["concomitant_medications"] == TRICKY
    assert stored["lot"] == "LOT\t7"
    assert stored["dose_mg"] == Decimal("84.0")
    assert stored["patient_birth_date"] == dt.date(1961, 2, 28)
    assert stored["sent_at"] == MOMENT
    assert stored["document_pdf"] == b"%PDF\x00\x01\\\t\n\xff"
    assert stored["bp_40min_systolic"] is None
    assert stored["first_treatment"] is None
    assert stored["status"] == "prepared"  # a column left out takes the field's default


def test_json_values_and_nulls_in_bulk_read_back_as_given(demo):
    (session, *_), nurse = demo
    model = Screening.objects.filter(patient_id=session.patient_id).first()
    assert model is not None
    names = ("patient", "site", "inputs", "route", "setting", "rules_version", "parameters",
             "decision", "findings", "screened_by", "screened_at", "signed_by", "signed_at",
             "signoff_decision", "signoff_reasons", "signoff_note")  # fmt: skip
    row = (model.patient_id, model.site_id, JSON_VALUE, model.route, model.setting,
           model.rules_version, [TRICKY, None], model.decision, [], nurse.pk, MOMENT, None,
           None, "", {}, TRICKY)  # fmt: skip
    before = set(Screening.objects.values_list("id", flat=True))
    assert insert_rows(Screening, names, [row, row]) == 2
    written = Screening.objects.exclude(id__in=before)
    for screening in written:
        assert screening.inputs == JSON_VALUE
        assert screening.parameters == [TRICKY, None]
        assert (screening.findings, screening.signoff_reasons) == ([], {})
        assert screening.signed_at is None
        assert screening.signed_by_id is None
        assert screening.signoff_note == TRICKY
        assert screening.screened_at == MOMENT
    assert written.count() == 2


def test_update_rows_sets_only_the_named_fields_as_a_save_would(demo):
    (first, second, third, _), nurse = demo
    records = [_form(s, nurse) for s in (first, second, third)]
    for record in records:
        record.save()
    changes = {
        "adverse_events": TRICKY,
        "patient_birth_date": dt.date(2000, 1, 1),
        "sent_at": None,
        "benzodiazepines": None,
        "dose_mg": Decimal("56.0"),
        "next_attempt_at": MOMENT,
    }
    by_orm = records[0]
    for name, value in changes.items():
        setattr(by_orm, name, value)
    by_orm.save()
    names = list(changes)
    count = update_rows(RemsRecord, names, [[records[1].pk, *changes.values()]])
    assert count == 1
    assert _stored(records[1].pk) == _stored(by_orm.pk)
    untouched = _stored(records[2].pk)
    assert untouched["adverse_events"] == ""
    assert untouched["sent_at"] == MOMENT
    assert update_rows(RemsRecord, names, []) == 0


def test_update_rows_refuses_to_set_the_primary_key_or_nothing(demo):
    with pytest.raises(ValueError, match=r"charting\.RemsRecord: name the fields to set"):
        update_rows(RemsRecord, ["id", "lot"], [])
    with pytest.raises(ValueError, match="name the fields to set"):
        update_rows(RemsRecord, [], [])

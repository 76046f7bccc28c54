"""The demo's plain-row writer stores what the ORM would have stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.charting.models import RescueMedication, ScaleEntry, VitalSign
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web.bulk_write import insert_objects, insert_rows, reserve_ids


@pytest.fixture
def session(db, fixed_clock):
    seed_demo_clinic(patient_count=8, seed=2)
    return Session.objects.order_by("id").first()


def test_rows_read_back_exactly_as_the_orm_writes_them(session):
    nurse = User.objects.get(username="nurse")
    VitalSign.objects.all().delete()
    ScaleEntry.objects.filter(session=session).delete()
    RescueMedication.objects.all().delete()
    moments = [
        dt.datetime(2026, 3, 10, 9, 30, 15, 250000, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 10, 9, 30, tzinfo=ZoneInfo("America/Chicago")),
    ]
    shared = {"item1": 5}
    for moment in moments:
        VitalSign.objects.create(
            session=session, taken_at=moment, bp_systolic=120, bp_diastolic=80, heart_rate=70,
            spo2=97, entered_by=nurse, entered_at=moment,
        )  # fmt: skip
    insert_rows(
        VitalSign,
        ("session", "taken_at", "bp_systolic", "bp_diastolic", "heart_rate", "spo2",
         "entered_by", "entered_at"),
        [(session.pk, m, 120, 80, 70, 97, nurse.pk, m) for m in moments],
    )  # fmt: skip
    rows = list(
        VitalSign.objects.order_by("id").values_list("taken_at", "entered_at", "respiratory_rate")
    )
    assert rows[:2] == rows[2:]
    assert rows[2][0] == moments[0]
    assert rows[3][0] == moments[1]
    insert_rows(
        ScaleEntry,
        ("session", "scale", "taken_at", "answers", "total", "entered_by"),
        [(session.pk, "moaas", moments[0], shared, 5, nurse.pk)] * 3,
    )
    stored = ScaleEntry.objects.filter(session=session).values_list("answers", flat=True)
    assert list(stored) == [shared] * 3
    insert_objects(
        RescueMedication,
        [
            RescueMedication(
                session=session, drug="Ondansetron", dose_mg=Decimal("4.000"), route="iv",
                given_at=moments[1], given_by=nurse,
            )
        ],
    )  # fmt: skip
    given = RescueMedication.objects.get()
    assert (given.dose_mg, given.given_at) == (Decimal("4.000"), moments[1])


def test_reserved_keys_are_new_and_the_table_carries_on_after_them(session):
    keys = reserve_ids(Session, 3)
    assert len(set(keys)) == 3
    assert min(keys) > Session.objects.order_by("-id").first().pk
    assert reserve_ids(Session, 0) == []
    assert not Session.objects.filter(pk__in=keys).exists()


def test_a_column_set_on_save_must_be_given(session):
    from ketaclinic.apps.patients.models import Patient

    with pytest.raises(ValueError, match="created_at is set on save"):
        insert_rows(Patient, ("site", "mrn"), [])


def _foreign_keys() -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


VITAL_COLUMNS = ("session", "taken_at", "bp_systolic", "bp_diastolic", "heart_rate", "spo2",
                 "entered_by", "entered_at")  # fmt: skip


def _load_vitals(rows: list[tuple]) -> list[tuple]:
    """``rows`` loaded as the demo loads them; returns the foreign keys there were meanwhile."""
    from django.db import transaction

    from ketaclinic.apps.web.bulk_write import foreign_keys_checked_at_end

    with transaction.atomic(), foreign_keys_checked_at_end():
        meanwhile = _foreign_keys()
        insert_rows(VitalSign, VITAL_COLUMNS, rows)
    return meanwhile


def test_foreign_keys_dropped_for_a_load_come_back_the_same_and_catch_an_orphan(session):
    from django.db import IntegrityError, connection

    if connection.vendor != "postgresql":
        pytest.skip("keys dropped for a load: PostgreSQL only (elsewhere the block does nothing)")
    before = _foreign_keys()
    nurse = User.objects.get(username="nurse")
    moment = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)
    orphan = Session.objects.order_by("-id").first().pk + 1000
    # The small seed's rows still have their checks queued: the keys of those tables cannot
    # be dropped, so they all stay for the block.
    assert _load_vitals([]) == before
    with connection.cursor() as cursor:  # the queued checks run now (as a commit runs them)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(IntegrityError):
        _load_vitals([(orphan, moment, 120, 80, 70, 97, nurse.pk, moment)])
    assert _foreign_keys() == before
    assert not VitalSign.objects.filter(session_id=orphan).exists()
    assert _load_vitals([(session.pk, moment, 120, 80, 70, 97, nurse.pk, moment)]) == []
    assert _foreign_keys() == before
    assert VitalSign.objects.filter(session=session, taken_at=moment).count() == 1

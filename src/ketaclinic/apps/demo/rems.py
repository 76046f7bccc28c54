"""The demo's SPRAVATO REMS: every esketamine patient enrolled, each site's channel, and the
last week's forms sent (or visibly failed) by the sender alone.

Riverside sends through the outbox channel (PDFs in the outbox folder: nothing leaves the
demo); Lakeview's channel names a fax provider but no address (a setting half-done), so its
forms fail after the retries and show as failed on the REMS dashboard with an urgent alert.
The latest forms of the week (``REPLAYED_PER_SITE`` per site) go through ``send_due_forms``
each time one is next due, as cron would have run it; Lakeview's channel broke within those
days. Earlier forms were sent long ago (status sent, a provider reference).
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db.models import Min

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.charting.choices import RemsChannelKind, RemsStatus
from ketaclinic.apps.charting.models import (
    RemsEnrolment,
    RemsHealthcareSetting,
    RemsRecord,
)
from ketaclinic.apps.charting.rems import (
    CONCOMITANT,
    FORM_VERSION,
    form_problems,
    prefill,
    record_values,
)
from ketaclinic.apps.charting.rems_sending import send_due_forms
from ketaclinic.apps.treatment.choices import Route
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web.bulk_write import update_rows

WEEK = dt.timedelta(days=7)
REPLAYED_PER_SITE = 2
"""The latest forms of the week per site go through the sender one by one (a chair-day's
worth, so seeding more patients does not add statements per form); the week's earlier ones
and all older ones were sent long ago and are stored as sent."""
PAGE = 2000
"""Forms read, filled and written back per round (``update_rows``), not all at once."""
SEXES = ("male", "female")
SETTINGS = {
    "riverside": {
        "setting_name": "Riverside Clinic",
        "address_1": "120 River Road",
        "address_2": "Suite 200",
        "city": "Hudson",
        "state": "NY",
        "zip_code": "12534",
        "channel": RemsChannelKind.OUTBOX,
    },
    "lakeview": {
        "setting_name": "Lakeview Clinic",
        "address_1": "45 Shore Drive",
        "city": "Madison",
        "state": "WI",
        "zip_code": "53703",
        "channel": RemsChannelKind.FAX_API,  # no endpoint_url: misconfigured on purpose
    },
}
# How often a patient takes each (ours, for believable forms): most take none.
CONCOMITANT_RATE = {
    "benzodiazepines": 0.15,
    "non_benzodiazepine_hypnotics": 0.08,
    "psychostimulants": 0.1,
    "maois": 0.0,
    "opioids": 0.03,
}


def create_rems(sites: list, users: dict, rng: random.Random, now: dt.datetime) -> None:
    for site in sites:
        RemsHealthcareSetting.objects.get_or_create(
            site=site, defaults={**SETTINGS[site.slug], "updated_at": now}
        )
    firsts = (
        Session.objects.filter(course__route=Route.ESKETAMINE)
        .values("patient_id")
        .annotate(first=Min("planned_start"))
    )
    RemsEnrolment.objects.bulk_create(
        [
            RemsEnrolment(
                patient_id=row["patient_id"],
                enrolled_on=(row["first"] - dt.timedelta(days=rng.randint(3, 14))).date(),
                rems_patient_id=f"SP{rng.randint(10_000_000, 99_999_999)}",
                recorded_by=users["nurse"],
                recorded_at=row["first"] - dt.timedelta(days=3),
            )
            for row in firsts
        ],
        ignore_conflicts=True,
    )
    recent = list(
        Session.objects.filter(
            course__route=Route.ESKETAMINE,
            rems_record__isnull=False,
            discharged_at__gte=now - WEEK,
        )
        .select_related("patient__site", "course", "administration__started_by", "discharge")
        .order_by("-discharged_at")
    )
    replayed: list[Session] = []
    for site in sites:
        replayed += [s for s in recent if s.patient.site_id == site.pk][:REPLAYED_PER_SITE]
    replayed_ids = {s.pk for s in replayed}
    records = RemsRecord.objects.select_related(
        "session__patient__site__rems_setting", "session__administration__started_by"
    ).order_by("pk")
    written = ["status", "sent_at", "submission_reference", "form_version", *IDENTITY_FIELDS]
    last = 0
    while page := list(records.filter(pk__gt=last)[:PAGE]):  # memory flat in the forms
        last = page[-1].pk
        old = [r for r in page if r.session_id not in replayed_ids]
        for record in old:
            _identity(record, rng)
            if record.submitted_at is None:
                record.status = RemsStatus.SENT
                record.sent_at = record.session.discharged_at + dt.timedelta(minutes=5)
                record.submission_reference = f"FAX-{rng.randint(10_000, 99_999)}"
            else:
                record.status = RemsStatus.MARKED
            record.form_version = FORM_VERSION
        sent_long_ago = [str(r.session_id) for r in old if r.status == RemsStatus.SENT]
        Alert.objects.filter(
            kind=AlertKind.REMS_DUE, source_id__in=sent_long_ago, acknowledged_at__isnull=True
        ).update(
            acknowledged_at=now,
            acknowledged_by=users["nurse"],
            acknowledgement_note="REMS form sent.",
        )
        update_rows(
            RemsRecord, written, ([r.pk, *(getattr(r, name) for name in written)] for r in old)
        )
    replayed.sort(key=lambda s: s.discharged_at or now)  # all discharged; typed Optional
    for session in replayed:
        _complete(session, rng)
    # As cron would have: the sender runs whenever a form is next due, up to now.
    due = RemsRecord.objects.filter(status=RemsStatus.QUEUED, next_attempt_at__lte=now)
    while (moment := due.aggregate(first=Min("next_attempt_at"))["first"]) is not None:
        send_due_forms(moment)


IDENTITY_FIELDS = (
    "patient_first_name",
    "patient_last_name",
    "patient_birth_date",
    "patient_sex",
    "patient_enrolled",
    "clinician_first_name",
    "clinician_last_name",
    "clinician_email",
    "clinician_phone",
    "setting_name",
    "setting_address_1",
    "setting_address_2",
    "setting_city",
    "setting_state",
    "setting_zip",
    "treatment_date",
    "vitals_ok_before",
    "vitals_ok_at_completion",
    "pulse_oximetry",
    "serious_adverse_event",
    *CONCOMITANT,
)


def _identity(record: RemsRecord, rng: random.Random) -> None:
    """Older forms, filled in bulk from what is already loaded (no query per form)."""
    session = record.session
    patient, site = session.patient, session.patient.site
    nurse = session.administration.started_by
    setting = site.rems_setting
    record.patient_first_name = patient.given_name
    record.patient_last_name = patient.family_name
    record.patient_birth_date = patient.date_of_birth
    record.patient_sex = patient.sex_at_birth if patient.sex_at_birth in SEXES else "other"
    record.patient_enrolled = True
    record.clinician_first_name, record.clinician_last_name = nurse.first_name, nurse.last_name
    record.clinician_email, record.clinician_phone = nurse.email, site.phone
    record.setting_name, record.setting_address_1 = setting.setting_name, setting.address_1
    record.setting_address_2, record.setting_city = setting.address_2, setting.city
    record.setting_state, record.setting_zip = setting.state, setting.zip_code
    record.treatment_date = session.administration.started_at.astimezone(
        ZoneInfo(site.timezone)
    ).date()
    record.vitals_ok_before = record.vitals_ok_at_completion = True
    record.pulse_oximetry, record.serious_adverse_event = True, False
    for name in CONCOMITANT:
        setattr(record, name, rng.random() < CONCOMITANT_RATE[name])


def _complete(session: Session, rng: random.Random) -> None:
    """The form as the nurse completed it at discharge: the chart, plus her answers."""
    values = prefill(session)
    for name in CONCOMITANT:
        if values.get(name) is None:
            values[name] = rng.random() < CONCOMITANT_RATE[name]
    if values.get("ready_to_leave_minutes") is None:
        values["ready_to_leave_minutes"] = rng.randint(60, 110)
    record = session.rems_record
    for name, value in values.items():
        setattr(record, name, value)
    record.submitted_at = None
    record.submitted_by = None
    record.submission_reference = ""
    missing = form_problems(record_values(record))
    record.status = RemsStatus.PREPARED if missing else RemsStatus.QUEUED
    record.next_attempt_at = None if missing else session.discharged_at
    record.last_error = "; ".join(p.message for p in missing)[:200]
    record.save()

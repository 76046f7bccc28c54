"""Demo waitlist: enquiries in every state at both sites, some flagged, one crisis with its
alert, and conversions that became existing demo patients (their details copied over)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.demo.patients import FAMILY, GIVEN_FEMALE, GIVEN_MALE
from ketaclinic.apps.enquiries.choices import (
    ContactMethod,
    ContactOutcome,
    ContactTime,
    EnquiryCondition,
    EnquiryStatus,
    EventKind,
    Program,
)
from ketaclinic.apps.enquiries.models import Enquiry, EnquiryEvent
from ketaclinic.apps.enquiries.submission import raise_crisis_alert
from ketaclinic.apps.patients.models import Patient

S = EnquiryStatus
# How many enquiries of each status every demo site gets (converted ≥ 5 so the public page
# can show a typical wait).
STATUS_COUNTS = ((S.NEW, 4), (S.CONTACTED, 3), (S.SCHEDULED, 3), (S.CONVERTED, 6), (S.DECLINED, 2))
PROGRAM_WEIGHTS = (
    (Program.IN_CLINIC_IV_IM, 5),
    (Program.ESKETAMINE, 2),
    (Program.HOME_SUBLINGUAL, 4),
    (Program.KAP, 2),
    (Program.IOP, 1),
)
FLAGS = (
    "psychosis_history",
    "substance_use_problem",
    "high_blood_pressure",
    "pregnant_or_planning",
)
DECLINE_REASONS = (
    "Lives out of state; referred to a clinic near them.",
    "Under active care for psychosis; advised to discuss with their psychiatrist first.",
    "No longer interested after the call; happy with current treatment.",
)
FIRST_SUBMISSION_DAYS = {S.NEW: (0, 12), S.CONTACTED: (4, 30), S.SCHEDULED: (8, 45)}


class _Builder:
    def __init__(self, site: Site, worker: User, rng: random.Random, now: dt.datetime) -> None:
        self.site, self.worker, self.rng, self.now = site, worker, rng, now
        self.events: list[tuple[Enquiry, dict]] = []

    def person(self) -> dict:
        female = self.rng.random() < 0.6
        given = self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
        family = self.rng.choice(FAMILY)
        born = dt.date(
            self.rng.randint(1955, 2004), self.rng.randint(1, 12), self.rng.randint(1, 28)
        )
        return {
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "sex_at_birth": "female" if female else "male",
        }

    def enquiry(self, status: str, person: dict, submitted_at: dt.datetime) -> Enquiry:
        rng = self.rng
        method = rng.choice(ContactMethod.values)
        email = f"{person['given_name']}.{person['family_name']}@example.com".lower()
        phone = f"+1 555 {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
        conditions = [c for c in EnquiryCondition.values if c != "other"]
        enquiry = Enquiry(
            site=self.site,
            program=rng.choices(*zip(*PROGRAM_WEIGHTS, strict=True))[0],
            status=status,
            email=email,
            phone=phone if method != ContactMethod.EMAIL or rng.random() < 0.5 else "",
            preferred_contact=method,
            preferred_time=rng.choice(ContactTime.values),
            condition=rng.choice(conditions),
            consent_to_contact=True,
            submitted_at=submitted_at,
            status_changed_at=submitted_at,
            **person,
        )
        for flag in FLAGS:
            setattr(enquiry, flag, rng.random() < 0.12)
        return enquiry

    def local_time(self, moment: dt.datetime, *, hour: int) -> dt.datetime:
        """That day at ``hour`` o'clock in the site's time zone (intakes are office hours)."""
        tz = ZoneInfo(self.site.timezone)
        return moment.astimezone(tz).replace(hour=hour, minute=0, second=0, microsecond=0)

    def event(self, enquiry: Enquiry, **fields) -> None:
        self.events.append((enquiry, fields))

    def walk(self, enquiry: Enquiry, status: str, end: dt.datetime) -> None:
        """Give the enquiry the events of its path from new to ``status``, before ``end``."""
        start = enquiry.submitted_at
        self.event(
            enquiry,
            kind=EventKind.SUBMITTED,
            from_status="",
            to_status=S.NEW,
            occurred_at=start,
            actor=None,
        )
        if status == S.NEW:
            return
        step = (end - start) / 4
        reached = start + step
        if self.rng.random() < 0.5:
            self.event(
                enquiry,
                kind=EventKind.CONTACT_ATTEMPT,
                from_status=S.NEW,
                to_status=S.NEW,
                occurred_at=start + step / 2,
                actor=self.worker,
                contact_method=enquiry.preferred_contact,
                contact_outcome=ContactOutcome.NO_ANSWER,
            )
            enquiry.contact_attempts += 1
        self.event(
            enquiry,
            kind=EventKind.CONTACT_ATTEMPT,
            from_status=S.NEW,
            to_status=S.CONTACTED,
            occurred_at=reached,
            actor=self.worker,
            contact_method=enquiry.preferred_contact,
            contact_outcome=ContactOutcome.REACHED,
            note="Explained the intake and what to bring.",
        )
        enquiry.contact_attempts += 1
        enquiry.last_contact_at = reached
        enquiry.status_changed_at = reached
        if status == S.DECLINED:
            reason = self.rng.choice(DECLINE_REASONS)
            enquiry.declined_reason = reason
            enquiry.status_changed_at = reached + step
            self.event(
                enquiry,
                kind=EventKind.DECLINED,
                from_status=S.CONTACTED,
                to_status=S.DECLINED,
                occurred_at=reached + step,
                actor=self.worker,
                note=reason,
            )
            return
        if status == S.CONTACTED:
            return
        booked = reached + step
        day = (
            self.now + dt.timedelta(days=self.rng.randint(1, 14))
            if status == S.SCHEDULED
            else end - step / 2
        )
        intake = self.local_time(day, hour=self.rng.choice((9, 10, 11, 14, 15)))
        enquiry.intake_at = intake
        enquiry.status_changed_at = booked
        self.event(
            enquiry,
            kind=EventKind.INTAKE_SCHEDULED,
            from_status=S.CONTACTED,
            to_status=S.SCHEDULED,
            occurred_at=booked,
            actor=self.worker,
            intake_at=intake,
        )
        if status == S.CONVERTED:
            enquiry.converted_at = end
            enquiry.status_changed_at = end
            self.event(
                enquiry,
                kind=EventKind.CONVERTED,
                from_status=S.SCHEDULED,
                to_status=S.CONVERTED,
                occurred_at=end,
                actor=self.worker,
                note=f"Existing patient {enquiry.patient.mrn}",
            )


def create_enquiries(
    sites: list[Site], users: dict[str, User], rng: random.Random, now: dt.datetime
) -> int:
    """Per site: every status, a few pre-screen flags; at the first site one person who
    reports current suicidal thoughts (an open urgent alert)."""
    created: list[Enquiry] = []
    builders = []
    for index, site in enumerate(sites):
        worker = users["frontdesk"] if site.slug == "riverside" else users["prescriber"]
        builder = _Builder(site, worker, rng, now)
        builders.append(builder)
        patients = list(Patient.objects.filter(site=site).order_by("id")[: 6 * 3])
        for status, count in STATUS_COUNTS:
            for _ in range(count):
                if status == S.CONVERTED and patients:
                    patient = patients.pop(rng.randrange(len(patients)))
                    person = {
                        "given_name": patient.given_name,
                        "family_name": patient.family_name,
                        "date_of_birth": patient.date_of_birth,
                        "sex_at_birth": patient.sex_at_birth,
                    }
                    submitted = now - dt.timedelta(
                        days=rng.randint(40, 300), hours=rng.randint(0, 23)
                    )
                    end = submitted + dt.timedelta(days=rng.randint(9, 35))
                elif status == S.CONVERTED:
                    continue
                else:
                    person, patient = builder.person(), None
                    low, high = FIRST_SUBMISSION_DAYS.get(status, (20, 120))
                    submitted = now - dt.timedelta(
                        days=rng.randint(low, high), hours=rng.randint(0, 23)
                    )
                    end = now
                enquiry = builder.enquiry(status, person, submitted)
                if patient is not None:
                    enquiry.patient = patient
                    enquiry.email, enquiry.phone = (
                        patient.email or enquiry.email,
                        patient.phone or enquiry.phone,
                    )
                builder.walk(enquiry, status, end)
                created.append(enquiry)
        if index == 0:
            crisis = builder.enquiry(S.NEW, builder.person(), now - dt.timedelta(hours=3))
            crisis.suicidal_thoughts = True
            crisis.program = Program.HOME_SUBLINGUAL
            crisis.note = "Things have been very hard since the winter."
            builder.walk(crisis, S.NEW, now)
            created.append(crisis)
    Enquiry.objects.bulk_create(created, batch_size=500)
    EnquiryEvent.objects.bulk_create(
        [EnquiryEvent(enquiry=e, **fields) for b in builders for e, fields in b.events],
        batch_size=1000,
    )
    for enquiry in created:
        if enquiry.suicidal_thoughts:
            raise_crisis_alert(enquiry)
    return len(created)

"""Demo IOP: two groups at the therapist's site, each with a roster of demo patients (those
with a current ketamine course first), five weeks of sessions with attendance, and the
stories the program is for: one patient whose last finished week fell under the 9-hour
minimum (an excused absence), one with two unexcused absences in a row (and the alert the
care team gets), a few late arrivals and early departures, and notes by the facilitator."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.iop.choices import (
    AttendanceStatus,
    GroupFocus,
    GroupStatus,
    Population,
    SessionStatus,
)
from ketaclinic.apps.iop.models import Attendance, GroupSession, IopEnrolment, IopGroup, IopNote
from ketaclinic.apps.iop.program import alert_if_absence_run
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.choices import CourseStatus
from ketaclinic.clinical.intensive_outpatient import attended_minutes, sessions_between, week_start

WEEKS_RUN = 5
WEEKS_AHEAD = 2
# Sessions add up to more than the 9-hour minimum (10.5 and 10 hours a week), as IOPs plan
# them, so a late arrival does not sink a week but a missed session does.
GROUPS = (
    # name, focus, weekdays, start, minutes, capacity, roster size
    ("Depression IOP (evenings)", GroupFocus.DEPRESSION, [0, 1, 3], dt.time(17, 30), 210, 10, 7),
    ("Trauma skills IOP (mornings)", GroupFocus.PTSD, [1, 2, 3, 4], dt.time(9, 30), 150, 8, 5),
)
PLANNED_HOURS = Decimal("10")
TOPICS = (
    "Behavioural activation: planning the week",
    "Integration: what came up after dosing",
    "Distress tolerance skills",
    "Sleep and routine",
    "Relapse prevention plan",
    "Values and small steps",
    "Grounding techniques",
    "Family and support",
)
NOTES = (
    "Engaged throughout; shared progress with the activity plan. No risk concerns voiced.",
    "Quiet in the first half, then spoke about sleep after the last ketamine session. "
    "Agreed to bring a sleep diary next time.",
    "Arrived late (bus). Participated in the grounding exercise; reports mood a little better.",
    "Talked about a difficult week at work; used the skills card. Denies suicidal thoughts.",
)


def _copy(rng: random.Random) -> random.Random:
    copy = random.Random()  # seeded generator for synthetic demo data, not a secret  # nosec B311
    copy.setstate(rng.getstate())
    return copy


def _patients(site, count: int, taken: set[int], rng: random.Random) -> list[Patient]:
    """Patients of the site, those with a current ketamine course first (the IOP runs
    alongside the course), not already on another demo roster."""
    with_course = list(
        Patient.objects.filter(
            site=site, courses__status__in=[CourseStatus.ACTIVE, CourseStatus.PLANNED]
        )
        .exclude(pk__in=taken)
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(with_course)
    picked = with_course[:count]
    if len(picked) < count:
        others = list(
            Patient.objects.filter(site=site)
            .exclude(pk__in=taken | {p.pk for p in picked})
            .order_by("pk")[: (count - len(picked)) * 3]
        )
        rng.shuffle(others)
        picked += others[: count - len(picked)]
    return picked


def create_iop(users: dict[str, User], rng: random.Random, now: dt.datetime) -> int:
    """Returns how many attendance lines were written. Draws from a copy of ``rng`` so the
    areas seeded after this one get the same numbers with or without it."""
    rng = _copy(rng)
    therapist = users["therapist"]
    site = therapist.sites.order_by("pk").first()
    if site is None:
        return 0
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    first_monday = week_start(today) - dt.timedelta(weeks=WEEKS_RUN)
    taken: set[int] = set()
    lines = 0
    for index, (name, focus, weekdays, starts_at, minutes, capacity, size) in enumerate(GROUPS):
        group = IopGroup.objects.create(
            site=site,
            name=name,
            focus=focus,
            population=Population.ADULT,
            meeting_weekdays=weekdays,
            session_starts_at=starts_at,
            session_minutes=minutes,
            capacity=capacity,
            starts_on=first_monday,
            status=GroupStatus.ACTIVE,
            created_at=now - dt.timedelta(weeks=WEEKS_RUN + 1),
        )
        group.facilitators.set([therapist])
        patients = _patients(site, size, taken, rng)
        taken |= {p.pk for p in patients}
        enrolments = IopEnrolment.objects.bulk_create(
            [
                IopEnrolment(
                    group=group,
                    patient=patient,
                    # Most from the start; the last one joined two weeks in.
                    starts_on=first_monday + dt.timedelta(weeks=2 if n == size - 1 else 0),
                    planned_hours_per_week=PLANNED_HOURS,
                    enrolled_by=users["frontdesk"],
                    created_at=now - dt.timedelta(weeks=WEEKS_RUN),
                )
                for n, patient in enumerate(patients)
            ]
        )
        days = sessions_between(first_monday, today + dt.timedelta(weeks=WEEKS_AHEAD), weekdays)
        sessions = GroupSession.objects.bulk_create(
            [
                GroupSession(
                    group=group,
                    held_on=day,
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    topic=TOPICS[(n + index) % len(TOPICS)],
                    facilitator=therapist,
                    status=SessionStatus.HELD if day < today else SessionStatus.PLANNED,
                )
                for n, day in enumerate(days)
            ]
        )
        held = [s for s in sessions if s.held_on < today]
        lines += _attendance(group, held, enrolments, therapist, rng, now, today, story=index == 0)
        _notes(held[-2:], enrolments, therapist, rng, now)
    return lines


def _attendance(group, held, enrolments, therapist, rng, now, today, *, story: bool) -> int:
    """Attendance for every held session: mostly present, some late or leaving early; in
    the first group, an excused absence in the last finished week (7 of 9 hours) and
    two unexcused absences in a row at the last two sessions (raising the alert)."""
    last_week = week_start(today) - dt.timedelta(weeks=1)
    short_week = enrolments[1] if story and len(enrolments) > 1 else None
    absent = enrolments[0] if story else None
    last_two = {s.pk for s in held[-2:]}
    rows = []
    for session in held:
        for enrolment in enrolments:
            if not enrolment.covers(session.held_on):
                continue
            late = early = 0
            if enrolment is absent and session.pk in last_two:
                status = AttendanceStatus.ABSENT_UNEXCUSED
            elif enrolment is short_week and week_start(session.held_on) == last_week:
                short_week = None  # one excused absence that week: 7 of 10.5 hours
                status = AttendanceStatus.ABSENT_EXCUSED
            else:
                roll = rng.random()
                if roll < 0.06:
                    status, late = AttendanceStatus.LATE, rng.choice([10, 15, 20, 30])
                elif roll < 0.09:
                    status, early = AttendanceStatus.LEFT_EARLY, rng.choice([30, 45, 60])
                elif roll < 0.105:
                    status = AttendanceStatus.ABSENT_EXCUSED
                else:
                    status = AttendanceStatus.PRESENT
            rows.append(
                Attendance(
                    session=session,
                    enrolment=enrolment,
                    status=status,
                    late_minutes=late,
                    left_early_minutes=early,
                    attended_minutes=attended_minutes(
                        session.duration_minutes, status, late, early
                    ),
                    recorded_by=therapist,
                    recorded_at=dt.datetime.combine(
                        session.held_on, dt.time(21, 0), tzinfo=now.tzinfo
                    ),
                )
            )
    Attendance.objects.bulk_create(rows)
    if absent is not None and held:
        alert_if_absence_run(held[-1], absent)
    return len(rows)


def _notes(sessions, enrolments, therapist, rng, now) -> None:
    notes = []
    for session in sessions:
        for enrolment in rng.sample(enrolments, k=min(2, len(enrolments))):
            if not enrolment.covers(session.held_on):
                continue
            notes.append(
                IopNote(
                    session=session,
                    enrolment=enrolment,
                    author=therapist,
                    text=rng.choice(NOTES),
                    written_at=dt.datetime.combine(
                        session.held_on, dt.time(21, 30), tzinfo=now.tzinfo
                    ),
                )
            )
    IopNote.objects.bulk_create(notes)

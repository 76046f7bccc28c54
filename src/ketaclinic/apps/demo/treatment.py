"""Demo screenings, treatment plans and session shells, inserted in bulk from one ``rng``.

Most patients are screened (mostly eligible, some needing review with signed reasons, a few
ineligible); those signed to proceed get a course: IV induction mostly, then esketamine, IM,
KAP and the home sublingual program. Courses start across a window sized to the clinic's
chairs, so the chairs are busy but never double-booked; sessions before "now" are
discharged (with timestamps and recorded status events) or cancelled / no-show, today's are
under way or planned, later ones planned. A dose's discharge follows the monitoring rules'
default observation (120 minutes from the dose's start): most a few minutes after it, some
later, a few earlier on another route than esketamine (see ``_observed``). Vitals and doses
are another area's demo data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.patients.models import Condition, Measurement, Patient
from ketaclinic.apps.treatment.choices import (
    INDICATION_OF_CONDITION,
    CourseStatus,
    Indication,
    SessionKind,
    SessionStatus,
    SignoffDecision,
)
from ketaclinic.apps.treatment.models import Course, Holiday, Screening, Session, SessionEvent
from ketaclinic.apps.treatment.planning import (
    PlanRefused,
    course_phase,
    dose_text,
    session_kind,
    session_specs,
    slot_minutes,
)
from ketaclinic.apps.treatment.screenings import plain_json
from ketaclinic.apps.web.bulk_write import insert_objects, insert_rows
from ketaclinic.clinical.eligibility import ScreeningInput, ScreeningParameters, screen
from ketaclinic.clinical.monitoring import MonitoringParameters
from ketaclinic.clinical.protocols import get_protocol
from ketaclinic.clinical.schedule import ClinicCalendar, ScheduleOptions, generate_schedule

OBSERVATION = MonitoringParameters()
EARLY_DISCHARGE_SHARE = 0.03
SLOW_RECOVERY_SHARE = 0.04
SLOT_TIMES = (dt.time(8, 0), dt.time(10, 30), dt.time(13, 0), dt.time(15, 30))
HOME_TIME = dt.time(19, 0)
MAX_HORIZON_DAYS = 3650
"""Courses start at most ten years back. A clinic with more patients than its chairs could
have treated in that time (the 100,000-patient tier: otherwise courses would start before
some patients were born) is given the chairs it would need instead."""
T = TypeVar("T")

# (protocol, variant, route, setting, share %, target per kg or None, target mg or None)
PROGRAMS = (
    ("iv-depression-induction", "thrice-weekly", "iv", "clinic", 44, "0.5", None),
    ("iv-depression-induction", "twice-weekly", "iv", "clinic", 14, "0.5", None),
    ("esketamine-trd", "every-2-weeks", "esketamine", "clinic", 13, None, "84"),
    ("im-depression", "standard", "im", "clinic", 10, "0.5", None),
    ("kap", "standard", "sublingual", "clinic", 10, None, "100"),
    ("sublingual-home", "standard", "sublingual", "home", 9, None, "100"),
)
CONDITIONS = (
    ("psychosis_history", 0.03),
    ("substance_use_disorder_history", 0.07),
    ("prior_ketamine_nonresponse", 0.03),
    ("raised_intraocular_pressure", 0.01),
    ("ketamine_misuse_history", 0.01),
    ("high_acute_suicide_risk", 0.01),
    ("aneurysmal_vascular_disease", 0.005),
)
MEDICATIONS = (
    ("sertraline", 18),
    ("escitalopram", 16),
    ("bupropion", 12),
    ("venlafaxine", 10),
    ("lithium", 4),
    ("aripiprazole", 4),
    ("lorazepam", 6),
    ("clonazepam", 4),
    ("lamotrigine", 5),
    ("trazodone", 6),
    ("methylphenidate", 2),
    ("lisinopril", 6),
    ("levothyroxine", 5),
)
REASONS = {
    "bp_elevated": "Repeat BP after rest is lower; known white-coat effect. Monitor BP every "
    "5 minutes during the first infusion and hold above 180/110.",
    "psychosis_history": "Single brief episode over ten years ago, none since, stable on "
    "treatment; psychiatrist agrees. Watch for emergent symptoms.",
    "substance_use_disorder_active": "Alcohol use reduced and engaged with addiction service; "
    "no ketamine or stimulant use. Clinic dosing only, no take-home doses.",
    "breastfeeding": "Patient will pump and discard for 24 hours after each dose.",
    "raised_intraocular_pressure": "Ophthalmologist letter: glaucoma controlled, pressure "
    "normal on drops.",
    "medication_psychostimulant": "Methylphenidate held on treatment days; BP checked before "
    "each dose.",
    "medication_maoi": "MAOI stopped two weeks ago with prescriber oversight.",
    "interstitial_cystitis": "Urology reviewed; symptoms stable. Stop if urinary symptoms worsen.",
    "severe_hepatic_impairment": "Hepatology reviewed; start at the lower dose.",
}
# The demo's major depression courses are for suicidal ideation (esketamine's second label).
DEMO_INDICATIONS = {**INDICATION_OF_CONDITION, "mdd": Indication.MDD_SUICIDAL_IDEATION}
STOP_REASONS = (
    "Intolerable nausea despite ondansetron; patient chose to stop.",
    "No benefit after three sessions; discussed alternatives.",
    "Patient moved away; care transferred.",
)


@dataclass
class Chairs:
    """Free slots per site and day: ``taken[day][chair - 1]`` is a bit mask of slot indexes."""

    chairs: int
    taken: dict[dt.date, list[int]] = field(default_factory=dict)

    def find(self, day: dt.date, slots_needed: int, rng: random.Random) -> tuple[int, int] | None:
        """The earliest slot with ``slots_needed`` free in a row, chairs tried from a random one."""
        masks = self.taken.setdefault(day, [0] * self.chairs)
        need = (1 << slots_needed) - 1
        first = rng.randrange(self.chairs)
        for slot in range(len(SLOT_TIMES) - slots_needed + 1):
            want = need << slot
            for k in range(self.chairs):
                index = (first + k) % self.chairs
                if not masks[index] & want:
                    return index + 1, slot
        return None

    def take(self, day: dt.date, chair: int, slot: int, slots_needed: int) -> None:
        self.taken[day][chair - 1] |= ((1 << slots_needed) - 1) << slot

    def release(self, day: dt.date, chair: int, slot: int, slots_needed: int) -> None:
        self.taken[day][chair - 1] &= ~(((1 << slots_needed) - 1) << slot)


def _us_holidays(years: range) -> list[tuple[dt.date, str]]:
    days = []
    for year in years:
        days.append((dt.date(year, 1, 1), "New Year's Day"))
        days.append((dt.date(year, 7, 4), "Independence Day"))
        days.append((dt.date(year, 12, 25), "Christmas Day"))
        last_may = dt.date(year, 5, 31)
        days.append((last_may - dt.timedelta(days=last_may.weekday()), "Memorial Day"))
        sept = dt.date(year, 9, 1)
        days.append((sept + dt.timedelta(days=(7 - sept.weekday()) % 7), "Labor Day"))
        nov = dt.date(year, 11, 1)
        first_thursday = nov + dt.timedelta(days=(3 - nov.weekday()) % 7)
        days.append((first_thursday + dt.timedelta(weeks=3), "Thanksgiving"))
    return days


def _weighted(rng: random.Random, pairs: Sequence[tuple[T, float]]) -> T:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - int((day.month, day.day) < (born.month, born.day))


def _inputs(rng: random.Random, patient: dict, program: tuple, day: dt.date) -> dict:
    _pid, _variant, route, setting, *_ = program
    systolic = int(min(max(rng.gauss(124, 11), 95), 195))
    diastolic = int(min(max(rng.gauss(78, 7), 55), systolic - 20))
    sex = patient["sex_at_birth"]
    if sex not in ("female", "male"):
        sex = rng.choice(["female", "male"])
    conditions = [code for code, p in CONDITIONS if rng.random() < p]
    medications = sorted({_weighted(rng, MEDICATIONS) for _ in range(rng.randint(0, 3))})
    data = {
        "age": _age_on(patient["date_of_birth"], day),
        "sex": sex,
        "pregnant": False,
        "breastfeeding": sex == "female" and rng.random() < 0.005,
        "weight_kg": plain_json(min(max(patient["weight_kg"], Decimal(20)), Decimal(400))),
        "height_cm": plain_json(min(max(patient["height_cm"], Decimal(100)), Decimal(250))),
        "bp_systolic": systolic,
        "bp_diastolic": diastolic,
        "heart_rate": int(min(max(rng.gauss(74, 9), 48), 118)),
        "route": route,
        "setting": setting,
        "conditions": conditions,
        "medications": medications,
    }
    if setting == "home":
        data["responsible_adult_at_home"] = rng.random() < 0.95
    return data


def _latest_measurements(patient_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    found: dict[int, tuple[Decimal, Decimal | None]] = {}
    rows = (
        Measurement.objects.filter(patient_id__in=patient_ids)
        .order_by("patient_id", "-measured_on", "-id")
        .values_list("patient_id", "weight_kg", "height_cm")
    )
    for pid, weight, height in rows:
        if pid not in found:
            found[pid] = (weight, height)
        elif found[pid][1] is None and height is not None:
            found[pid] = (found[pid][0], height)
    return {pid: (w, h or Decimal("170")) for pid, (w, h) in found.items()}


PATIENT_BATCH = 2000
"""Patients screened, planned and inserted together: the step holds one batch's screenings,
courses and sessions at a time, so its memory does not grow with the clinic (a clinic of at
most this many patients draws exactly what one pass over all of them would)."""


def _patient_batches(sites: list[Site]) -> Iterator[list[tuple[int, int]]]:
    """(patient id, site id) of the demo patients in key order, a batch at a time (keyset)."""
    after = 0
    while True:
        batch = list(
            at_sites(Patient, sites)
            .filter(id__gt=after)
            .order_by("id")
            .values_list("id", "site_id")[:PATIENT_BATCH]
        )
        if not batch:
            return
        yield batch
        after = batch[-1][0]


def create_treatment(
    sites: list[Site], users: dict[str, User], rng: random.Random, now: dt.datetime
) -> int:
    """Screenings, courses and sessions for the demo patients; returns the courses made.

    Two passes over the patients, a batch at a time: the first draws who is treated and in
    which program (the chairs' window depends on every site's demand); the second screens,
    plans and inserts each batch (see ``PATIENT_BATCH``)."""
    today = now.date()
    holidays = []
    for site in sites:
        holidays += [
            Holiday(site=site, date=day, name=name)
            for day, name in _us_holidays(range(today.year - 8, today.year + 2))
        ]
    Holiday.objects.bulk_create(holidays, batch_size=1000)
    holiday_days = frozenset(h.date for h in holidays)
    calendars = {s.pk: ClinicCalendar(frozenset(s.open_weekdays), holiday_days) for s in sites}

    # Pass one: (patient id, site id, program) of each patient treated, in key order.
    chosen: list[tuple[int, int, tuple]] = []
    for batch in _patient_batches(sites):
        measured = _measured_patients([pid for pid, _site in batch])
        for pid, site_id in batch:
            if pid in measured and rng.random() < 0.85:
                chosen.append((pid, site_id, _weighted(rng, [(p, p[4]) for p in PROGRAMS])))

    # Size each site's window so its chairs run at about 70%: slot-units per course by program.
    units = {"iv": 6, "esketamine": 16, "im": 6, "sublingual": 10}
    horizon = {}
    for site in sites:
        demand = sum(
            units[prog[2]]
            for _p, site_id, prog in chosen
            if site_id == site.pk and prog[3] == "clinic"
        )
        per_day = site.chairs * len(SLOT_TIMES) * 0.7
        horizon[site.pk] = max(28, math.ceil(demand / per_day * 7 / 5))
        if horizon[site.pk] > MAX_HORIZON_DAYS:  # a bigger clinic, not a longer history
            per_day_needed = demand * 7 / 5 / MAX_HORIZON_DAYS
            site.chairs = math.ceil(per_day_needed / (len(SLOT_TIMES) * 0.7))
            Site.objects.filter(pk=site.pk).update(chairs=site.chairs)
            horizon[site.pk] = MAX_HORIZON_DAYS

    # Pass two: a batch of the treated at a time.
    plan = _Planning(
        sites=sites,
        users=users,
        calendars=calendars,
        horizon=horizon,
        books={s.pk: Chairs(s.chairs) for s in sites},
        now=now,
    )
    made = 0
    for offset in range(0, len(chosen), PATIENT_BATCH):
        made += plan.treat(chosen[offset : offset + PATIENT_BATCH], rng)
    return made


def _measured_patients(patient_ids: list[int]) -> set[int]:
    """Which of ``patient_ids`` have a measurement (weight), so can be dosed by weight."""
    return set(
        Measurement.objects.filter(patient_id__in=patient_ids)
        .values_list("patient_id", flat=True)
        .distinct()
    )


@dataclass
class _Planning:
    """What every batch of treated patients shares: the sites' calendars, chair books and
    windows, the screening rules, the staff who sign."""

    sites: list[Site]
    users: dict[str, User]
    calendars: dict[int, ClinicCalendar]
    horizon: dict[int, int]
    books: dict[int, Chairs]
    now: dt.datetime
    schedules: dict[tuple, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parameters = ScreeningParameters()
        self.parameters_json = plain_json(self.parameters.to_dict())
        self.site_by_id = {s.pk: s for s in self.sites}
        self.nurse_of = {
            site.pk: self.users["nurse" if site.slug == "riverside" else "nurse.lakeview"]
            for site in self.sites
        }

    def treat(self, batch: list[tuple[int, int, tuple]], rng: random.Random) -> int:
        """Screen, plan and insert one batch of treated patients; returns the courses made."""
        ids = [pid for pid, _site, _program in batch]
        details: dict[int, dict[str, Any]] = {
            row["id"]: dict(row)
            for row in Patient.objects.filter(id__in=ids).values(
                "id", "site_id", "date_of_birth", "sex_at_birth"
            )
        }
        latest = _latest_measurements(ids)
        conditions = dict(
            Condition.objects.filter(patient_id__in=ids, primary=True).values_list(
                "patient_id", "code"
            )
        )
        chosen = []
        for pid, _site, program in batch:
            patient = details[pid]
            patient["weight_kg"], patient["height_cm"] = latest[pid]
            chosen.append((patient, program))
        screenings, plans = self._screen(chosen, rng)
        insert_objects(Screening, screenings)
        courses, course_sessions = self._plan(plans, screenings, conditions, rng)
        _set_statuses(rng, courses, course_sessions, self.now, self.nurse_of)
        insert_objects(Course, courses)
        sessions: list[Session] = []
        for course, rows in zip(courses, course_sessions, strict=True):
            for row in rows:
                row.course = course
                sessions.append(row)
        insert_objects(Session, sessions)
        _insert_events(
            [(row.pk, *event) for row in sessions for event in getattr(row, "_events", ())]
        )
        return len(courses)

    def _screen(self, chosen: list[tuple[dict, tuple]], rng: random.Random):
        """Screenings of ``chosen`` (unsaved), and the plans of those signed to proceed."""
        screenings, plans = [], []
        for patient, program in chosen:
            site = self.site_by_id[patient["site_id"]]
            span = self.horizon[site.pk]
            if rng.random() < 0.2:
                start = self.now.date() - dt.timedelta(days=rng.randint(0, 12))
            else:
                start = self.now.date() - dt.timedelta(days=rng.randint(0, span))
            screened_day = start - dt.timedelta(days=rng.randint(3, 14))
            inputs = _inputs(rng, patient, program, screened_day)
            result = screen(ScreeningInput.from_dict(inputs), self.parameters)
            tz = ZoneInfo(site.timezone)
            screened_at = dt.datetime.combine(screened_day, dt.time(rng.randint(9, 16)), tzinfo=tz)
            review_codes = [f.code for f in result.findings if f.level.value == "review"]
            decision, reasons = "", {}
            if result.decision.value == "eligible":
                decision = SignoffDecision.PROCEED
            elif result.decision.value == "review":
                if rng.random() < 0.8:
                    decision = SignoffDecision.PROCEED
                    reasons = {
                        code: REASONS.get(
                            code,
                            "Discussed with the patient; benefits outweigh "
                            "the risk here; monitor closely.",
                        )
                        for code in review_codes
                    }
                else:
                    decision = SignoffDecision.DO_NOT_PROCEED
            elif rng.random() < 0.9:
                decision = SignoffDecision.DO_NOT_PROCEED
            signed_at = screened_at + dt.timedelta(hours=rng.randint(1, 30)) if decision else None
            screenings.append(
                Screening(
                    patient_id=patient["id"],
                    site_id=site.pk,
                    inputs=inputs,
                    route=program[2],
                    setting=program[3],
                    rules_version=result.rules_version,
                    parameters=self.parameters_json,
                    decision=result.decision.value,
                    findings=[
                        {
                            "code": f.code,
                            "level": f.level.value,
                            "message": f.message,
                            "source": f.source,
                        }
                        for f in result.findings
                    ],
                    screened_by=self.nurse_of[site.pk],
                    screened_at=screened_at,
                    signed_by=self.users["prescriber"] if decision else None,
                    signed_at=signed_at,
                    signoff_decision=decision,
                    signoff_reasons=reasons,
                    signoff_note="",
                )
            )
            if decision == SignoffDecision.PROCEED and signed_at.astimezone(tz) < self.now:
                plans.append((len(screenings) - 1, patient, program, site, start))
        return screenings, plans

    def _plan(self, plans, screenings, conditions, rng: random.Random):
        """Courses and their sessions (unsaved) for the plans that find chairs."""
        courses, course_sessions = [], []
        for index, patient, program, site, start in plans:
            protocol_id, variant, route, setting, _share, per_kg, mg = program
            protocol = get_protocol(protocol_id)
            placed = _place_course(
                rng,
                protocol,
                variant,
                start,
                self.calendars[site.pk],
                self.books[site.pk],
                setting,
                self.schedules,
            )
            if placed is None:
                continue
            target_per_kg = Decimal(per_kg) if per_kg else None
            if target_per_kg is not None and route == "iv" and rng.random() < 0.15:
                target_per_kg = rng.choice([Decimal("0.6"), Decimal("0.75")])
            target_mg = Decimal(mg) if mg else None
            if protocol_id == "esketamine-trd" and rng.random() < 0.4:
                target_mg = Decimal("56")
            spec = session_specs(protocol, variant)
            main = next(d for _, d in spec if d is not None)
            chosen_spec = dataclasses.replace(
                main, amount=target_per_kg or target_mg, alternatives=()
            )
            try:
                text, _ = dose_text(
                    chosen_spec,
                    protocol.route,
                    patient["weight_kg"],
                    patient["height_cm"],
                    screenings[index].inputs["sex"],
                    "target",
                )
            except PlanRefused:
                text = chosen_spec.render()
            course = Course(
                patient_id=patient["id"],
                site_id=site.pk,
                protocol_id=protocol_id,
                variant=variant,
                indication=DEMO_INDICATIONS.get(
                    conditions.get(patient["id"], ""), Indication.OTHER
                ),
                route=route,
                phase=course_phase(placed[0][1]),
                prescriber=self.users["prescriber"],
                screening=screenings[index],
                target_dose_mg_per_kg=target_per_kg,
                target_dose_mg=target_mg,
                infusion_minutes=main.duration_min if route == "iv" else None,
                starts_on=placed[0][0],
            )
            first_doses = {phase.first_dose for phase, _ in spec} - {None}
            rows = []
            for number, (day, phase_name, slot, chair) in enumerate(placed, start=1):
                template = spec[number - 1][1]
                kind = session_kind(phase_name, template)
                minutes = slot_minutes(protocol, kind, chosen_spec if template else None)
                at = HOME_TIME if chair is None else SLOT_TIMES[slot]
                rows.append(
                    Session(
                        patient_id=patient["id"],
                        site_id=site.pk,
                        number=number,
                        kind=kind,
                        phase=course_phase(phase_name),
                        planned_start=dt.datetime.combine(day, at, tzinfo=ZoneInfo(site.timezone)),
                        planned_minutes=minutes,
                        chair=chair,
                        planned_dose_text=""
                        if template is None
                        else (template.render() if template in first_doses else text),
                    )
                )
            courses.append(course)
            course_sessions.append(rows)

        return courses, course_sessions


def dosed_course_batches(
    now: dt.datetime, columns: Sequence[str], courses: int = PATIENT_BATCH
) -> Iterator[list[list[tuple]]]:
    """The discharged dosing sessions started by ``now``, as ``columns`` (the course's id
    second), grouped by course in course order, ``courses`` courses a batch: read through
    an iterator, so the demo's later areas never hold every session of the clinic."""
    rows = (
        Session.objects.filter(
            kind=SessionKind.DOSING, status=SessionStatus.DISCHARGED, dose_started_at__lte=now
        )
        .order_by("course_id", "dose_started_at")
        .values_list(*columns)
    )
    batch: list[list[tuple]] = []
    for _course_id, group in itertools.groupby(rows.iterator(chunk_size=5000), lambda r: r[1]):
        batch.append(list(group))
        if len(batch) == courses:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_events(events: list[tuple]) -> None:
    """Status events as plain rows: the demo's largest insert (four rows for each session
    given), where building model instances would cost more than the database does."""
    insert_rows(
        SessionEvent,
        ("session", "from_status", "to_status", "at", "by", "reason"),
        ((*event, "") for event in events),
    )


def _place_course(rng, protocol, variant, start, calendar, book, setting, schedules):
    """Dates from the core's schedule, then a free chair and slot for each; a full day moves
    the whole course on a day (up to two weeks) rather than double-booking a chair."""
    spec = session_specs(protocol, variant)
    for shift in range(15):
        first = start + dt.timedelta(days=shift)
        key = (protocol.id, variant, first, id(calendar))
        if key not in schedules:
            schedules[key] = generate_schedule(
                protocol, first, calendar, ScheduleOptions(variant=variant)
            ).sessions
        planned = schedules[key]
        if setting == "home":
            return [(s.date, s.phase, 0, None) for s in planned]
        placements = []
        pending: list[tuple[dt.date, int, int, int]] = []
        for s in planned:
            needed = 2 if spec[s.number - 1][1] is not None and protocol.id == "kap" else 1
            spot = book.find(s.date, needed, rng)
            if spot is None or any(p[0] == s.date for p in pending):
                break
            pending.append((s.date, spot[0], spot[1], needed))
            book.take(s.date, spot[0], spot[1], needed)
            placements.append((s.date, s.phase, spot[1], spot[0]))
        else:
            return placements
        for day, chair, slot, needed in pending:
            book.release(day, chair, slot, needed)
    return None


def _set_statuses(rng, courses, course_sessions, now, nurse_of):
    """What happened to each session by ``now``, with timestamps and status events."""
    for course, rows in zip(courses, course_sessions, strict=True):
        nurse = nurse_of[course.site_id]
        stop_after = 3 if rng.random() < 0.03 else None
        for row in rows:
            start = row.planned_start
            end = start + dt.timedelta(minutes=row.planned_minutes)
            events: list[tuple] = []
            row._events = events
            if stop_after is not None and row.number > stop_after:
                row.status = SessionStatus.CANCELLED
                at = min(start, now) - dt.timedelta(days=1)
                events.append(_event(row, "planned", "cancelled", at, nurse))
                continue
            if start > now:
                continue
            roll = rng.random()
            if end <= now and roll < 0.04:
                row.status = SessionStatus.CANCELLED
                events.append(
                    _event(row, "planned", "cancelled", start - dt.timedelta(hours=20), nurse)
                )
                continue
            if end <= now and roll < 0.08:
                row.status = SessionStatus.NO_SHOW
                events.append(
                    _event(row, "planned", "no_show", start + dt.timedelta(minutes=30), nurse)
                )
                continue
            checked_in = start - dt.timedelta(minutes=rng.randint(0, 12))
            dose_start = start + dt.timedelta(minutes=rng.randint(12, 25))
            dose_minutes = course.infusion_minutes or (15 if row.kind == SessionKind.DOSING else 0)
            dose_end = dose_start + dt.timedelta(minutes=dose_minutes + rng.randint(0, 5))
            if row.kind != SessionKind.DOSING:
                discharged = end - dt.timedelta(minutes=rng.randint(0, 15))
                steps = [("checked_in", checked_in), ("discharged", discharged)]
            else:
                discharged = dose_start + dt.timedelta(minutes=_observed(rng, course.route))
                steps = [
                    ("checked_in", checked_in),
                    ("dosing", dose_start),
                    ("observing", dose_end),
                    ("discharged", discharged),
                ]
            previous = "planned"
            for status, at in steps:
                if at > now:
                    break
                events.append(_event(row, previous, status, at, nurse))
                setattr(row, _STAMP[status], at)
                previous = status
            row.status = previous
        statuses = {r.status for r in rows}
        if stop_after is not None and any(r.status == SessionStatus.DISCHARGED for r in rows):
            course.status = CourseStatus.STOPPED
            course.status_reason = rng.choice(STOP_REASONS)
            course.ended_on = max(r.planned_start.date() for r in rows[:stop_after])
        elif statuses <= {SessionStatus.PLANNED}:
            course.status = CourseStatus.PLANNED
        elif SessionStatus.PLANNED in statuses or statuses & {"checked_in", "dosing", "observing"}:
            course.status = CourseStatus.ACTIVE
        else:
            course.status = CourseStatus.COMPLETED
            course.ended_on = max(r.planned_start.date() for r in rows)


def _observed(rng: random.Random, route: str) -> int:
    """Minutes from the dose's start to discharge. Most patients leave a few minutes after
    the default observation (``MonitoringParameters``: 120, the esketamine label's minimum,
    applied to every route); some are kept longer (the chart demo gives the reason); a few
    on other routes go earlier on a prescriber's review. Never esketamine: its label
    requires the 2 hours."""
    roll = rng.random()
    if route == "esketamine":
        required = OBSERVATION.esketamine_min_observation_minutes
    else:
        required = OBSERVATION.other_min_observation_minutes
        if roll < EARLY_DISCHARGE_SHARE:
            return required - rng.randint(10, 30)
    if roll < EARLY_DISCHARGE_SHARE + SLOW_RECOVERY_SHARE:
        return required + rng.randint(20, 45)
    return required + rng.randint(1, 10)


_STAMP = {
    "checked_in": "checked_in_at",
    "dosing": "dose_started_at",
    "observing": "dose_ended_at",
    "discharged": "discharged_at",
}


def _event(row: Session, before: str, after: str, at: dt.datetime, by: User) -> tuple:
    """(from, to, at, by) of one status change; the session's id is added after insert."""
    return (before, after, at, by.pk)

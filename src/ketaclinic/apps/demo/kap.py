"""Demo KAP programs: the Riverside therapist's caseload (the clinic's current and recently
finished KAP courses), with structured notes on most held sessions and a few still to write.

The integration notes the session-chart demo already wrote for Riverside's KAP dosing
sessions become the notes of the integration sessions that follow them (dated that day),
so the patient's integration notes are not doubled. Everything is inserted in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db.models import Q

from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.charting.models import IntegrationNote
from ketaclinic.apps.kap.choices import Consent, NoteKind, ProgramStatus
from ketaclinic.apps.kap.models import KapNote, KapProgram
from ketaclinic.apps.treatment.choices import CourseStatus, SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session

CASELOAD = 24
RECENTLY_ENDED = dt.timedelta(weeks=8)
# Notes of the last few days are often still to write; a few older ones too.
RECENT = dt.timedelta(days=7)
GOALS = (
    "Lift the low mood that has not moved with two antidepressants; get back to running.",
    "Loosen the grip of intrusive memories of the accident; drive again without dread.",
    "Feel something other than numb; reconnect with my partner and children.",
    "Quiet the constant self-criticism; return to work part-time.",
    "Grieve my brother without shutting down; sleep through the night.",
    "Understand why I drink in the evenings and what I am avoiding.",
)
PREPARATION = (
    (
        "To meet the sadness instead of pushing it away.",
        "Rested, a little nervous. Eyeshades and headphones; therapist stays in the room.",
        "Fear of losing control; nausea.",
        Consent.YES,
        Consent.YES,
        "Agreed a hand signal for 'I need a pause'; ondansetron offered.",
    ),
    (
        "To see the accident from a distance and be kind to the person who survived it.",
        "Slept badly; worried about flashbacks. Dim room, weighted blanket, no music at first.",
        "Reliving the crash; being judged for crying.",
        Consent.NO,
        Consent.YES,
        "Grounding practice rehearsed: feet on the floor, name five things.",
    ),
    (
        "Curiosity about what lies under the numbness.",
        "Calm, fasting since breakfast. Partner collects after; phone off.",
        "None voiced beyond how it will feel.",
        Consent.YES,
        Consent.NOT_DISCUSSED,
        "Revisit consent to music before the first dose.",
    ),
)
DOSING = (
    (
        "Stay with what comes.",
        "Floating, colours, a long hallway; a sense of being held. Tearful near the end.",
        "Rest this evening; integration session tomorrow.",
    ),
    (
        "Let the memory be there without running.",
        "Saw the road from above, felt far from it; hands warm. Laughed once, surprised.",
        "Write down the image of the road before bed.",
    ),
    (
        "Ask the numbness what it protects.",
        "Quiet at first, then a wave of grief for a childhood dog; relief afterwards.",
        "Journal; call sister if low tonight.",
    ),
)
INTEGRATION = (
    (
        "Self-compassion; permission to rest without earning it.",
        "Morning pages; a 20-minute walk daily.",
        "Notice one moment of kindness to self each day; bring it next time.",
    ),
    (
        "Distance from the accident makes room for anger, then sadness.",
        "Box breathing before driving; short drives with a friend.",
        "Graded driving plan; check sleep at review.",
    ),
    (
        "Feeling returned in small doses; fear that it will go again.",
        "Body scan at night; music without lyrics.",
        "Explore the fear of relapse at the next preparation.",
    ),
)


def _caseload(therapist, now: dt.datetime) -> list[Course]:
    recent = (now - RECENTLY_ENDED).date()
    return list(
        at_sites(Course, therapist.sites.all())
        .filter(protocol_id="kap")
        .filter(Q(status__in=(CourseStatus.PLANNED, CourseStatus.ACTIVE)) | Q(ended_on__gte=recent))
        .select_related("site")
        .order_by("-starts_on", "id")[:CASELOAD]
    )


def _program(course: Course, therapist, rng: random.Random, now: dt.datetime) -> KapProgram:
    status, ended_on, reason = ProgramStatus.ACTIVE, None, ""
    if course.status == CourseStatus.COMPLETED:
        status, ended_on = ProgramStatus.COMPLETED, course.ended_on
    elif course.status == CourseStatus.STOPPED:
        status, ended_on = ProgramStatus.STOPPED, course.ended_on
        reason = course.status_reason or "Ended with the treatment course."
    return KapProgram(
        patient_id=course.patient_id,
        site=course.site,
        course=course,
        therapist=therapist,
        prescriber_id=course.prescriber_id,
        status=status,
        starts_on=course.starts_on,
        ended_on=max(ended_on, course.starts_on) if ended_on else None,
        end_reason=reason,
        goals=rng.choice(GOALS),
        created_by_id=course.prescriber_id,
        created_at=dt.datetime.combine(course.starts_on, dt.time(9), tzinfo=dt.UTC)
        - dt.timedelta(days=7),
    )


def create_kap_programs(users: dict, rng: random.Random, now: dt.datetime) -> int:
    """The therapist's programs and their notes; returns how many programs."""
    therapist = users.get("therapist")
    if therapist is None:
        return 0
    courses = _caseload(therapist, now)
    programs = KapProgram.objects.bulk_create([_program(c, therapist, rng, now) for c in courses])
    by_course = {p.course_id: p for p in programs}
    sessions = list(
        Session.objects.filter(
            course_id__in=by_course,
            kind__in=(SessionKind.PREPARATION, SessionKind.DOSING, SessionKind.INTEGRATION),
            planned_start__lte=now,
        )
        .exclude(status__in=(SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
        .order_by("course_id", "number")
    )
    # Notes the session-chart demo wrote on these courses' dosing sessions, by session.
    charted = {
        note.session_id: note
        for note in IntegrationNote.objects.filter(
            session__course_id__in=by_course, author=therapist
        )
    }
    dosing_before: dict[int, int] = {}
    new_shared, moved, pending = [], [], []
    for session in sessions:
        program = by_course[session.course_id]
        if session.kind == SessionKind.DOSING:
            dosing_before[session.course_id] = session.pk
        unwritten = 0.5 if now - session.planned_start < RECENT else 0.04
        if rng.random() < unwritten:
            continue
        met_on = session.planned_start.astimezone(ZoneInfo(program.site.timezone)).date()
        written_at = min(now, session.planned_end + dt.timedelta(hours=rng.randint(1, 6)))
        extra: dict = {}
        shared = None
        if session.kind == SessionKind.PREPARATION:
            intentions, setting, concerns, touch, music, plan = rng.choice(PREPARATION)
            shared = {"intentions": intentions, "plan": plan}
            extra = {
                "set_and_setting": setting,
                "concerns": concerns,
                "touch_consent": touch,
                "music_consent": music,
            }
            about = None
        elif session.kind == SessionKind.DOSING:
            intentions, experience, plan = rng.choice(DOSING)
            shared = {"intentions": intentions, "experience": experience, "plan": plan}
            about = session.pk
        else:
            about = dosing_before.get(session.course_id)
            themes, practices, plan = rng.choice(INTEGRATION)
            extra = {"practices": practices}
            reused = charted.pop(about, None) if about else None
            if reused is not None:
                reused.met_on = met_on
                moved.append(reused)
                pending.append((reused, session, program, extra))
                continue
            shared = {"integration_themes": themes, "plan": plan}
        note = IntegrationNote(
            patient_id=session.patient_id,
            session_id=about,
            met_on=met_on,
            author=therapist,
            written_at=written_at,
            **shared,
        )
        new_shared.append(note)
        pending.append((note, session, program, extra))
    IntegrationNote.objects.bulk_create(new_shared, batch_size=1000)
    IntegrationNote.objects.bulk_update(moved, ["met_on"], batch_size=1000)
    KapNote.objects.bulk_create(
        [
            KapNote(
                program=program,
                session=session,
                kind=NoteKind(session.kind),
                integration_note=note,
                **extra,
            )
            for note, session, program, extra in pending
        ],
        batch_size=1000,
    )
    return len(programs)

"""Session moves drive the course: active at the first check-in, completed at the end."""

from __future__ import annotations

import pytest

from ketaclinic.apps.treatment.transitions import TransitionRefused, transition_session


def _walk(session, user, *steps):
    for status in steps:
        session = transition_session(session, status, user=user, request=None)
    return session


def test_the_first_check_in_makes_the_course_active(clinic, course):
    first = course.sessions.get(number=1)
    transition_session(first, "checked_in", user=clinic.nurse, request=None)
    course.refresh_from_db()
    assert course.status == "active"
    assert first.events.get().to_status == "checked_in"


def test_the_last_discharge_completes_the_course(clinic, course):
    sessions = list(course.sessions.order_by("number"))
    for session in sessions[:-1]:
        _walk(session, clinic.nurse, "checked_in", "dosing", "observing", "discharged")
    course.refresh_from_db()
    assert course.status == "active"
    transition_session(sessions[-1], "no_show", user=clinic.nurse, request=None)
    course.refresh_from_db()
    assert course.status == "completed"
    assert course.ended_on == course.starts_on  # clock is before the first day


def test_a_course_with_no_session_given_is_not_completed(clinic, course):
    for session in course.sessions.all():
        transition_session(session, "cancelled", user=clinic.nurse, request=None)
    course.refresh_from_db()
    assert course.status == "planned"


def test_a_discharged_session_cannot_move_again(clinic, course):
    session = _walk(
        course.sessions.get(number=1),
        clinic.nurse,
        "checked_in",
        "dosing",
        "observing",
        "discharged",
    )
    with pytest.raises(TransitionRefused, match="a discharged session cannot become planned"):
        transition_session(session, "planned", user=clinic.nurse, request=None)

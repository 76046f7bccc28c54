"""Keep the stored outcomes in step: refresh a course after its data changes and commits.

A new or corrected score, a session's change of status, a pre-dose hold, an adverse
event or a misuse signal in the home program refreshes the courses concerned once the
transaction commits, so the clinical write
never waits on (or fails because of) the outcome rows. A failure is logged; the nightly
``refresh_outcomes`` rebuilds every row anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)


def connect() -> None:
    from ketaclinic.apps.assessments.models import Assessment
    from ketaclinic.apps.charting.models import AdverseEvent, PreCheck
    from ketaclinic.apps.homeprogram.models import SupplyEvent
    from ketaclinic.apps.treatment.models import Session

    post_save.connect(_assessment_saved, sender=Assessment, dispatch_uid="outcomes-assessment")
    post_save.connect(_session_saved, sender=Session, dispatch_uid="outcomes-session")
    post_save.connect(_charted, sender=AdverseEvent, dispatch_uid="outcomes-adverse-event")
    post_save.connect(_charted, sender=PreCheck, dispatch_uid="outcomes-pre-check")
    post_save.connect(_supply, sender=SupplyEvent, dispatch_uid="outcomes-supply-event")
    from ketaclinic.apps.outcomes.models import CourseOutcome

    post_delete.connect(_outcome_deleted, sender=CourseOutcome, dispatch_uid="outcomes-deleted")


def _outcome_deleted(sender: Any, instance: Any, **_: Any) -> None:
    """A course's row deleted with its course or patient (the refresh deletes its own rows
    without signals): its figures are still in the cells, so the dashboard counts the rows
    until the nightly full refresh rebuilds the cells."""
    from ketaclinic.apps.outcomes.cohort_cells import new_version
    from ketaclinic.apps.outcomes.models import CohortCellState

    CohortCellState.objects.filter(pk=1).update(built=False, version=new_version())


def _assessment_saved(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        patient_id = instance.patient_id
        transaction.on_commit(lambda: _refresh(patient_id=patient_id))


def _session_saved(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        course_id = instance.course_id
        transaction.on_commit(lambda: _refresh(course_id=course_id))


def _charted(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        session_id = instance.session_id
        transaction.on_commit(lambda: _refresh(session_id=session_id))


def _supply(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    if not raw:
        course_id = instance.prescription.course_id
        transaction.on_commit(lambda: _refresh(course_id=course_id))


def _refresh(
    *, patient_id: int | None = None, course_id: int | None = None, session_id: int | None = None
) -> None:
    from ketaclinic.apps.outcomes.refreshing import courses_of_patient, refresh_course_outcomes
    from ketaclinic.apps.treatment.models import Session
    from ketaclinic.apps.web import clock

    try:
        if session_id is not None:
            course_id = Session.objects.values_list("course_id", flat=True).get(pk=session_id)
        ids = [course_id] if course_id is not None else courses_of_patient(patient_id)
        refresh_course_outcomes(ids, clock.now())
    except Exception:  # the clinical write has committed; the nightly rebuild catches up
        logger.exception("outcome refresh failed (patient %s, course %s)", patient_id, course_id)

"""Check-in, pre-dose checks and the prescriber's decision on a hold.

The decision is the core's (``pre_dose_check``); this module stores it with its reasons,
raises the hold alert for the patient's prescriber, and keeps the dose from going ahead until
the prescriber has decided. Each step is one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import acknowledge_alert, raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import HoldOutcome, PreCheckDecision
from ketaclinic.apps.charting.models import HoldDecision, PreCheck
from ketaclinic.apps.charting.parameters import monitoring_parameters
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.treatment.transitions import TransitionRefused, transition_session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.monitoring import PreDoseInput, pre_dose_check

if TYPE_CHECKING:
    from django.http import HttpRequest

HOLD_SOURCE = "pre_check"


def planned_and_today(session: Session) -> tuple[dt.date, dt.date]:
    """The session's planned date and today's date, both in its site's time zone."""
    site_timezone = session.site.timezone
    planned_on = session.planned_start.astimezone(ZoneInfo(site_timezone)).date()
    return planned_on, clock.today(site_timezone)


def check_in(session: Session, *, user: Any, request: HttpRequest | None) -> Session:
    """The patient has arrived: planned -> checked in (recorded and audited by treatment).

    Right patient, right day: only on the session's own date in its site's time zone. A
    check-in two days early (issue 12) would open the chart for dosing on the wrong day;
    refused as an ``InvalidValue`` on ``planned_start``.
    """
    planned_on, today = planned_and_today(session)
    if planned_on != today:
        raise InvalidValue(
            "planned_start",
            f"the session is planned for {planned_on:%Y-%m-%d}; check-in is only on the "
            f"session's own day (today at the site is {today:%Y-%m-%d})",
        )
    try:
        return transition_session(session, SessionStatus.CHECKED_IN, user=user, request=request)
    except TransitionRefused as error:
        raise ChartRefused(f"Cannot check in: {error}.") from None


def record_pre_check(
    session: Session,
    check: PreDoseInput,
    *,
    questionnaire_evidence: str,
    user: Any,
    request: HttpRequest | None,
) -> PreCheck:
    """Run ``pre_dose_check`` and store it; a hold raises an alert for the prescriber."""
    parameters = monitoring_parameters()
    result = pre_dose_check(check, parameters)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.CHECKED_IN:
            raise ChartRefused("Pre-dose checks are done after check-in and before the dose.")
        pre_check = PreCheck.objects.create(
            session=locked,
            checked_at=clock.now(),
            **asdict(check),
            questionnaire_evidence=questionnaire_evidence,
            decision=PreCheckDecision(result.decision.value),
            reasons=[
                {
                    "code": r.code,
                    "decision": r.decision.value,
                    "message": r.message,
                    "source": r.source,
                }
                for r in result.reasons
            ],
            parameters={k: str(v) for k, v in parameters.to_dict().items()},
            checked_by=user,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="pre_check",
            object_id=pre_check.pk,
            patient=session.patient,
            detail={"session": session.pk, "decision": pre_check.decision},
        )
        if pre_check.is_hold:
            raise_alert(
                site=session.patient.site_id,
                kind=AlertKind.SESSION_HOLD,
                level=AlertLevel.URGENT,
                title=f"Session held before dosing: {session.patient.full_name}",
                message=" ".join(reason["message"] for reason in pre_check.reasons),
                patient=session.patient,
                source_type=HOLD_SOURCE,
                source_id=pre_check.pk,
                assigned_to=session.course.prescriber,
                request=request,
            )
    return pre_check


def undecided_hold(pre_checks: list[PreCheck]) -> PreCheck | None:
    """The first held pre-check nobody has decided yet (``pre_checks`` with decisions loaded)."""
    for pre_check in pre_checks:
        if pre_check.is_hold and not _has_decision(pre_check):
            return pre_check
    return None


def _has_decision(pre_check: PreCheck) -> bool:
    try:
        pre_check.hold_decision  # noqa: B018 - a reverse one-to-one raises when absent
    except HoldDecision.DoesNotExist:
        return False
    return True


def decide_hold(
    pre_check: PreCheck, *, outcome: str, reason: str, user: Any, request: HttpRequest | None
) -> HoldDecision:
    """The prescriber's decision on a hold: proceed (with a reason) or cancel the session.

    The hold's alert is acknowledged with the decision as its note, so the alert list shows
    who decided what; cancelling moves the session to cancelled with the same reason.
    """
    reason = reason.strip()
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=pre_check.session_id)
        if not pre_check.is_hold:
            raise ChartRefused("This pre-check did not hold the session.")
        if HoldDecision.objects.filter(pre_check=pre_check).exists():
            raise ChartRefused("This hold has been decided already.")
        if session.status != SessionStatus.CHECKED_IN:
            raise ChartRefused("The session is no longer waiting for a dose.")
        decision = HoldDecision.objects.create(
            pre_check=pre_check,
            outcome=HoldOutcome(outcome),
            reason=reason,
            decided_by=user,
            decided_at=clock.now(),
        )
        record_event(
            request,
            Action.SIGN,
            object_type="hold_decision",
            object_id=decision.pk,
            patient=session.patient,
            detail={"session": session.pk, "pre_check": pre_check.pk, "outcome": outcome},
        )
        note = f"{decision.get_outcome_display()}: {reason}"
        for alert in Alert.objects.filter(
            source_type=HOLD_SOURCE, source_id=str(pre_check.pk), acknowledged_at__isnull=True
        ):
            acknowledge_alert(alert, user=user, note=note, request=request)
        if outcome == HoldOutcome.CANCEL:
            transition_session(
                session, SessionStatus.CANCELLED, user=user, reason=reason, request=request
            )
    return decision

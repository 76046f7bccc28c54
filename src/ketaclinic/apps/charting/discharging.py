"""Discharge: the core's ``discharge_readiness`` on the chart's data, then the discharge itself.

A nurse discharges only a patient the check finds ready; a prescriber may discharge one who
is not, with a reason. The no-driving instruction is shown and its giving recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import ScaleCode
from ketaclinic.apps.charting.models import Administration, Discharge, PreCheck
from ketaclinic.apps.charting.parameters import monitoring_parameters
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.rems import form_at_discharge, queue_at_discharge
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.treatment.transitions import transition_session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.monitoring import (
    NO_DRIVING_INSTRUCTION,
    BaselineVitals,
    DischargeInput,
    LatestVitals,
    discharge_readiness,
    minutes_between,
)
from ketaclinic.clinical.vocabulary import Route

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Readiness:
    """The check as the chart shows it: reasons as ``{"code", "message", "source"}``."""

    ready: bool
    reasons: tuple[dict[str, str], ...]
    observed_minutes: int
    instruction: str = NO_DRIVING_INSTRUCTION


def _missing(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message, "source": ""}


def readiness(
    session: Session, *, as_of: dt.datetime, dissociation_resolved: bool, escort_confirmed: bool
) -> Readiness:
    """Gather baseline (last pre-check), latest vitals, MOAA/S and CADSS; ask the core.

    Data the core needs but the chart lacks (no vitals, no MOAA/S) is a reason too: the nurse
    records it, then checks again.
    """
    administration = Administration.objects.filter(session=session).first()
    if administration is None:
        return Readiness(False, (_missing("not_dosed", "No dose has been given."),), 0)
    observed = minutes_between(administration.started_at, as_of, field="as_of")
    observed_minutes = int(observed.to_integral_value(rounding=ROUND_FLOOR))
    baseline = PreCheck.objects.filter(session=session).order_by("-checked_at", "-id").first()
    latest = session.vital_signs.order_by("-taken_at", "-id").first()
    moaas = session.scale_entries.filter(scale=ScaleCode.MOAAS).order_by("-taken_at", "-id")
    cadss = session.scale_entries.filter(scale=ScaleCode.CADSS).order_by("-taken_at", "-id")
    latest_moaas = moaas.first()
    latest_cadss = cadss.first()
    gaps = []
    if latest is None or latest.taken_at < administration.started_at:
        gaps.append(_missing("vitals_missing", "Record a set of vital signs after the dose."))
    if latest_moaas is None or latest_moaas.taken_at < administration.started_at:
        gaps.append(_missing("moaas_missing", "Record a MOAA/S after the dose."))
    if baseline is None:
        gaps.append(_missing("baseline_missing", "No pre-dose check gives a baseline."))
    if gaps:
        return Readiness(False, tuple(gaps), observed_minutes)
    result = discharge_readiness(
        DischargeInput(
            route=Route(session.course.route),
            minutes_since_dose=observed,
            baseline=BaselineVitals(
                baseline.bp_systolic, baseline.bp_diastolic, baseline.heart_rate
            ),
            latest=LatestVitals(
                latest.bp_systolic,
                latest.bp_diastolic,
                latest.heart_rate,
                latest.spo2,
                latest_moaas.total,
            ),
            dissociation_resolved=dissociation_resolved,
            escort_confirmed=escort_confirmed,
            cadss_total=latest_cadss.total if latest_cadss else None,
        ),
        monitoring_parameters(),
    )
    reasons = tuple(
        {"code": r.code, "message": r.message, "source": r.source} for r in result.reasons
    )
    return Readiness(result.ready, reasons, observed_minutes, result.instructions[0])


def discharge(
    session: Session,
    *,
    dissociation_resolved: bool,
    escort_confirmed: bool,
    escort_name: str,
    instruction_given: bool,
    override_reason: str,
    may_override: bool,
    user: Any,
    request: HttpRequest | None,
    rems_answers: dict[str, Any] | None = None,
) -> Discharge:
    """Discharge now, if ready (or overridden by a prescriber with a reason).

    An esketamine session closes only with its REMS form complete: the form is filled from
    the chart as it stands now (with ``rems_answers`` for what the chart cannot know) and
    queued to send; a missing field raises ``RemsIncomplete`` naming each, and nothing is
    written.
    """
    if not instruction_given:
        raise InvalidValue("instruction_given", "give the no-driving instruction and tick it")
    override_reason = override_reason.strip()
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.OBSERVING:
            raise ChartRefused("Only a patient under observation after the dose is discharged.")
        locked.course = session.course
        now = clock.now()
        check = readiness(
            locked,
            as_of=now,
            dissociation_resolved=dissociation_resolved,
            escort_confirmed=escort_confirmed,
        )
        if not check.ready:
            if not may_override:
                raise ChartRefused(
                    "Not ready for discharge: "
                    + " ".join(reason["message"] for reason in check.reasons)
                )
            if not override_reason:
                raise InvalidValue(
                    "override_reason", "say why the patient leaves although not ready"
                )
        if session.course.route == Route.ESKETAMINE:
            queue_at_discharge(
                locked,
                form_at_discharge(
                    locked, as_of=now, ready_now=check.ready, answers=rems_answers or {}
                ),
                user=user,
                now=now,
                request=request,
            )
        record = Discharge.objects.create(
            session=locked,
            ready=check.ready,
            reasons=list(check.reasons),
            observed_minutes=check.observed_minutes,
            dissociation_resolved=dissociation_resolved,
            escort_confirmed=escort_confirmed,
            escort_name=escort_name.strip(),
            instruction=check.instruction,
            instruction_given=True,
            override_reason="" if check.ready else override_reason,
            discharged_by=user,
            discharged_at=now,
        )
        record_event(
            request,
            Action.SIGN if not check.ready else Action.CREATE,
            object_type="discharge",
            object_id=record.pk,
            patient=session.patient,
            detail={"session": session.pk, "ready": check.ready, "override": not check.ready},
        )
        transition_session(locked, SessionStatus.DISCHARGED, user=user, request=request)
    return record

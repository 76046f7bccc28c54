"""Everything the session chart shows, gathered in a fixed number of queries.

Used by the chart page, every form view that re-renders it with errors, and the vitals
fragment; the API reads the same data through ``chart_data``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from ketaclinic.apps.charting import forms as chart_forms
from ketaclinic.apps.charting.administering import containers_for, why_not_ready_to_dose
from ketaclinic.apps.charting.charts import ChartPoint, vitals_svg
from ketaclinic.apps.charting.choices import HoldOutcome, ScaleCode
from ketaclinic.apps.charting.day import planned_and_today, undecided_hold
from ketaclinic.apps.charting.discharging import readiness
from ketaclinic.apps.charting.dose_orders import protocol_session_dose
from ketaclinic.apps.charting.models import (
    Administration,
    Discharge,
    DoseOrder,
    RemsRecord,
)
from ketaclinic.apps.charting.observing import assess_session
from ketaclinic.apps.charting.parameters import monitoring_parameters
from ketaclinic.apps.charting.questionnaires import todays_self_reports
from ketaclinic.apps.charting.rems import CONCOMITANT, NURSE_FIELDS, prefill
from ketaclinic.apps.treatment.choices import Route, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.monitoring import InSessionAction


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    what: str
    detail: str
    by: str
    tone: str = ""


def _plain(value):
    """A Decimal for a form's initial value: 3.5, not 3.50 (None stays None)."""
    return None if value is None else format(value.normalize(), "f")


def _one(model, session: Session, *related: str):
    return model.objects.filter(session=session).select_related(*related).first()


def gather(session: Session) -> dict[str, Any]:
    """The session's records, each list in one query."""
    return {
        "events": list(session.events.select_related("by")),
        "pre_checks": list(
            session.pre_checks.select_related("checked_by", "hold_decision__decided_by")
        ),
        "order": _one(DoseOrder, session, "ordered_by"),
        "administration": _one(Administration, session, "started_by", "stopped_by"),
        "vitals": list(session.vital_signs.select_related("entered_by")),
        "scales": list(session.scale_entries.select_related("entered_by")),
        "monitoring_events": list(session.monitoring_events.all()),
        "adverse_events": list(session.adverse_events.select_related("recorded_by")),
        "rescue_medications": list(session.rescue_medications.select_related("given_by")),
        "notes": list(session.notes.select_related("author")),
        "discharge": _one(Discharge, session, "discharged_by"),
    }


def _timeline(data: dict[str, Any]) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            e.at,
            f"Status: {e.get_to_status_display()}",
            e.reason,
            e.by.display_name,
        )
        for e in data["events"]
    ]
    for check in data["pre_checks"]:
        entries.append(
            TimelineEntry(
                check.checked_at,
                f"Pre-dose check: {check.get_decision_display()}",
                f"BP {check.bp_systolic}/{check.bp_diastolic}, HR {check.heart_rate}, "
                f"SpO2 {check.spo2}%",
                check.checked_by.display_name,
                "urgent" if check.is_hold else "",
            )
        )
        decision = getattr(check, "hold_decision", None)
        if decision is not None:
            entries.append(
                TimelineEntry(
                    decision.decided_at,
                    f"Prescriber's decision on the hold: {decision.get_outcome_display()}",
                    decision.reason,
                    decision.decided_by.display_name,
                )
            )
    order, given = data["order"], data["administration"]
    if order:
        entries.append(
            TimelineEntry(
                order.ordered_at,
                "Dose ordered",
                f"{order.dose_mg.normalize():f} mg {order.get_route_display()}",
                order.ordered_by.display_name,
            )
        )
    if given:
        entries.append(
            TimelineEntry(
                given.started_at,
                "Dose started",
                f"{given.product}, lot {given.lot}",
                given.started_by.display_name,
            )
        )
        if given.stopped_at:
            entries.append(
                TimelineEntry(
                    given.stopped_at,
                    "Dose ended",
                    f"{given.dose_given_mg.normalize():f} mg given" if given.dose_given_mg else "",
                    given.stopped_by.display_name if given.stopped_by else "",
                )
            )
        for d in given.deviations:
            entries.append(
                TimelineEntry(
                    dt.datetime.fromisoformat(d["at"]),
                    "Dose deviation accepted"
                    + (" (prescriber's override)" if d["authority"] == "prescriber" else ""),
                    f"{d['message']}. Reason: {d['reason']}",
                    d["accepted_by"],
                    "urgent",
                )
            )
    for v in data["vitals"]:
        entries.append(
            TimelineEntry(
                v.taken_at,
                "Vital signs",
                f"BP {v.bp_systolic}/{v.bp_diastolic}, HR {v.heart_rate}, SpO2 {v.spo2}%",
                v.entered_by.display_name,
            )
        )
    for s in data["scales"]:
        entries.append(
            TimelineEntry(
                s.taken_at, s.get_scale_display(), str(s.total), s.entered_by.display_name
            )
        )
    for m in data["monitoring_events"]:
        entries.append(
            TimelineEntry(m.raised_at, m.get_action_display(), m.message, "rule", "urgent")
        )
    for a in data["adverse_events"]:
        entries.append(
            TimelineEntry(
                a.onset_at,
                f"Adverse event: {a.get_kind_display()} ({a.get_severity_display().lower()})",
                a.action_taken,
                a.recorded_by.display_name,
                "warning",
            )
        )
    for r in data["rescue_medications"]:
        entries.append(
            TimelineEntry(
                r.given_at,
                f"Rescue medication: {r.drug}",
                f"{r.dose_mg.normalize():f} mg {r.get_route_display()}",
                r.given_by.display_name,
            )
        )
    for n in data["notes"]:
        entries.append(
            TimelineEntry(n.written_at, n.get_kind_display(), n.text, n.author.display_name)
        )
    if data["discharge"]:
        d = data["discharge"]
        entries.append(
            TimelineEntry(
                d.discharged_at,
                "Discharged" + ("" if d.ready else " (prescriber override)"),
                d.override_reason or d.instruction,
                d.discharged_by.display_name,
            )
        )
    return sorted(entries, key=lambda e: e.at)


def vitals_panel(session: Session, data: dict[str, Any], user) -> dict[str, Any]:
    """The vitals fragment's context: chart, table, live assessment, form flags."""
    given = data["administration"]
    assessment = assess_session(given, data["vitals"], data["scales"])
    parameters = monitoring_parameters()
    svg = vitals_svg(
        [
            ChartPoint(v.taken_at, v.bp_systolic, v.bp_diastolic, v.heart_rate, v.spo2)
            for v in data["vitals"]
        ],
        parameters,
        dose_started_at=given.started_at if given else None,
        dose_stopped_at=given.stopped_at if given else None,
        title=f"Vital signs, {session.patient.full_name}",
    )
    calling = assessment is not None and assessment.action in (
        InSessionAction.PAUSE,
        InSessionAction.STOP,
    )
    return {
        "assessment": assessment,
        "assessment_calls": calling,
        "assessment_recheck": assessment is not None
        and assessment.action == InSessionAction.RECHECK,
        "vitals_svg": svg,
        "vitals": data["vitals"],
        "moaas_entries": [s for s in data["scales"] if s.scale == ScaleCode.MOAAS],
        "cadss_entries": [s for s in data["scales"] if s.scale == ScaleCode.CADSS],
        "can_chart": user.has_perm("charting.chart_session")
        and session.status
        in (SessionStatus.CHECKED_IN, SessionStatus.DOSING, SessionStatus.OBSERVING),
    }


def _rems_discharge_initial(session: Session, rems) -> dict[str, Any]:
    """The discharge form's REMS questions, prefilled from the saved form or the last one."""
    values = prefill(session, as_of=clock.now())
    if rems is not None:
        values.update({name: getattr(rems, name) for name in NURSE_FIELDS})
    initial: dict[str, Any] = {
        name: chart_forms.yes_no_initial(values.get(name)) for name in CONCOMITANT
    }
    initial["ready_to_leave_minutes"] = values.get("ready_to_leave_minutes")
    return initial


def chart_context(request: HttpRequest, session: Session, **forms: Any) -> dict[str, Any]:
    user = request.user
    data = gather(session)
    pre_checks = data["pre_checks"]
    held = undecided_hold(pre_checks)
    status = session.status
    is_esketamine = session.course.route == Route.ESKETAMINE
    rems = RemsRecord.objects.filter(session=session).first() if is_esketamine else None
    readiness_preview = None
    if status == SessionStatus.OBSERVING:
        readiness_preview = readiness(
            session, as_of=clock.now(), dissociation_resolved=True, escort_confirmed=True
        )
    cancelled_by_hold = any(
        getattr(c, "hold_decision", None) is not None
        and c.hold_decision.outcome == HoldOutcome.CANCEL
        for c in pre_checks
    )
    may_chart = user.has_perm("charting.chart_session")
    planned_on, today = planned_and_today(session)
    may_dose = user.has_perm("charting.administer_dose")
    may_override = user.has_perm("charting.override_administration")
    order_mg_per_kg, order_mg = protocol_session_dose(session.course)
    context = {
        "session": session,
        "patient": session.patient,
        "site_tz": session.patient.site.timezone,
        **data,
        **vitals_panel(session, data, user),
        "latest_pre_check": pre_checks[-1] if pre_checks else None,
        "self_reports": todays_self_reports(session) if status == SessionStatus.CHECKED_IN else [],
        "held": held,
        "cancelled_by_hold": cancelled_by_hold,
        "dose_blocker": why_not_ready_to_dose(session)
        if status == SessionStatus.CHECKED_IN
        else None,
        "readiness": readiness_preview,
        "is_esketamine": is_esketamine,
        "rems": rems,
        "timeline": _timeline(data),
        "integration_note_count": session.integration_notes.count(),
        "can_check_in": user.has_perm("charting.check_in_session")
        and status == SessionStatus.PLANNED
        and planned_on == today,
        "planned_on": planned_on,
        "can_pre_check": may_chart and status == SessionStatus.CHECKED_IN,
        "can_decide": user.has_perm("charting.decide_hold") and held is not None,
        "can_order": user.has_perm("charting.order_dose")
        and data["order"] is None
        and status in (SessionStatus.PLANNED, SessionStatus.CHECKED_IN),
        "can_start": (may_dose or may_override) and status == SessionStatus.CHECKED_IN,
        "can_finish": (may_dose or may_override) and status == SessionStatus.DOSING,
        "can_override_dose": may_override,
        "deviations": data["administration"].deviations if data["administration"] else [],
        "preview_requested": None,
        "can_discharge": status == SessionStatus.OBSERVING
        and (may_chart or user.has_perm("charting.override_discharge")),
        "can_override": user.has_perm("charting.override_discharge"),
        "can_nurse_note": may_chart,
        "can_prescriber_note": user.has_perm("charting.write_prescriber_note"),
        "can_rems": is_esketamine and user.has_perm("charting.record_rems"),
        "can_read_integration": user.has_perm("charting.read_integration_note"),
        "pre_check_form": chart_forms.PreCheckForm(),
        "hold_form": chart_forms.HoldDecisionForm(),
        "order_form": chart_forms.DoseOrderForm(
            initial={
                "mg_per_kg": _plain(order_mg_per_kg),
                "dose_mg": _plain(order_mg),
                "duration_min": session.course.infusion_minutes,
            }
        ),
        "start_form": chart_forms.StartAdministrationForm(
            initial={"volume_drawn_ml": _plain(data["order"].volume_ml) if data["order"] else None},
            containers=containers_for(session),
            order=data["order"],
        ),
        "finish_form": chart_forms.FinishAdministrationForm(
            initial={
                "volume_given_ml": _plain(data["administration"].volume_drawn_ml)
                if data["administration"]
                else None,
                "units_given": data["administration"].expected_units
                if data["administration"]
                else None,
            }
        ),
        "vital_form": chart_forms.VitalSignForm(),
        "moaas_form": chart_forms.MoaasForm(),
        "cadss_form": chart_forms.CadssForm(),
        "adverse_form": chart_forms.AdverseEventForm(),
        "rescue_form": chart_forms.RescueMedicationForm(),
        "discharge_form": chart_forms.DischargeForm(
            initial=_rems_discharge_initial(session, rems)
            if readiness_preview and is_esketamine
            else None
        ),
        "note_form": chart_forms.SessionNoteForm(),
    }
    context.update(forms)
    return context

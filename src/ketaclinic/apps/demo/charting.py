"""Demo session charts for the discharged dosing sessions: believable numbers, in bulk.

For each session the treatment demo discharged: a pre-dose check, the dose ordered by the
core's dosing from the patient's latest weight, the administration (linked to the ledger
demo's entry when there is one), vitals every 5-10 minutes with blood pressure rising to a
peak around 40 minutes and back (as in the esketamine label and IV studies), MOAA/S and
CADSS, occasional adverse events (nausea in about 7% of sessions, transient hypertension in
about 3%, a few others) with rescue medication, and the discharge as the core judges it.
Esketamine sessions get their REMS record (submitted for older ones). Numbers stay under the
in-session alarm lines, so the demo's alerts are the REMS reminders and nothing invented.

Everything is drawn from the ``rng`` passed in and inserted with ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.charting.choices import (
    AdverseEventKind,
    MedicationRoute,
    NoteKind,
    PreCheckDecision,
    QuestionnaireEvidence,
    RespiratoryStatus,
    ScaleCode,
    Severity,
)
from ketaclinic.apps.charting.dose_orders import drug_for, result_as_json
from ketaclinic.apps.charting.models import (
    Administration,
    AdverseEvent,
    Discharge,
    DoseOrder,
    IntegrationNote,
    PreCheck,
    RemsRecord,
    RescueMedication,
    ScaleEntry,
    SessionNote,
    VitalSign,
)
from ketaclinic.apps.charting.rems import raise_rems_reminders
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.apps.treatment.models import Session
from ketaclinic.clinical.body_weight import Sex
from ketaclinic.clinical.dosing import calculate_dose
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.monitoring import (
    BaselineVitals,
    DischargeInput,
    LatestVitals,
    PreDoseInput,
    discharge_readiness,
    minutes_between,
    pre_dose_check,
)
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.scales import score

BATCH = 2000
PRODUCT = {
    Route.IV: ("Ketamine HCl 10 mg/mL, 20 mL vial", Decimal("10")),
    Route.IM: ("Ketamine HCl 50 mg/mL, 10 mL vial", Decimal("50")),
    Route.ESKETAMINE: ("Spravato 28 mg nasal device", None),
    Route.SUBLINGUAL: ("Ketamine 100 mg troche (compounded)", None),
    Route.ORAL: ("Ketamine 50 mg/5 mL oral solution", None),
}
NURSING_NOTES = (
    "Tolerated well; music and eyeshade; talked about the week after recovery.",
    "Quiet session; some time distortion reported, resolved by discharge.",
    "Anxious at the start; settled with breathing and reassurance.",
    "Mild nausea only; ate crackers before leaving with her partner.",
)
INTEGRATION = (
    (
        "Wants to feel less stuck about work and reconnect with friends.",
        "Felt weightless and calm; a memory of a childhood garden came back.",
        "Self-compassion; permission to rest.",
        "Walk daily; message one friend this week; journal after the next session.",
    ),
    (
        "Hopes to understand the grief that has not moved.",
        "Saw her mother's kitchen; cried; felt relief afterwards.",
        "Grief held with warmth rather than dread.",
        "Bring photos next time; grief group information given.",
    ),
)


@dataclass
class _Rows:
    pre_checks: list = None
    orders: list = None
    administrations: list = None
    vitals: list = None
    scales: list = None
    adverse: list = None
    rescue: list = None
    discharges: list = None
    notes: list = None
    rems: list = None
    integration: list = None

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, [])


def _bump(minute: float, peak_at: float = 40.0, width: float = 28.0) -> float:
    """0..1: the shape of the blood-pressure rise, highest around minute 40."""
    return math.exp(-(((minute - peak_at) / width) ** 2))


def _scored(scale: str, answers: dict[str, int]) -> tuple[dict, int, str]:
    result = score(scale, answers)
    return dict(result.answers), result.total, result.band_label or ""


def _cadss_answers(rng: random.Random, mean_item: float) -> dict[str, int]:
    """23 subjective item scores (0-4) with about ``mean_item`` average."""
    answers = {}
    for n in range(1, 24):
        value = 0
        for _ in range(4):
            if rng.random() < mean_item / 4:
                value += 1
        answers[f"item{n}"] = value
    return answers


def _latest_weights(patient_ids: Iterable[int]) -> dict[int, Measurement]:
    latest: dict[int, Measurement] = {}
    for m in Measurement.objects.filter(patient_id__in=list(patient_ids)).order_by(
        "patient_id", "measured_on", "id"
    ):
        latest[m.patient_id] = m
    return latest


def _ledger_links(session_ids: list[int]) -> dict[int, object]:
    """The ledger demo's administration entry per session, if the ledger is seeded."""
    from ketaclinic.apps.ledger.models import LedgerEntry

    return {
        e.session_id: e
        for e in LedgerEntry.objects.filter(
            kind="administration", session_id__in=session_ids
        ).select_related("container__product", "container__lot")
    }


def discharged_dosing_sessions():
    """The sessions to chart: dosing sessions in the clinic that ended in a discharge."""
    return (
        Session.objects.filter(status="discharged", kind="dosing")
        .exclude(course__protocol_id="sublingual-home", number__gt=1)
        .select_related("course", "course__prescriber", "patient", "site")
        .order_by("id")
    )


def create_session_charts(
    sessions: Iterable[Session], users: dict[str, User], rng: random.Random, now: dt.datetime
) -> int:
    """Chart every discharged dosing session given; returns how many were charted."""
    sessions = list(sessions)
    weights = _latest_weights({s.patient_id for s in sessions})
    ledger = _ledger_links([s.pk for s in sessions])
    nurse_of = {
        s.site_id: users["nurse" if s.site.slug == "riverside" else "nurse.lakeview"]
        for s in sessions
    }
    baselines: dict[int, tuple[int, int, int]] = {}
    rows = _Rows()
    charted = 0
    for session in sessions:
        if not (session.checked_in_at and session.dose_started_at and session.discharged_at):
            continue
        measurement = weights.get(session.patient_id)
        if measurement is None:
            continue
        base = baselines.setdefault(
            session.patient_id,
            (
                max(100, min(150, round(rng.gauss(124, 11)))),
                max(62, min(92, round(rng.gauss(78, 7)))),
                max(54, min(96, round(rng.gauss(72, 8)))),
            ),
        )
        if _chart_one(
            session,
            measurement,
            base,
            nurse_of[session.site_id],
            users,
            rng,
            rows,
            ledger.get(session.pk),
            now,
        ):
            charted += 1
    _insert(rows)
    raise_rems_reminders(now)
    return charted


def _chart_one(session, measurement, base, nurse, users, rng, rows, entry, now) -> bool:
    course = session.course
    route = Route(course.route)
    start, end = session.dose_started_at, session.dose_ended_at or session.dose_started_at
    checked = session.checked_in_at
    sys0, dia0, hr0 = (
        base[0] + rng.randint(-6, 6),
        base[1] + rng.randint(-4, 4),
        base[2] + rng.randint(-5, 5),
    )
    dia0 = min(dia0, sys0 - 25)  # a pulse pressure of at least 25 mmHg
    check = PreDoseInput(
        bp_systolic=sys0,
        bp_diastolic=dia0,
        heart_rate=hr0,
        spo2=rng.randint(96, 99),
        questionnaires_done=True,
        last_food_minutes_ago=rng.randint(150, 720),
        last_liquid_minutes_ago=rng.randint(40, 240),
        escort_present=True,
    )
    decision = pre_dose_check(check)
    checked_at = min(checked + dt.timedelta(minutes=rng.randint(3, 8)), start)
    rows.pre_checks.append(
        PreCheck(
            session=session,
            checked_at=checked_at,
            bp_systolic=check.bp_systolic,
            bp_diastolic=check.bp_diastolic,
            heart_rate=check.heart_rate,
            spo2=check.spo2,
            questionnaires_done=True,
            questionnaire_evidence=QuestionnaireEvidence.NURSE_CONFIRMED,
            last_food_minutes_ago=check.last_food_minutes_ago,
            last_liquid_minutes_ago=check.last_liquid_minutes_ago,
            escort_present=True,
            decision=PreCheckDecision(decision.decision.value),
            reasons=[
                {
                    "code": r.code,
                    "decision": r.decision.value,
                    "message": r.message,
                    "source": r.source,
                }
                for r in decision.reasons
            ],
            checked_by=nurse,
        )
    )
    product, concentration = PRODUCT[route]
    sex = session.patient.sex_at_birth
    try:
        result = calculate_dose(
            route,
            weight_kg=measurement.weight_kg,
            height_cm=measurement.height_cm,
            sex=Sex(sex) if sex in {s.value for s in Sex} else None,
            mg_per_kg=course.target_dose_mg_per_kg if course.target_dose_mg is None else None,
            dose_mg=course.target_dose_mg,
            concentration_mg_per_ml=concentration,
            duration_min=(course.infusion_minutes or 40) if route is Route.IV else None,
        )
    except InputError:
        rows.pre_checks.pop()
        return False
    order = DoseOrder(
        session=session,
        drug=drug_for(route.value),
        route=route.value,
        mg_per_kg=course.target_dose_mg_per_kg if course.target_dose_mg is None else None,
        requested_dose_mg=result.requested_dose_mg,
        dose_mg=result.dose_mg,
        weight_kg=measurement.weight_kg,
        weight_measured_on=measurement.measured_on,
        weight_basis=result.weight_basis.value,
        weight_used_kg=result.weight_used_kg,
        concentration_mg_per_ml=concentration,
        volume_ml=result.volume_ml,
        duration_min=result.duration_min,
        rate_ml_per_h=result.rate_ml_per_h,
        devices=result.devices,
        capped=result.capped,
        result=result_as_json(result),
        ordered_by=course.prescriber,
        ordered_at=checked_at - dt.timedelta(minutes=rng.randint(5, 60 * 20)),
    )
    rows.orders.append(order)
    given = Administration(
        session=session,
        order=order,
        product=product,
        lot=f"DEMO-{rng.randint(1000, 9999)}",
        volume_drawn_ml=result.volume_ml,
        volume_given_ml=result.volume_ml,
        dose_given_mg=result.dose_mg,
        started_at=start,
        stopped_at=end,
        started_by=nurse,
        stopped_by=nurse,
    )
    if entry is not None:
        stock = entry.container.product
        given.container_id = entry.container_id
        given.ledger_entry_id = entry.pk
        given.product = stock.name
        given.lot = entry.container.lot.lot_number
        if stock.measure == "ul":
            given.volume_drawn_ml = Decimal(entry.details.get("drawn", entry.quantity)) / 1000
            given.volume_given_ml = Decimal(entry.quantity) / 1000
        else:
            given.volume_drawn_ml = given.volume_given_ml = None
        given.dose_given_mg = stock.mass_mg(entry.quantity)
    rows.administrations.append(given)

    hypertensive = rng.random() < 0.03
    rise_sys = max(rng.uniform(38, 50), 164 - sys0) if hypertensive else rng.uniform(6, 22)
    rise_dia = rise_sys * rng.uniform(0.45, 0.6)
    rise_hr = rng.uniform(4, 14)
    discharged = session.discharged_at
    total_minutes = float(minutes_between(start, discharged, field="discharged_at"))
    minute = 0.0
    last = None
    while minute <= total_minutes - 3:
        shape = _bump(minute)
        systolic = min(178, round(sys0 + rise_sys * shape + rng.gauss(0, 3)))
        diastolic = min(108, round(dia0 + rise_dia * shape + rng.gauss(0, 2)))
        last = VitalSign(
            session=session,
            taken_at=start + dt.timedelta(minutes=minute),
            bp_systolic=systolic,
            bp_diastolic=min(diastolic, systolic - 20),
            heart_rate=min(115, round(hr0 + rise_hr * shape + rng.gauss(0, 2))),
            spo2=rng.randint(95, 99),
            respiratory_rate=rng.randint(12, 18) if rng.random() < 0.5 else None,
            entered_by=nurse,
            entered_at=start + dt.timedelta(minutes=minute + rng.uniform(0.2, 1.5)),
        )
        rows.vitals.append(last)
        minute += rng.randint(5, 10)
    if last is None:
        return True
    moaas_times = ((15, rng.choice((4, 4, 5, 5, 3))), (40, rng.choice((4, 5, 5))))
    for at, level in moaas_times:
        if at < total_minutes - 10:
            answers, total, band = _scored("moaas", {"item1": level})
            rows.scales.append(
                ScaleEntry(
                    session=session,
                    scale=ScaleCode.MOAAS,
                    taken_at=start + dt.timedelta(minutes=at),
                    answers=answers,
                    total=total,
                    band_label=band,
                    entered_by=nurse,
                )
            )
    final_at = discharged - dt.timedelta(minutes=rng.randint(4, 8))
    answers, total, band = _scored("moaas", {"item1": 5})
    rows.scales.append(
        ScaleEntry(
            session=session,
            scale=ScaleCode.MOAAS,
            taken_at=final_at,
            answers=answers,
            total=5,
            band_label=band,
            entered_by=nurse,
        )
    )
    peak_mean = 1.0 if route is Route.IV else 0.7
    if total_minutes > 50:
        answers, total, _band = _scored("cadss", _cadss_answers(rng, rng.uniform(0.3, peak_mean)))
        rows.scales.append(
            ScaleEntry(
                session=session,
                scale=ScaleCode.CADSS,
                taken_at=start + dt.timedelta(minutes=40),
                answers=answers,
                total=total,
                entered_by=nurse,
            )
        )
    answers, cadss_final, _band = _scored("cadss", _cadss_answers(rng, 0.05))
    rows.scales.append(
        ScaleEntry(
            session=session,
            scale=ScaleCode.CADSS,
            taken_at=final_at - dt.timedelta(minutes=2),
            answers=answers,
            total=cadss_final,
            entered_by=nurse,
        )
    )

    _adverse_events(session, start, hypertensive, nurse, rng, rows)
    readiness = discharge_readiness(
        DischargeInput(
            route=route,
            minutes_since_dose=minutes_between(start, discharged, field="discharged_at"),
            baseline=BaselineVitals(sys0, dia0, hr0),
            latest=LatestVitals(last.bp_systolic, last.bp_diastolic, last.heart_rate, last.spo2, 5),
            dissociation_resolved=True,
            escort_confirmed=True,
            cadss_total=cadss_final,
        )
    )
    observed = int(total_minutes)
    override = ""
    if not readiness.ready:
        after = int(float(minutes_between(end, discharged, field="discharged_at")))
        override = (
            f"Discharged per the clinic's protocol: {observed} minutes after the dose started, "
            f"{after} after it ended; vitals at baseline, MOAA/S 5, escort present."
        )
    rows.discharges.append(
        Discharge(
            session=session,
            ready=readiness.ready,
            reasons=[
                {"code": r.code, "message": r.message, "source": r.source}
                for r in readiness.reasons
            ],
            observed_minutes=observed,
            dissociation_resolved=True,
            escort_confirmed=True,
            escort_name=rng.choice(("Partner", "Sister", "Friend", "Husband", "Wife", "Son")),
            instruction=readiness.instructions[0],
            instruction_given=True,
            override_reason=override,
            discharged_by=course.prescriber if override else nurse,
            discharged_at=discharged,
        )
    )
    if rng.random() < 0.2:
        rows.notes.append(
            SessionNote(
                session=session,
                kind=NoteKind.NURSING,
                text=rng.choice(NURSING_NOTES),
                author=nurse,
                written_at=discharged - dt.timedelta(minutes=2),
            )
        )
    if route is Route.ESKETAMINE:
        _rems(session, order, given, sys0, dia0, start, discharged, last, nurse, rng, rows, now)
    if course.protocol_id == "kap" and "therapist" in users and session.site.slug == "riverside":
        intentions, experience, themes, plan = rng.choice(INTEGRATION)
        rows.integration.append(
            IntegrationNote(
                patient_id=session.patient_id,
                session=session,
                met_on=(discharged + dt.timedelta(days=1)).date(),
                intentions=intentions,
                experience=experience,
                integration_themes=themes,
                plan=plan,
                author=users["therapist"],
                written_at=discharged + dt.timedelta(days=1),
            )
        )
    return True


def _adverse_events(session, start, hypertensive, nurse, rng, rows) -> None:
    def event(kind, minute, action, severity=Severity.MILD, description=""):
        onset = start + dt.timedelta(minutes=minute)
        rows.adverse.append(
            AdverseEvent(
                session=session,
                kind=kind,
                severity=severity,
                onset_at=onset,
                description=description,
                action_taken=action,
                recorded_by=nurse,
                recorded_at=onset + dt.timedelta(minutes=3),
            )
        )
        return onset

    if hypertensive:
        event(
            AdverseEventKind.HYPERTENSION,
            rng.randint(30, 45),
            "Infusion rate reduced; BP rechecked every 5 minutes until below 160/100.",
            description="Transient rise in blood pressure near the peak of the dose.",
        )
    if rng.random() < 0.07:
        onset = event(
            AdverseEventKind.NAUSEA,
            rng.randint(20, 60),
            "Ondansetron 4 mg IV; settled within 20 minutes.",
            Severity.MILD if rng.random() < 0.8 else Severity.MODERATE,
        )
        rows.rescue.append(
            RescueMedication(
                session=session,
                drug="Ondansetron",
                dose_mg=Decimal("4"),
                route=MedicationRoute.IV,
                given_at=onset + dt.timedelta(minutes=2),
                reason="nausea",
                given_by=nurse,
            )
        )
        if rng.random() < 0.2:
            event(AdverseEventKind.VOMITING, rng.randint(25, 65), "Observed; settled.")
    if rng.random() < 0.02:
        event(
            AdverseEventKind.DIZZINESS,
            rng.randint(60, 90),
            "Sat with support; resolved before discharge.",
        )
    if rng.random() < 0.02:
        event(
            AdverseEventKind.DISSOCIATION,
            rng.randint(15, 40),
            "Reassurance, lights dimmed, music; resolved.",
            Severity.MODERATE,
        )


def _rems(session, order, given, sys0, dia0, start, discharged, last, nurse, rng, rows, now):
    around_40 = [
        v
        for v in rows.vitals[-40:]
        if v.session is session and 30 * 60 <= (v.taken_at - start).total_seconds() <= 50 * 60
    ]
    at_40 = min(
        around_40, key=lambda v: abs((v.taken_at - start).total_seconds() - 2400), default=None
    )
    submitted = discharged + dt.timedelta(days=rng.randint(1, 5))
    forgotten = rng.random() < 0.05
    is_submitted = not forgotten and submitted <= now - dt.timedelta(days=1)
    rows.rems.append(
        RemsRecord(
            session=session,
            dose_mg=order.dose_mg.quantize(Decimal("0.1")),
            lot=given.lot,
            monitoring_minutes=int((discharged - start).total_seconds() // 60),
            bp_before_systolic=sys0,
            bp_before_diastolic=dia0,
            bp_40min_systolic=at_40.bp_systolic if at_40 else None,
            bp_40min_diastolic=at_40.bp_diastolic if at_40 else None,
            bp_discharge_systolic=last.bp_systolic,
            bp_discharge_diastolic=last.bp_diastolic,
            sedation=False,
            dissociation=True,
            respiratory_status=RespiratoryStatus.NORMAL,
            concomitant_medications="",
            adverse_events="",
            prepared_by=nurse,
            prepared_at=discharged,
            submitted_at=submitted if is_submitted else None,
            submitted_by=nurse if is_submitted else None,
            submission_reference=f"REMS-{rng.randint(100000, 999999)}" if is_submitted else "",
        )
    )


def _insert(rows: _Rows) -> None:
    PreCheck.objects.bulk_create(rows.pre_checks, batch_size=BATCH)
    DoseOrder.objects.bulk_create(rows.orders, batch_size=BATCH)
    for given in rows.administrations:
        given.order_id = given.order.pk
    Administration.objects.bulk_create(rows.administrations, batch_size=BATCH)
    VitalSign.objects.bulk_create(rows.vitals, batch_size=BATCH)
    ScaleEntry.objects.bulk_create(rows.scales, batch_size=BATCH)
    AdverseEvent.objects.bulk_create(rows.adverse, batch_size=BATCH)
    RescueMedication.objects.bulk_create(rows.rescue, batch_size=BATCH)
    Discharge.objects.bulk_create(rows.discharges, batch_size=BATCH)
    SessionNote.objects.bulk_create(rows.notes, batch_size=BATCH)
    RemsRecord.objects.bulk_create(rows.rems, batch_size=BATCH)
    IntegrationNote.objects.bulk_create(rows.integration, batch_size=BATCH)

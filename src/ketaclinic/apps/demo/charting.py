"""Demo session charts for the discharged dosing sessions: believable numbers, in bulk.

For each session the treatment demo discharged: a pre-dose check (about 2% held — blood
pressure high on arrival or no escort yet — and let go ahead by the prescriber with a
reason, as ``decide_hold`` records it), the dose ordered by the core's dosing from the
patient's latest weight, the administration (linked to the ledger demo's entry when there is
one), vitals every 5-10 minutes with blood pressure rising to a peak around 40 minutes and
back (as in the esketamine label and IV studies), MOAA/S and CADSS, occasional adverse
events (nausea in about 7% of sessions, transient hypertension in about 3%, a few others)
with rescue medication, and the discharge as the core judges it. The treatment demo
discharges most patients a few minutes after the default 120-minute observation; the
sessions it kept longer get a reason here (excessive sedation, an emergence reaction, or
blood pressure slow to settle), and the few it let go early (never esketamine, whose label
requires the 2 hours) are prescriber overrides with the review that justified them.
Esketamine sessions get their REMS record (submitted for older ones). Numbers stay under the
in-session alarm lines, so the demo's alerts are the holds and REMS reminders.

Everything is drawn from the ``rng`` passed in. The many rows (vitals, scales, pre-checks,
orders, administrations, discharges) go in as plain rows (``bulk_write.insert_rows``), the
fewer (events, notes, REMS records) as model instances (``bulk_write.insert_objects``), the
holds with ``bulk_create``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.charting.choices import (
    AdverseEventKind,
    HoldOutcome,
    MedicationRoute,
    NoteKind,
    PreCheckDecision,
    QuestionnaireEvidence,
    RemsStatus,
    RespiratoryStatus,
    ScaleCode,
    Severity,
)
from ketaclinic.apps.charting.day import HOLD_SOURCE
from ketaclinic.apps.charting.dose_orders import drug_for, result_as_json
from ketaclinic.apps.charting.models import (
    Administration,
    AdverseEvent,
    Discharge,
    DoseOrder,
    HoldDecision,
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
from ketaclinic.apps.web.bulk_write import insert_objects, insert_rows, reserve_ids
from ketaclinic.clinical.body_weight import Sex
from ketaclinic.clinical.dosing import calculate_dose
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.monitoring import (
    BaselineVitals,
    DischargeInput,
    LatestVitals,
    MonitoringParameters,
    PreDoseInput,
    discharge_readiness,
    minutes_between,
    pre_dose_check,
)
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.scales import score

PARAMETERS = MonitoringParameters()
PARAMETERS_JSON = {k: str(v) for k, v in PARAMETERS.to_dict().items()}  # as a pre-check stores
SEXES = frozenset(s.value for s in Sex)
SLOW_RECOVERY_MINUTES = 15  # kept this much past the minimum: the chart says why
HOLD_SHARE = 0.02
ONE_MINUTE = dt.timedelta(minutes=1)
RECENT_DAYS = 21
CHUNK = 4000  # sessions charted, then written, per round
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
# The columns written as plain rows, in the order each row tuple gives them.
PRE_CHECK_COLUMNS = (
    "session", "checked_at", "bp_systolic", "bp_diastolic", "heart_rate", "spo2",
    "questionnaires_done", "questionnaire_evidence", "last_food_minutes_ago",
    "last_liquid_minutes_ago", "escort_present", "decision", "reasons", "parameters",
    "checked_by",
)  # fmt: skip
ORDER_COLUMNS = (
    "id", "session", "drug", "route", "mg_per_kg", "requested_dose_mg", "dose_mg", "weight_kg",
    "weight_measured_on", "weight_basis", "weight_used_kg", "concentration_mg_per_ml",
    "volume_ml", "duration_min", "rate_ml_per_h", "devices", "capped", "result", "ordered_by",
    "ordered_at",
)  # fmt: skip
ADMINISTRATION_COLUMNS = (
    "session", "order", "product", "lot", "volume_drawn_ml", "volume_given_ml", "dose_given_mg",
    "started_at", "stopped_at", "started_by", "stopped_by", "container", "ledger_entry",
)  # fmt: skip
VITAL_COLUMNS = (
    "session", "taken_at", "bp_systolic", "bp_diastolic", "heart_rate", "spo2",
    "respiratory_rate", "entered_by", "entered_at",
)  # fmt: skip
SCALE_COLUMNS = (
    "session", "scale", "taken_at", "answers", "total", "band_label", "entered_by",
)  # fmt: skip
DISCHARGE_COLUMNS = (
    "session", "ready", "reasons", "observed_minutes", "dissociation_resolved",
    "escort_confirmed", "escort_name", "instruction", "instruction_given", "override_reason",
    "discharged_by", "discharged_at",
)  # fmt: skip


@dataclass
class _Rows:
    """What the charts add up to before insertion: plain rows for the big tables (in their
    ``*_COLUMNS`` order), model instances for the small ones."""

    pre_checks: list = field(default_factory=list)
    holds: list = field(default_factory=list)  # (pre-check row index, decision, alert)
    orders: list = field(default_factory=list)
    administrations: list = field(default_factory=list)
    vitals: list = field(default_factory=list)
    scales: list = field(default_factory=list)
    adverse: list = field(default_factory=list)
    rescue: list = field(default_factory=list)
    discharges: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    rems: list = field(default_factory=list)
    integration: list = field(default_factory=list)
    cadss: _Cadss | None = None
    normal: list[float] = field(default_factory=list)  # standard normal deviates, reused

    WRITTEN = (
        "pre_checks", "holds", "orders", "administrations", "vitals", "scales", "adverse",
        "rescue", "discharges", "notes", "rems", "integration",
    )  # fmt: skip


@dataclass(frozen=True)
class _Stock:
    """The ledger demo's administration entry for a session, as the chart needs it."""

    entry_id: int
    container_id: int
    quantity: int
    drawn: int
    product: object
    lot_number: str


def _bump(minute: float, peak_at: float = 40.0, width: float = 28.0) -> float:
    """0..1: the shape of the blood-pressure rise, highest around minute 40."""
    return math.exp(-(((minute - peak_at) / width) ** 2))


def _scored(scale: str, answers: dict[str, int]) -> tuple[dict, int, str]:
    result = score(scale, answers)
    return dict(result.answers), result.total, result.band_label or ""


_MOAAS = {level: _scored("moaas", {"item1": level}) for level in range(6)}


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


class _Cadss:
    """CADSS answer sets, each scored once by the core's ``score``. Scoring 23 items is the
    chart's dearest step, so the peak (around minute 40) comes from a pool of sets drawn per
    tenth of the mean item score, and the discharge sets (nearly all zeros, so few distinct)
    are drawn from a larger pool in which each distinct set is scored once."""

    POOL = 40

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools: dict[int, list[tuple[dict, int, str]]] = {}
        self.known: dict[tuple[int, ...], tuple[dict, int, str]] = {}
        self.settled: list[tuple[dict, int, str]] = []

    def peak(self, mean_item: float) -> tuple[dict, int, str]:
        tenths = round(mean_item * 10)
        pool = self.pools.get(tenths)
        if pool is None:
            pool = self.pools[tenths] = [
                _scored("cadss", _cadss_answers(self.rng, tenths / 10)) for _ in range(self.POOL)
            ]
        return self.rng.choice(pool)

    def at_discharge(self) -> tuple[dict, int, str]:
        if not self.settled:
            for _ in range(self.POOL * 10):
                answers = _settled(_cadss_answers(self.rng, 0.05))
                key = tuple(answers.values())
                if key not in self.known:
                    self.known[key] = _scored("cadss", answers)
                self.settled.append(self.known[key])
        return self.rng.choice(self.settled)


def _settled(answers: dict[str, int]) -> dict[str, int]:
    """A discharge CADSS: nobody leaves above the cut-off, so the last items asked fall to 0
    until the total is within it (the nurse waits and asks again)."""
    settled = dict(answers)
    for name in reversed(list(settled)):
        if sum(settled.values()) <= PARAMETERS.discharge_cadss_max:
            break
        settled[name] = 0
    return settled


def _latest_weights(patient_ids: Iterable[int]) -> dict[int, tuple]:
    """(weight, height, measured on) of each patient's latest measurement."""
    latest: dict[int, tuple] = {}
    for patient_id, weight, height, measured_on in (
        Measurement.objects.filter(patient_id__in=list(patient_ids))
        .order_by("patient_id", "measured_on", "id")
        .values_list("patient_id", "weight_kg", "height_cm", "measured_on")
    ):
        latest[patient_id] = (weight, height, measured_on)
    return latest


def _ledger_links(session_ids: list[int]) -> dict[int, _Stock]:
    """The ledger demo's administration entry per session, if the ledger is seeded (for a
    session dosed from several devices, the last of them, as the chart records one)."""
    from ketaclinic.apps.ledger.models import LedgerEntry, Product

    products = {p.pk: p for p in Product.objects.all()}
    links = {}
    for row in (
        LedgerEntry.objects.filter(kind="administration", session_id__in=session_ids)
        .order_by("site", "position")
        .values_list(
            "session_id",
            "id",
            "container_id",
            "quantity",
            "details__drawn",
            "container__product_id",
            "container__lot__lot_number",
        )
    ):
        session_id, entry_id, container_id, quantity, drawn, product_id, lot = row
        drawn = quantity if drawn is None else drawn
        links[session_id] = _Stock(
            entry_id, container_id, quantity, drawn, products[product_id], lot
        )
    return links


@dataclass(frozen=True, slots=True)
class _Visit:
    """What a chart needs of a session, its course, patient and site, in one flat record."""

    pk: int
    patient_id: int
    site_id: int
    checked_in_at: dt.datetime | None
    dose_started_at: dt.datetime | None
    dose_ended_at: dt.datetime | None
    discharged_at: dt.datetime | None
    route: str
    protocol_id: str
    prescriber_id: int
    target_dose_mg: Decimal | None
    target_dose_mg_per_kg: Decimal | None
    infusion_minutes: int | None
    sex_at_birth: str
    patient_name: str
    patient_site_id: int
    site_slug: str


_VISIT_FROM = {  # the annotation on ``discharged_dosing_sessions`` -> where it comes from
    "chart_route": "course__route",
    "chart_protocol_id": "course__protocol_id",
    "chart_prescriber_id": "course__prescriber_id",
    "chart_target_dose_mg": "course__target_dose_mg",
    "chart_target_dose_mg_per_kg": "course__target_dose_mg_per_kg",
    "chart_infusion_minutes": "course__infusion_minutes",
    "chart_sex_at_birth": "patient__sex_at_birth",
    "chart_given_name": "patient__given_name",
    "chart_family_name": "patient__family_name",
    "chart_patient_site_id": "patient__site_id",
    "chart_site_slug": "site__slug",
}


def _visit(session: Session) -> _Visit:
    """Flatten a session: from the annotations ``discharged_dosing_sessions`` adds (one
    model instance per row instead of four), or from its relations (any other session)."""
    if hasattr(session, "chart_route"):
        values = {name: getattr(session, name) for name in _VISIT_FROM}
    else:
        values = {}
        for name, path in _VISIT_FROM.items():
            value = session
            for step in path.split("__"):
                value = getattr(value, step)
            values[name] = value
    return _Visit(
        pk=session.pk,
        patient_id=session.patient_id,
        site_id=session.site_id,
        checked_in_at=session.checked_in_at,
        dose_started_at=session.dose_started_at,
        dose_ended_at=session.dose_ended_at,
        discharged_at=session.discharged_at,
        route=values["chart_route"],
        protocol_id=values["chart_protocol_id"],
        prescriber_id=values["chart_prescriber_id"],
        target_dose_mg=values["chart_target_dose_mg"],
        target_dose_mg_per_kg=values["chart_target_dose_mg_per_kg"],
        infusion_minutes=values["chart_infusion_minutes"],
        sex_at_birth=values["chart_sex_at_birth"],
        patient_name=f"{values['chart_given_name']} {values['chart_family_name']}",
        patient_site_id=values["chart_patient_site_id"],
        site_slug=values["chart_site_slug"],
    )


_VISIT_COLUMNS = (
    "id",
    "patient_id",
    "site_id",
    "checked_in_at",
    "dose_started_at",
    "dose_ended_at",
    "discharged_at",
    *_VISIT_FROM,
)


def _visits(sessions: Iterable[Session]) -> Iterator[list[_Visit]]:
    """The sessions as flat records, ``CHUNK`` at a time. A ``discharged_dosing_sessions``
    queryset is read as plain values (at 10,000 patients that is some 36,000 sessions never
    built as models), a page at a time by key; other sessions are flattened."""
    if isinstance(sessions, QuerySet) and set(_VISIT_FROM) <= set(
        sessions.query.annotations
    ):  # session fields, course and patient fields, "given family" as the name
        last = 0
        while rows := list(sessions.filter(pk__gt=last).values_list(*_VISIT_COLUMNS)[:CHUNK]):
            last = rows[-1][0]
            yield [_Visit(*row[:14], f"{row[14]} {row[15]}", *row[16:]) for row in rows]  # type: ignore[call-arg]  # a row of the columns _VISIT_COLUMNS names
        return
    flat = [_visit(session) for session in sessions]
    for start in range(0, len(flat), CHUNK):
        yield flat[start : start + CHUNK]


def discharged_dosing_sessions() -> QuerySet[Session]:
    """The sessions to chart: dosing sessions in the clinic that ended in a discharge."""
    return (
        Session.objects.filter(status="discharged", kind="dosing")
        .exclude(course__protocol_id="sublingual-home", number__gt=1)
        .only(
            "id",
            "patient_id",
            "site_id",
            "course_id",
            "checked_in_at",
            "dose_started_at",
            "dose_ended_at",
            "discharged_at",
        )
        .annotate(**{name: F(path) for name, path in _VISIT_FROM.items()})
        .order_by("id")
    )


def create_session_charts(
    sessions: Iterable[Session],
    users: dict[str, User],
    rng: random.Random,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Chart every discharged dosing session given; returns how many were charted.

    Sessions are charted ``CHUNK`` at a time and each chunk's rows written before the next
    is read (the same rows, in the same order, as charting all at once), so memory does not
    grow with the clinic: at 100,000 patients the charts are some 6 million vital signs.
    ``progress`` is told the running count after each chunk."""
    baselines: dict[int, tuple[int, int, int]] = {}
    rows = _Rows(cadss=_Cadss(rng), normal=[rng.gauss(0, 1) for _ in range(4096)])
    nurse_of: dict[int, int] = {}
    charted = 0
    for chunk in _visits(sessions):
        for s in chunk:
            if s.site_id not in nurse_of:
                nurse_of[s.site_id] = users[
                    "nurse" if s.site_slug == "riverside" else "nurse.lakeview"
                ].pk
        weights = _latest_weights({s.patient_id for s in chunk})
        ledger = _ledger_links([s.pk for s in chunk])
        for session in chunk:
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
        _insert(rows)  # a chunk's rows written, then let go: memory flat in the sessions
        rows = dataclasses.replace(rows, **{name: [] for name in _Rows.WRITTEN})  # type: ignore[arg-type]  # every WRITTEN field is a list
        if progress is not None:
            progress(charted)
    raise_rems_reminders(now)
    return charted


def _pre_check(session, base, nurse_id, rng, rows) -> tuple[int, int, int, dt.datetime]:
    """The pre-dose check (and, for the few held, the prescriber's decision); returns the
    blood pressure and heart rate the session starts from, and when the check was done."""
    start, checked = session.dose_started_at, session.checked_in_at
    sys0 = base[0] + rng.randint(-6, 6)
    dia0 = min(base[1] + rng.randint(-4, 4), sys0 - 25)  # a pulse pressure of at least 25
    hr0 = base[2] + rng.randint(-5, 5)
    held = rng.random() < HOLD_SHARE
    high_bp = held and rng.random() < 0.7
    check = PreDoseInput(
        bp_systolic=rng.randint(181, 192) if high_bp else sys0,
        bp_diastolic=rng.randint(96, 106) if high_bp else dia0,
        heart_rate=hr0 + (rng.randint(8, 16) if high_bp else 0),
        spo2=rng.randint(96, 99),
        questionnaires_done=True,
        last_food_minutes_ago=rng.randint(150, 720),
        last_liquid_minutes_ago=rng.randint(40, 240),
        escort_present=not held or high_bp,
    )
    decision = pre_dose_check(check, PARAMETERS)
    checked_at = min(checked + dt.timedelta(minutes=rng.randint(3, 8)), start)
    reasons = [
        {"code": r.code, "decision": r.decision.value, "message": r.message, "source": r.source}
        for r in decision.reasons
    ]
    rows.pre_checks.append(
        (
            session.pk, checked_at, check.bp_systolic, check.bp_diastolic, check.heart_rate,
            check.spo2, True, QuestionnaireEvidence.NURSE_CONFIRMED,
            check.last_food_minutes_ago, check.last_liquid_minutes_ago, check.escort_present,
            decision.decision.value, reasons, PARAMETERS_JSON, nurse_id,
        )
    )  # fmt: skip
    if decision.decision.value == PreCheckDecision.HOLD:
        _hold(session, len(rows.pre_checks) - 1, checked_at, reasons, check, sys0, dia0, rows)
    return sys0, dia0, hr0, checked_at


def _hold(session, index, checked_at, reasons, check, sys0, dia0, rows) -> None:
    """The prescriber's decision on a held pre-check, and the hold's alert acknowledged
    with it — what ``record_pre_check`` and ``decide_hold`` leave behind."""
    start = session.dose_started_at
    decided_at = checked_at + (start - checked_at) * 0.6
    if check.escort_present:
        reason = (
            f"Repeat BP after 15 minutes' rest {sys0}/{dia0}; anxious on arrival, known "
            "white-coat effect. Proceed; BP every 5 minutes for the first 40."
        )
    else:
        reason = (
            "Escort delayed in traffic; spoke to her by phone, she will be here well before "
            "discharge. Proceed; no discharge until she arrives."
        )
    prescriber_id = session.prescriber_id
    decision = HoldDecision(
        outcome=HoldOutcome.PROCEED,
        reason=reason,
        decided_by_id=prescriber_id,
        decided_at=decided_at,
    )
    alert = Alert(
        site_id=session.patient_site_id,
        patient_id=session.patient_id,
        kind=AlertKind.SESSION_HOLD,
        level=AlertLevel.URGENT,
        title=f"Session held before dosing: {session.patient_name}"[:200],
        message=" ".join(r["message"] for r in reasons),
        source_type=HOLD_SOURCE,
        assigned_to_id=prescriber_id,
        raised_at=checked_at,
        acknowledged_by_id=prescriber_id,
        acknowledged_at=decided_at,
        acknowledgement_note=f"{HoldOutcome.PROCEED.label}: {reason}",
    )
    rows.holds.append((index, decision, alert))


@functools.lru_cache(maxsize=65536)
def _dose(route, weight_kg, height_cm, sex, mg_per_kg, dose_mg, duration_min):
    """The core's dose for these inputs (None if it refuses them); a patient's sessions
    mostly share them, so each is worked out once."""
    try:
        return calculate_dose(
            route,
            weight_kg=weight_kg,
            height_cm=height_cm,
            sex=sex,
            mg_per_kg=mg_per_kg,
            dose_mg=dose_mg,
            concentration_mg_per_ml=PRODUCT[route][1],
            duration_min=duration_min,
        )
    except InputError:
        return None


def _chart_one(session, measurement, base, nurse_id, users, rng, rows, stock, now) -> bool:
    route = Route(session.route)
    start, end = session.dose_started_at, session.dose_ended_at or session.dose_started_at
    weight_kg, height_cm, measured_on = measurement
    sex = session.sex_at_birth
    result = _dose(
        route,
        weight_kg,
        height_cm,
        Sex(sex) if sex in SEXES else None,
        session.target_dose_mg_per_kg if session.target_dose_mg is None else None,
        session.target_dose_mg,
        (session.infusion_minutes or 40) if route is Route.IV else None,
    )
    if result is None:
        return False
    sys0, dia0, hr0, checked_at = _pre_check(session, base, nurse_id, rng, rows)
    product, concentration = PRODUCT[route]
    order_index = len(rows.orders)
    rows.orders.append(
        [
            None, session.pk, drug_for(route.value), route.value,
            session.target_dose_mg_per_kg if session.target_dose_mg is None else None,
            result.requested_dose_mg, result.dose_mg, weight_kg, measured_on,
            result.weight_basis.value, result.weight_used_kg, concentration, result.volume_ml,
            result.duration_min, result.rate_ml_per_h, result.devices, result.capped,
            result_as_json(result), session.prescriber_id,
            checked_at - dt.timedelta(minutes=rng.randint(5, 60 * 20)),
        ]
    )  # fmt: skip
    lot = f"DEMO-{rng.randint(1000, 9999)}"
    drawn = given_ml = result.volume_ml
    given_mg, container_id, entry_id = result.dose_mg, None, None
    if stock is not None:
        product, lot = stock.product.name, stock.lot_number
        container_id, entry_id = stock.container_id, stock.entry_id
        if stock.product.measure == "ul":
            drawn, given_ml = Decimal(stock.drawn) / 1000, Decimal(stock.quantity) / 1000
        else:
            drawn = given_ml = None
        given_mg = stock.product.mass_mg(stock.quantity)
    rows.administrations.append(
        [
            session.pk, order_index, product, lot, drawn, given_ml, given_mg, start, end,
            nurse_id, nurse_id, container_id, entry_id,
        ]
    )  # fmt: skip

    discharged = session.discharged_at
    total_minutes = float(minutes_between(start, discharged, field="discharged_at"))
    required = (
        PARAMETERS.esketamine_min_observation_minutes
        if route is Route.ESKETAMINE
        else PARAMETERS.other_min_observation_minutes
    )
    slow = total_minutes >= required + SLOW_RECOVERY_MINUTES
    cause = rng.choices(("sedation", "emergence", "bp"), (45, 30, 25))[0] if slow else ""
    hypertensive = rng.random() < 0.03
    rise_sys = max(rng.uniform(38, 50), 164 - sys0) if hypertensive else rng.uniform(6, 22)
    rise_dia = rise_sys * rng.uniform(0.45, 0.6)
    rise_hr = rng.uniform(4, 14)
    width = 28.0 if cause != "bp" else 45.0  # blood pressure slow to come back down
    vitals = []
    minute = 0
    draw, pk = rng.random, session.pk  # the loop below runs ~600k times at 10,000 patients
    normal, deviates = rows.normal, len(rows.normal)
    while minute <= total_minutes - 3:
        shape = _bump(minute, width=width)
        systolic = min(178, round(sys0 + rise_sys * shape + 3 * normal[int(draw() * deviates)]))
        diastolic = min(108, round(dia0 + rise_dia * shape + 2 * normal[int(draw() * deviates)]))
        heart_rate = min(115, round(hr0 + rise_hr * shape + 2 * normal[int(draw() * deviates)]))
        taken = start + ONE_MINUTE * minute
        vitals.append(
            (
                pk, taken, systolic, min(diastolic, systolic - 20), heart_rate,
                95 + int(draw() * 5), 12 + int(draw() * 7) if draw() < 0.5 else None, nurse_id,
                taken + ONE_MINUTE * (0.2 + 1.3 * draw()),
            )
        )  # fmt: skip
        minute += 5 + int(draw() * 6)
    rows.vitals.extend(vitals)
    if not vitals:
        return True
    last = vitals[-1]
    sedated_at = rng.randint(20, 35) if cause == "sedation" else None
    moaas_times = ((15, rng.choice((4, 4, 5, 5, 3))), (40, rng.choice((4, 5, 5))))
    for at, level in moaas_times:
        if sedated_at is not None and at >= sedated_at:
            level = min(level, 3)
        if at < total_minutes - 10:
            _scale(
                rows,
                session.pk,
                ScaleCode.MOAAS,
                start + dt.timedelta(minutes=at),
                _MOAAS[level],
                nurse_id,
            )
    if sedated_at is not None:
        _scale(
            rows,
            session.pk,
            ScaleCode.MOAAS,
            start + dt.timedelta(minutes=sedated_at),
            _MOAAS[2],
            nurse_id,
        )
    final_at = discharged - dt.timedelta(minutes=rng.randint(4, 8))
    _scale(rows, session.pk, ScaleCode.MOAAS, final_at, _MOAAS[5], nurse_id)
    peak_mean = 1.0 if route is Route.IV else 0.7
    if cause == "emergence":
        peak_mean = 2.2
    if total_minutes > 50:
        cadss = rows.cadss.peak(rng.uniform(0.3, peak_mean))
        _scale(rows, session.pk, ScaleCode.CADSS, start + dt.timedelta(minutes=40), cadss, nurse_id)
    final_cadss = rows.cadss.at_discharge()
    _scale(
        rows, session.pk, ScaleCode.CADSS, final_at - dt.timedelta(minutes=2), final_cadss, nurse_id
    )

    _adverse_events(session, start, hypertensive, nurse_id, rng, rows)
    _slow_recovery(session, start, cause, sedated_at, nurse_id, rng, rows)
    readiness = discharge_readiness(
        DischargeInput(
            route=route,
            minutes_since_dose=minutes_between(start, discharged, field="discharged_at"),
            baseline=BaselineVitals(sys0, dia0, hr0),
            latest=LatestVitals(last[2], last[3], last[4], last[5], 5),
            dissociation_resolved=True,
            escort_confirmed=True,
            cadss_total=final_cadss[1],
        ),
        PARAMETERS,
    )
    observed = int(total_minutes)
    override = ""
    if not readiness.ready:
        after = int(float(minutes_between(end, discharged, field="discharged_at")))
        override = (
            f"Prescriber reviewed at {observed} minutes after the dose started ({after} after "
            f"it ended): vitals back to baseline, MOAA/S 5, CADSS {final_cadss[1]}, escort "
            f"present, no delayed effects in earlier sessions. Discharged before the "
            f"{required}-minute default, which is the esketamine label's minimum applied to "
            f"{route.value.upper()} by this clinic."
        )
    rows.discharges.append(
        (
            session.pk, readiness.ready,
            [{"code": r.code, "message": r.message, "source": r.source} for r in readiness.reasons],
            observed, True, True,
            rng.choice(("Partner", "Sister", "Friend", "Husband", "Wife", "Son")),
            readiness.instructions[0], True, override,
            session.prescriber_id if override else nurse_id, discharged,
        )
    )  # fmt: skip
    if rng.random() < 0.2:
        rows.notes.append(
            SessionNote(
                session_id=session.pk,
                kind=NoteKind.NURSING,
                text=rng.choice(NURSING_NOTES),
                author_id=nurse_id,
                written_at=discharged - dt.timedelta(minutes=2),
            )
        )
    if route is Route.ESKETAMINE:
        dose = result.dose_mg
        _rems(
            session,
            dose,
            lot,
            sys0,
            dia0,
            start,
            discharged,
            vitals,
            cause,
            nurse_id,
            rng,
            rows,
            now,
        )
    if session.protocol_id == "kap" and "therapist" in users and session.site_slug == "riverside":
        intentions, experience, themes, plan = rng.choice(INTEGRATION)
        rows.integration.append(
            IntegrationNote(
                patient_id=session.patient_id,
                session_id=session.pk,
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


def _scale(rows, session_id, scale, taken_at, scored, nurse_id) -> None:
    answers, total, band = scored
    rows.scales.append(
        (
            session_id,
            scale,
            taken_at,
            answers,
            total,
            band if scale == ScaleCode.MOAAS else "",
            nurse_id,
        )
    )


def _adverse_event(
    rows, session_id, kind, onset, action, nurse_id, severity=Severity.MILD, description=""
):
    rows.adverse.append(
        AdverseEvent(
            session_id=session_id,
            kind=kind,
            severity=severity,
            onset_at=onset,
            description=description,
            action_taken=action,
            recorded_by_id=nurse_id,
            recorded_at=onset + dt.timedelta(minutes=3),
        )
    )


def _adverse_events(session, start, hypertensive, nurse_id, rng, rows) -> None:
    def event(
        kind: str, minute: int, action: str, severity: str = Severity.MILD, description: str = ""
    ) -> dt.datetime:
        onset = start + dt.timedelta(minutes=minute)
        _adverse_event(rows, session.pk, kind, onset, action, nurse_id, severity, description)
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
                session_id=session.pk,
                drug="Ondansetron",
                dose_mg=Decimal("4"),
                route=MedicationRoute.IV,
                given_at=onset + dt.timedelta(minutes=2),
                reason="nausea",
                given_by_id=nurse_id,
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


def _slow_recovery(session, start, cause, sedated_at, nurse_id, rng, rows) -> None:
    """Why a patient was kept past the minimum: the event the chart records for it."""
    if cause == "sedation":
        onset = start + dt.timedelta(minutes=sedated_at)
        _adverse_event(
            rows, session.pk, AdverseEventKind.SEDATION, onset,
            "Dosing stopped; airway and SpO2 watched, responded to voice within 20 minutes; "
            "observation extended until MOAA/S 5.",
            nurse_id, Severity.MODERATE,
            "MOAA/S 2 (responds only after mild prodding), deeper than intended.",
        )  # fmt: skip
    elif cause == "emergence":
        onset = start + dt.timedelta(minutes=rng.randint(35, 60))
        _adverse_event(
            rows, session.pk, AdverseEventKind.EMERGENCE_REACTION, onset,
            "Calm, dim room; one-to-one reassurance; observation extended.",
            nurse_id, Severity.MILD if rng.random() < 0.7 else Severity.MODERATE,
            "Frightening imagery and agitation on emergence; oriented within 30 minutes.",
        )  # fmt: skip
        if rng.random() < 0.25:
            rows.rescue.append(
                RescueMedication(
                    session_id=session.pk,
                    drug="Midazolam",
                    dose_mg=Decimal("1"),
                    route=MedicationRoute.IV,
                    given_at=onset + dt.timedelta(minutes=4),
                    reason="emergence reaction",
                    given_by_id=nurse_id,
                )
            )
    elif cause == "bp":
        rows.notes.append(
            SessionNote(
                session_id=session.pk,
                kind=NoteKind.NURSING,
                text="Observation extended: blood pressure took longer to return to baseline.",
                author_id=nurse_id,
                written_at=start + dt.timedelta(minutes=125),
            )
        )


def _rems(
    session, dose, lot, sys0, dia0, start, discharged, vitals, cause, nurse_id, rng, rows, now
):
    around_40 = [v for v in vitals if 30 * 60 <= (v[1] - start).total_seconds() <= 50 * 60]
    at_40 = min(around_40, key=lambda v: abs((v[1] - start).total_seconds() - 2400), default=None)
    last = vitals[-1]
    submitted = discharged + dt.timedelta(days=rng.randint(1, 5))
    # A form forgotten lately (1 in 20); older ones were chased and sent long ago. "Lately"
    # is a few weeks of chairs, so the open reminders do not grow with the clinic's history.
    forgotten = rng.random() < 0.05 and discharged >= now - dt.timedelta(days=RECENT_DAYS)
    is_submitted = not forgotten and submitted <= now - dt.timedelta(days=1)
    rows.rems.append(
        RemsRecord(
            session_id=session.pk,
            dose_mg=dose.quantize(Decimal("0.1")),
            lot=lot,
            monitoring_minutes=int((discharged - start).total_seconds() // 60),
            bp_before_systolic=sys0,
            bp_before_diastolic=dia0,
            bp_40min_systolic=at_40[2] if at_40 else None,
            bp_40min_diastolic=at_40[3] if at_40 else None,
            bp_discharge_systolic=last[2],
            bp_discharge_diastolic=last[3],
            sedation=cause == "sedation",
            dissociation=True,
            respiratory_status=RespiratoryStatus.NORMAL,
            concomitant_medications="",
            adverse_events=(
                "Excessive sedation (MOAA/S 2); resolved with observation."
                if cause == "sedation"
                else ""
            ),
            prepared_by_id=nurse_id,
            prepared_at=discharged,
            submitted_at=submitted if is_submitted else None,
            submitted_by_id=nurse_id if is_submitted else None,
            submission_reference=f"REMS-{rng.randint(100000, 999999)}" if is_submitted else "",
            status=RemsStatus.MARKED if is_submitted else RemsStatus.PREPARED,
        )
    )


def _insert(rows: _Rows) -> None:
    """Orders and pre-checks get their keys first (administrations, hold decisions and
    alerts point at them), then everything goes in."""
    for order, key in zip(rows.orders, reserve_ids(DoseOrder, len(rows.orders)), strict=True):
        order[0] = key
    for given in rows.administrations:
        given[1] = rows.orders[given[1]][0]
    checks = reserve_ids(PreCheck, len(rows.pre_checks))
    for index, decision, alert in rows.holds:
        decision.pre_check_id = checks[index]
        alert.source_id = str(checks[index])
    insert_rows(
        PreCheck,
        ("id", *PRE_CHECK_COLUMNS),
        ((key, *row) for key, row in zip(checks, rows.pre_checks, strict=True)),
    )
    HoldDecision.objects.bulk_create([decision for _i, decision, _a in rows.holds])
    Alert.objects.bulk_create([alert for _i, _d, alert in rows.holds])
    insert_rows(DoseOrder, ORDER_COLUMNS, rows.orders)
    insert_rows(Administration, ADMINISTRATION_COLUMNS, rows.administrations)
    insert_rows(VitalSign, VITAL_COLUMNS, rows.vitals)
    insert_rows(ScaleEntry, SCALE_COLUMNS, rows.scales)
    insert_objects(AdverseEvent, rows.adverse)
    insert_objects(RescueMedication, rows.rescue)
    insert_rows(Discharge, DISCHARGE_COLUMNS, rows.discharges)
    insert_objects(SessionNote, rows.notes)
    insert_objects(RemsRecord, rows.rems)
    insert_objects(IntegrationNote, rows.integration)

"""One of everything at site A (Riverside), for the route matrix to build URLs from.

Every object belongs to Alice, site A's patient, or to site A itself, and is made through the
product's own functions where one exists (receiving stock, screening, scoring), so the
objects are the ones real pages meet. The route matrix looks up each URL argument by name
here; an argument it cannot find fails the matrix.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.charting.factories import make_session as make_chart_session
from tests.enquiries.enquiry_data import make_enquiry
from tests.homeprogram.factories import make_prescription
from tests.iop.factories import enrol, make_group
from tests.iop.factories import make_session as make_group_session
from tests.kap.factories import make_kap_course, make_program
from tests.kap.factories import session as kap_session

from ketaclinic.apps.accounts.api_tokens import issue_token
from ketaclinic.apps.accounts.models import FormDraft
from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.on_call_models import OnCallShift
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.assessments.choices import ScheduleRule
from ketaclinic.apps.assessments.models import QuestionnaireSchedule
from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.billing.models import PriorAuthorization
from ketaclinic.apps.charting.models import PreCheck
from ketaclinic.apps.jobs.choices import JobKind, JobStatus
from ketaclinic.apps.jobs.models import Job
from ketaclinic.apps.ledger.choices import (
    Drug,
    InventoryKind,
    InventoryTiming,
    Measure,
    ProductForm,
)
from ketaclinic.apps.ledger.models import Discrepancy, LedgerEntry, LossReport, Product
from ketaclinic.apps.ledger.movements import receive_stock, report_loss
from ketaclinic.apps.ledger.reconciling import record_count, take_inventory
from ketaclinic.apps.treatment.models import Holiday
from ketaclinic.apps.treatment.screenings import run_screening
from ketaclinic.clinical.scales import get_scale

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
DISTINCT_FAMILY_NAME = "Vantongeren"
# Alice (born 1984-06-02) screened for clinic IV with nothing to flag.
SCREENING_INPUTS = {
    "age": 41,
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "weight_kg": 70,
    "height_cm": 170,
    "bp_systolic": 124,
    "bp_diastolic": 78,
    "heart_rate": 72,
    "route": "iv",
    "setting": "clinic",
    "conditions": [],
    "medications": ["sertraline"],
}


def _receive(clinic, product: Product, lot: str):
    entries = receive_stock(
        site=clinic.site_a,
        product=product,
        lot_number=lot,
        expires_on=dt.date(2027, 6, 30),
        containers=1,
        supplier_name="Henry Schein",
        supplier_address="135 Duryea Road, Melville, NY 11747",
        supplier_dea="RH0123456",
        invoice="INV-2026-0042",
        user=clinic.nurse,
    )
    return entries[0]


def _ledger(clinic) -> dict[str, Any]:
    product = Product.objects.create(
        name="Ketamine HCl 10 mg/mL 20 mL",
        ndc="0409-2051-05",
        drug=Drug.KETAMINE_HCL,
        form=ProductForm.SOLUTION,
        strength_mg="10",
        measure=Measure.MICROLITRE,
        package_quantity=20000,
    )
    received = _receive(clinic, product, "L100")
    spare = _receive(clinic, product, "L200").container
    container = received.container
    inventory, _ = take_inventory(
        site=clinic.site_a,
        kind=InventoryKind.BIENNIAL,
        timing=InventoryTiming.CLOSE,
        counts={container.pk: ("20", False), spare.pk: ("20", False)},
        user=clinic.director,  # taking inventory is the director's (roles.LEDGER_DIRECTOR)
    )
    record_count(container=container, counted="19", user=clinic.nurse)
    report_loss(
        container=spare,
        quantity="2",
        loss_type="employee_pilferage",
        discovered_on=dt.date(2026, 3, 6),
        description="Vial found short at count",
        police_notified=True,
        user=clinic.nurse,
    )
    return {
        "container_id": container.pk,
        "entry_id": LedgerEntry.objects.get(pk=received.pk).pk,
        "inventory_id": inventory.pk,
        "discrepancy_id": Discrepancy.objects.get(container=container).pk,
        "report_id": LossReport.objects.get(entry__container=spare).pk,
    }


def _phq9_answers() -> dict[str, int]:
    return {item.key: 0 for item in get_scale("phq9").items}


def build_site_a_world(clinic) -> dict[str, dict[str, Any]]:
    """URL argument values by name, with per-namespace meanings where a name is shared.

    ``session_id`` is a charted session for the chart, a KAP dosing session for KAP notes and
    a group session for IOP; ``course_id`` is a KAP course for KAP and a charted course
    otherwise.
    """
    alice = clinic.alice
    # A family name no template uses as an example, so a page that shows it shows Alice.
    alice.family_name = DISTINCT_FAMILY_NAME
    alice.save(update_fields=["family_name"])
    chart_session = make_chart_session(clinic)
    pre_check = PreCheck.objects.create(
        session=chart_session,
        checked_at=NOW - dt.timedelta(minutes=20),
        bp_systolic=128,
        bp_diastolic=80,
        heart_rate=70,
        spo2=98,
        questionnaires_done=True,
        last_food_minutes_ago=240,
        last_liquid_minutes_ago=60,
        escort_present=True,
        decision="proceed",
        checked_by=clinic.nurse,
    )
    alert = raise_alert(
        site=clinic.site_a,
        kind=AlertKind.OTHER,
        level=AlertLevel.WARNING,
        title="Call back about the next session",
        patient=alice,
    )
    assessment = record_assessment(
        patient=alice,
        instrument="phq9",
        answers=_phq9_answers(),
        taken_at=NOW - dt.timedelta(days=1),
        entered_by=clinic.nurse,
    )
    schedule = QuestionnaireSchedule.objects.create(
        patient=alice, instruments=["phq9"], rule=ScheduleRule.WEEKLY, created_by=clinic.nurse
    )
    screening = run_screening(alice, dict(SCREENING_INPUTS), user=clinic.nurse, request=None)
    holiday = Holiday.objects.create(site=clinic.site_a, date=dt.date(2026, 12, 25), name="Closed")
    enquiry = make_enquiry(clinic.site_a)
    prescription = make_prescription(clinic)
    kap_course = make_kap_course(clinic)
    program = make_program(clinic, course=kap_course)
    group = make_group(clinic)
    enrolment = enrol(group, alice, by=clinic.therapist)
    group_session = make_group_session(group)
    # Kept for site A's nurse alone: nobody else may discard it.
    shift = OnCallShift.objects.create(
        site=clinic.site_a,
        person=clinic.prescriber,
        starts_at=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 3, 11, 12, tzinfo=dt.UTC),
    )
    draft = FormDraft.objects.create(
        user=clinic.nurse,
        form_path=f"/patients/{alice.pk}/",
        page_path=f"/patients/{alice.pk}/",
        fields=[["note", "Called back."]],
        saved_at=NOW,
    )
    # A ledger PDF site A's director asked for (a job is its owner's alone).
    job = Job.objects.create(
        kind=JobKind.LEDGER_PDF,
        owner=clinic.director,
        site=clinic.site_a,
        status=JobStatus.DONE,
        result=b"%PDF-1.7",
        result_name="ketaclinic-ledger.pdf",
        result_type="application/pdf",
        created_at=NOW,
    )
    authorization = PriorAuthorization.objects.create(
        course=chart_session.course,
        payer_name="Aetna",
        payer_kind="commercial",
        member_number="W123456789",
        authorization_number="PA-1001",
        authorised_sessions=8,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 20),
        status="approved",
        created_by=clinic.front_desk,
        created_at=NOW,
        updated_at=NOW,
    )
    common = {
        "patient_id": alice.pk,
        "alert_id": alert.pk,
        "assessment_id": assessment.pk,
        "schedule_id": schedule.pk,
        "instrument": "phq9",
        "scale_id": "phq9",
        "session_id": chart_session.pk,
        "pre_check_id": pre_check.pk,
        "kind": "nursing",
        "screening_id": screening.pk,
        "course_id": chart_session.course_id,
        "holiday_id": holiday.pk,
        "enquiry_id": enquiry.pk,
        "prescription_id": prescription.pk,
        "program_id": program.pk,
        "group_id": group.pk,
        "enrolment_id": enrolment.pk,
        "site_slug": clinic.site_a.slug,
        "token": "no-such-link-token-0000",
        **_ledger(clinic),
    }
    token, _text = issue_token(
        clinic.nurse,
        name="Nightly vitals export",
        permissions=["patients.view_patient"],
        site_ids=[clinic.site_a.pk],
    )
    return {
        "": common,
        "kap": {"session_id": kap_session(kap_course, 8).pk, "course_id": kap_course.pk},
        "iop": {"session_id": group_session.pk},
        # A member of staff at site A (the staff pages), her own idle-session draft and her
        # API token.
        "accounts": {"user_id": clinic.nurse.pk, "draft_id": draft.pk, "token_id": token.pk},
        "alerts": {"shift_id": shift.pk},
        "jobs": {"job_id": job.pk},
        # Billing: a payer's authorization of Alice's charted course (ends in ten days).
        "billing": {"authorization_id": authorization.pk},
        # FHIR: site A's patient as a resource, site A as a Group, an export job of nobody's.
        "fhir": {
            "type_name": "Patient",
            "resource_id": str(common["patient_id"]),
            "group_id": f"site-{clinic.site_a.pk}",
            "job_id": "00000000-0000-4000-8000-000000000000",
            "file_name": "Patient.ndjson",
        },
        "api-v1:post_scale": {"scale": "moaas"},
        "api-v1:record_attendance": {"session_id": group_session.pk},
        "api-v1:create_note": {"session_id": kap_session(kap_course, 8).pk},
    }

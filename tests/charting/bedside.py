"""Sessions ready to dose and ledger stock, for the tests of the rights at the chair."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from tests.charting.factories import make_session

from ketaclinic.apps.charting.day import check_in, record_pre_check
from ketaclinic.apps.charting.dose_orders import DoseRequest, order_dose
from ketaclinic.apps.charting.models import RemsEnrolment
from ketaclinic.apps.ledger.choices import Drug, Measure, ProductForm
from ketaclinic.apps.ledger.models import Product
from ketaclinic.apps.ledger.operations import receive_stock
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.clinical.monitoring import PreDoseInput

_NDC = count(1)

FORMS = {
    "solution": (ProductForm.SOLUTION, Measure.MICROLITRE, 20000),
    "nasal_device": (ProductForm.NASAL_DEVICE, Measure.UNIT, 6),
    "troche": (ProductForm.TROCHE, Measure.UNIT, 30),
}


def stock(clinic, strength: str, form: str = "solution", drug: str = Drug.KETAMINE_HCL):
    """One container of a product of ``strength`` (mg/mL or mg per unit) at site A."""
    product_form, measure, package = FORMS[form]
    product = Product.objects.create(
        name=f"Ketamine {strength} mg {form}",
        ndc=f"0409-{next(_NDC):04d}-01",
        drug=drug,
        form=product_form,
        strength_mg=Decimal(strength),
        measure=measure,
        package_quantity=package,
    )
    (entry,) = receive_stock(
        site=clinic.site_a,
        product=product,
        lot_number=f"L{product.pk}",
        expires_on=dt.date(2027, 6, 30),
        containers=1,
        supplier_name="Henry Schein",
        supplier_address="135 Duryea Road, Melville, NY 11747",
        supplier_dea="RH0123456",
        invoice=f"INV-{product.pk}",
        user=clinic.nurse,
    )
    return entry.container


def ready_to_dose(clinic, route: str = "iv", weight_kg: str = "68.0", **order) -> object:
    """Checked in, weighed ``weight_kg`` today, ordered (``order``: DoseRequest fields) and
    pre-checked to proceed: the next step is starting the dose."""
    session = make_session(clinic, route=route)
    Measurement.objects.create(
        patient=session.patient,
        measured_on=dt.date(2026, 3, 10),
        weight_kg=Decimal(weight_kg),
        height_cm=Decimal("170.0"),
    )
    if route == "esketamine":  # the REMS: enrolled before the first treatment
        RemsEnrolment.objects.create(
            patient=session.patient,
            enrolled_on=dt.date(2026, 3, 1),
            recorded_by=clinic.nurse,
            recorded_at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC),
        )
    check_in(session, user=clinic.nurse, request=None)
    order_dose(
        session,
        DoseRequest(**{k: _decimal(k, v) for k, v in order.items()}),
        user=clinic.prescriber,
        request=None,
    )
    record_pre_check(
        session,
        PreDoseInput(124, 78, 70, 98, True, 300, 60, True),
        questionnaire_evidence="nurse_confirmed",
        user=clinic.nurse,
        request=None,
    )
    session.refresh_from_db()
    return session


def _decimal(name: str, value):
    if name in {"duration_min", "cap_choice", "cap_reason"}:
        return value
    return Decimal(value)

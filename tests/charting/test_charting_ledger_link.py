"""The chart and the ledger change together: stopping a dose from a ledger container writes
the ledger's administration entry in the same transaction, or neither is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.charting.factories import make_session

from ketaclinic.apps.charting.day import check_in
from ketaclinic.apps.charting.models import Administration
from ketaclinic.apps.ledger.choices import Drug, Measure, ProductForm
from ketaclinic.apps.ledger.models import LedgerEntry, Product
from ketaclinic.apps.ledger.operations import receive_stock

pytestmark = pytest.mark.django_db

PRE_CHECK = {
    "bp_systolic": "124",
    "bp_diastolic": "78",
    "heart_rate": "70",
    "spo2": "98",
    "last_food_minutes_ago": "300",
    "last_liquid_minutes_ago": "60",
    "questionnaires_done": "on",
    "escort_present": "on",
}


def receive(clinic, expires_on=dt.date(2027, 6, 30)):
    product = Product.objects.create(
        name="Ketamine HCl 10 mg/mL 20 mL",
        ndc="0409-2051-05",
        drug=Drug.KETAMINE_HCL,
        form=ProductForm.SOLUTION,
        strength_mg=Decimal("10"),
        measure=Measure.MICROLITRE,
        package_quantity=20000,
    )
    entries = receive_stock(
        site=clinic.site_a,
        product=product,
        lot_number="L100",
        expires_on=expires_on,
        containers=1,
        supplier_name="Henry Schein",
        supplier_address="135 Duryea Road, Melville, NY 11747",
        supplier_dea="RH0123456",
        invoice="INV-1",
        user=clinic.nurse,
    )
    return entries[0].container


@pytest.fixture
def ready(client, clinic, fixed_clock):
    session = make_session(clinic)
    check_in(session, user=clinic.nurse, request=None)
    client.force_login(clinic.prescriber)
    client.post(
        reverse("charting:dose-order", args=[session.pk]),
        {
            "mg_per_kg": "0.5",
            "concentration_mg_per_ml": "10",
            "duration_min": "40",
            "action": "order",
        },
    )
    client.force_login(clinic.nurse)
    client.post(reverse("charting:pre-check", args=[session.pk]), PRE_CHECK)
    return session


def test_stopping_a_dose_from_a_container_writes_the_ledger_entry(
    client, clinic, ready, fixed_clock
):
    container = receive(clinic)
    page = client.get(reverse("charting:chart", args=[ready.pk])).content.decode()
    assert container.label in page  # offered in the start form
    started = client.post(
        reverse("charting:dose-start", args=[ready.pk]),
        {"container": container.pk, "volume_drawn_ml": "3.5"},
    )
    assert started.status_code == 302
    given = Administration.objects.get()
    assert (given.product, given.lot) == ("Ketamine HCl 10 mg/mL 20 mL", "L100")
    fixed_clock.moment += dt.timedelta(minutes=40)
    stopped = client.post(
        reverse("charting:dose-stop", args=[ready.pk]), {"volume_given_ml": "3.5"}
    )
    assert stopped.status_code == 302
    given.refresh_from_db()
    entry = LedgerEntry.objects.get(kind="administration")
    assert given.ledger_entry == entry
    assert entry.session_id == ready.pk
    assert entry.quantity == 3500  # microlitres
    # 3.5 mL x 10 mg/mL = 35 mg (the ledger's mass of what was given).
    assert given.dose_given_mg == Decimal("35")
    container.refresh_from_db()
    assert container.on_hand == 20000 - 3500


def test_a_ledger_refusal_leaves_the_dose_running(client, clinic, ready, fixed_clock):
    container = receive(clinic)
    client.post(
        reverse("charting:dose-start", args=[ready.pk]),
        {"container": container.pk, "volume_drawn_ml": "3.5"},
    )
    fixed_clock.moment += dt.timedelta(minutes=40)
    # Someone else's withdrawal left 1 mL in the vial: the ledger refuses 3.5 mL.
    type(container).objects.filter(pk=container.pk).update(on_hand=1000)
    response = client.post(
        reverse("charting:dose-stop", args=[ready.pk]), {"volume_given_ml": "3.5"}
    )
    assert response.status_code == 422
    assert (
        response.context["finish_form"].non_field_errors() or response.context["finish_form"].errors
    )
    ready.refresh_from_db()
    assert ready.status == "dosing"
    assert not LedgerEntry.objects.filter(kind="administration").exists()
    assert Administration.objects.get().stopped_at is None


def test_an_expired_container_is_refused_on_its_field(client, clinic, ready):
    container = receive(clinic, expires_on=dt.date(2026, 3, 1))
    response = client.post(
        reverse("charting:dose-start", args=[ready.pk]),
        {"container": container.pk, "volume_drawn_ml": "3.5"},
    )
    assert response.status_code == 422
    assert "expired" in response.context["start_form"].errors["container"][0]
    assert not Administration.objects.exists()


def test_without_a_container_product_and_lot_are_required(client, clinic, ready):
    response = client.post(
        reverse("charting:dose-start", args=[ready.pk]), {"volume_drawn_ml": "3.5"}
    )
    assert response.status_code == 422
    assert response.context["start_form"].errors["product"]

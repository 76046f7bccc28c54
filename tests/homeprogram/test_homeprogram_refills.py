"""Refills on the home program page: who may record them, Schedule III limits and the early
line refused with field errors, pill counts reconciled over every dispensing, audit.

The worked prescription (factories): 6 troches of 100 mg, 100 mg a dose, at most 2 doses a
week, so 2 troches a week; home dosing from 3 March 2026. 6 troches last 21 days; 85% of 21 is
17.85, so the first refill may come 18 days in, on 21 March.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.homeprogram.factories import make_prescription
from tests.personas import PERSONAS

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.homeprogram.choices import DispensedAt
from ketaclinic.apps.homeprogram.models import HomeProgramSettings, PillCount, RefillDispensing
from ketaclinic.apps.homeprogram.refills import RefillRefused, record_refill

pytestmark = pytest.mark.usefixtures("fixed_clock")

# Nurses record in-clinic refills; prescribers and the director any refill.
MAY_REFILL = {"nurse", "prescriber", "director"}


def expected(persona):
    if persona == "anonymous":
        return 302
    if persona == "nurse_b":
        return 404
    return 200 if persona in MAY_REFILL else 403


def pharmacy_refill(**overrides):
    data = {
        "dispensed_on": "2026-03-21",
        "quantity": "6",
        "dispensed_at": DispensedAt.PHARMACY,
        "pharmacy": "Main Street Pharmacy",
        "note": "",
    }
    data.update(overrides)
    return data


def url(rx):
    return reverse("homeprogram:refill", args=[rx.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_refill_page_per_persona(client, clinic, persona):
    rx = make_prescription(clinic, refills_authorised=2)
    user = clinic.persona(persona)
    if user is not None:
        client.force_login(user)
    assert client.get(url(rx)).status_code == expected(persona)


def test_a_prescriber_records_a_pharmacy_refill_and_it_is_audited(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.prescriber)
    response = client.post(url(rx), pharmacy_refill())
    assert response.status_code == 302
    refill = RefillDispensing.objects.get(prescription=rx)
    assert (refill.dispensed_on, refill.quantity, refill.pharmacy) == (
        dt.date(2026, 3, 21),
        6,
        "Main Street Pharmacy",
    )
    assert refill.recorded_by == clinic.prescriber
    event = AuditEvent.objects.get(object_type="home_refill", object_id=str(refill.pk))
    assert event.action == Action.CREATE
    assert event.patient_id == clinic.alice.pk
    page = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk]))
    assert "1 of 2 dispensed" in page.content.decode()
    assert "12 troches" in page.content.decode()  # dispensed in all: 6 + 6


def test_a_refill_one_day_early_is_refused_on_the_date_field(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.prescriber)
    response = client.post(url(rx), pharmacy_refill(dispensed_on="2026-03-20"))
    assert response.status_code == 422
    assert response.context["form"].errors["dispensed_on"] == [
        "Too early: 85% of the last supply should not be used before 2026-03-21 at the "
        "prescribed rate."
    ]
    assert not RefillDispensing.objects.exists()


def test_the_early_line_is_a_site_setting(client, clinic):
    # At 50%: 6 x 0.5 x 7 / 2 = 10.5 days -> 11 days after 3 March -> 14 March.
    HomeProgramSettings.objects.create(site=clinic.alice.site, early_refill_fraction=Decimal("0.5"))
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.prescriber)
    assert client.post(url(rx), pharmacy_refill(dispensed_on="2026-03-13")).status_code == 422
    assert client.post(url(rx), pharmacy_refill(dispensed_on="2026-03-14")).status_code == 302


def test_a_refill_beyond_the_refills_written_is_refused(client, clinic):
    rx = make_prescription(clinic, refills_authorised=1)
    client.force_login(clinic.prescriber)
    assert client.post(url(rx), pharmacy_refill()).status_code == 302
    response = client.post(url(rx), pharmacy_refill(dispensed_on="2026-04-30"))
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "All 1 refills authorised have been dispensed (21 CFR 1306.22)."
    ]
    assert RefillDispensing.objects.count() == 1


def test_a_refill_after_six_months_from_the_date_written_is_refused(client, clinic):
    # Written 2 March 2026: the last refill day is 2 September 2026.
    rx = make_prescription(clinic, refills_authorised=5)
    client.force_login(clinic.prescriber)
    response = client.post(url(rx), pharmacy_refill(dispensed_on="2026-09-03"))
    assert response.status_code == 422
    assert "six months after the date written" in response.context["form"].errors["dispensed_on"][0]
    assert client.post(url(rx), pharmacy_refill(dispensed_on="2026-09-02")).status_code == 302


def test_a_pharmacy_refill_names_the_pharmacy_and_a_refill_keeps_to_the_quantity(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.prescriber)
    response = client.post(url(rx), pharmacy_refill(pharmacy="", quantity="7"))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["pharmacy"] == ["Name the pharmacy that dispensed the refill."]
    assert errors["quantity"] == ["A refill is 1 to 6 troches, as written."]


def test_a_nurse_records_only_in_clinic_refills(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.nurse)
    refused = client.post(url(rx), pharmacy_refill())
    assert refused.status_code == 422
    assert "dispensed_at" in refused.context["form"].errors
    accepted = client.post(url(rx), pharmacy_refill(dispensed_at=DispensedAt.IN_CLINIC))
    assert accepted.status_code == 302
    refill = RefillDispensing.objects.get()
    assert (refill.dispensed_at, refill.pharmacy, refill.recorded_by) == (
        DispensedAt.IN_CLINIC,
        "",
        clinic.nurse,
    )


def test_nurse_b_cannot_refill_site_a_prescriptions(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.nurse_b)
    assert client.post(url(rx), pharmacy_refill(dispensed_at="in_clinic")).status_code == 404
    assert not RefillDispensing.objects.exists()


def test_the_rules_are_checked_again_when_the_refill_is_stored(clinic):
    """Two people filling in the last refill at once: the second is refused under the lock."""
    rx = make_prescription(clinic, refills_authorised=1)
    fields = {
        "dispensed_on": dt.date(2026, 3, 21),
        "quantity": 6,
        "dispensed_at": DispensedAt.IN_CLINIC,
        "pharmacy": "",
        "note": "",
        "user": clinic.nurse,
    }
    record_refill(rx, **fields)
    with pytest.raises(RefillRefused) as refused:
        record_refill(rx, **{**fields, "dispensed_on": dt.date(2026, 4, 30)})
    assert [p.field for p in refused.value.problems] == ["refills"]


def test_a_pill_count_reconciles_against_the_first_fill_and_every_refill(client, clinic):
    rx = make_prescription(clinic, refills_authorised=2)
    client.force_login(clinic.prescriber)
    client.post(url(rx), pharmacy_refill(quantity="4"))
    client.force_login(clinic.nurse)
    # 6 + 4 dispensed, nothing reported taken: 10 expected on hand.
    response = client.post(
        reverse("homeprogram:pill-count", args=[rx.pk]),
        {"counted_on": "2026-03-22", "counted": "10", "note": ""},
    )
    assert response.status_code == 302
    count = PillCount.objects.get()
    assert (count.dispensed, count.expected_on_hand, count.discrepancy) == (10, 10, 0)
    assert not Alert.objects.filter(source_type="pill_count").exists()
    client.post(
        reverse("homeprogram:pill-count", args=[rx.pk]),
        {"counted_on": "2026-03-22", "counted": "6", "note": ""},
    )
    short = PillCount.objects.order_by("-id").first()
    assert short.discrepancy == -4
    assert "Dispensed 10 in all" in Alert.objects.get(source_type="pill_count").message


def test_the_refill_button_shows_only_while_refills_remain(client, clinic):
    rx = make_prescription(clinic, refills_authorised=0)
    client.force_login(clinic.prescriber)
    page = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk]))
    assert url(rx) not in page.content.decode()
    rx.refills_authorised = 1
    rx.save()
    page = client.get(reverse("homeprogram:patient", args=[clinic.alice.pk]))
    assert url(rx) in page.content.decode()
    assert "next from 2026-03-21" in page.content.decode()

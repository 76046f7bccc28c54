"""The demo's home program: patients with a charted first dose, check-ins, one missed dose,
one high-BP alert and a pill count that matches."""

from __future__ import annotations

import datetime as dt

import pytest

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.homeprogram.models import (
    HomeCheckIn,
    HomePrescription,
    PillCount,
    RefillDispensing,
    SupplyEvent,
)
from ketaclinic.apps.homeprogram.program import first_dose_session

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_home_program_stories():
    seed_demo_clinic(patient_count=60, seed=11)
    prescriptions = list(HomePrescription.objects.all())
    assert 2 <= len(prescriptions) <= 4
    assert all(first_dose_session(rx.course) is not None for rx in prescriptions)
    assert HomeCheckIn.objects.count() >= len(prescriptions)
    high = Alert.objects.filter(kind=AlertKind.HOME_CHECK_IN, source_type="home_check_in")
    assert [a.title.split(": ", 1)[1] for a in high] == [
        "Home BP 168/102 mmHg is at or above 160/100."
    ]
    assert Alert.objects.filter(kind=AlertKind.MISSED_CHECK_IN).exists()
    for count in PillCount.objects.all():
        assert count.discrepancy == 0
    # Misuse signals for the outcomes' "non-addictive" figures: a request to raise the dose
    # (the high-BP story) and an early-refill request (the missed-dose story).
    kinds = set(SupplyEvent.objects.values_list("kind", flat=True))
    assert kinds == {"dose_increase_request", "early_refill_request"}
    # Major depression with suicidal ideation gets the prescriber's C-SSRS screens.
    screens = Assessment.objects.filter(instrument="cssrs_screen")
    assert screens.exists()
    assert set(screens.values_list("band", flat=True)) <= {"none", "low"}
    assert not screens.filter(entered_by__isnull=True).exists()


def test_the_default_demo_refills_prescriptions_on_the_first_allowed_day():
    # The clinic `make demo` builds: every prescription whose refill is due by the demo's day
    # has it dispensed on the day the early-refill line allows, by the prescriber.
    seed_demo_clinic(patient_count=200, seed=20261122)
    refills = list(RefillDispensing.objects.select_related("prescription"))
    assert refills
    for refill in refills:
        rx = refill.prescription
        assert rx.refills_authorised >= 1
        assert refill.quantity == rx.quantity_dispensed
        assert refill.recorded_by == rx.prescriber
        # 6 troches at up to 2 a week last 21 days; 85% of them are used by day 17.85, so
        # the refill may go out 18 days after the first home dose.
        assert (rx.quantity_dispensed, rx.max_doses_per_week) == (6, 2)
        assert refill.dispensed_on == rx.first_home_dose_on + dt.timedelta(days=18)
    assert len({refill.prescription_id for refill in refills}) == len(refills)

"""The weight a screening records is the weight the plan and the dose order use, dated; a
weight older than ``WEIGHT_STALE_DAYS`` is flagged on both.

The fixed clock is 2026-03-10 14:00 UTC (10:00 in New York, site A). The screening fixtures
give Alice 70 kg and 170 cm.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from tests.treatment.conftest import screened

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.dose_orders import DoseRequest, calculate_for, order_dose
from ketaclinic.apps.patients.dosing_weight import dosing_weight
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.apps.treatment.planning import PlanChoice, plan_course

D = dt.date
IV_ORDER = DoseRequest(
    mg_per_kg=Decimal("0.5"), concentration_mg_per_ml=Decimal("10"), duration_min=40
)


def test_a_screening_records_its_weight_and_height_in_the_history(clinic, fixed_clock):
    screened(clinic, weight_kg=68.25)
    measurement = Measurement.objects.get(patient=clinic.alice, measured_on=D(2026, 3, 10))
    # 68.25 is kept to the history's 0.1 kg, half up.
    assert (measurement.weight_kg, measurement.height_cm) == (Decimal("68.3"), Decimal("170.0"))
    assert measurement.measured_on == D(2026, 3, 10)
    assert measurement.source == "screening"
    assert measurement.recorded_by == clinic.nurse
    assert AuditEvent.objects.filter(
        object_type="measurement", object_id=str(measurement.pk), action="create"
    ).exists()


def test_screening_again_the_same_day_with_the_same_weight_adds_nothing(clinic, fixed_clock):
    today = Measurement.objects.filter(patient=clinic.alice, measured_on=D(2026, 3, 10))
    screened(clinic)
    screened(clinic)
    assert today.count() == 1
    screened(clinic, weight_kg=71)
    assert today.count() == 2
    assert dosing_weight(clinic.alice, D(2026, 3, 10)).weight_kg == Decimal("71.0")


def test_the_screening_weight_reaches_the_dose_order_with_its_date(clinic, course):
    # The bug: the plan said "≈ 35 mg" from the screening's answers while the chart found no
    # weight. 0.5 mg/kg x 70 kg = 35 mg; at 10 mg/mL that is 3.5 mL.
    session = course.sessions.get(number=1)
    assert session.planned_dose_text == "0.5 mg/kg over 40 min ≈ 35 mg"
    order = order_dose(session, IV_ORDER, user=clinic.prescriber, request=None)
    assert order.weight_kg == Decimal("70.0")
    assert order.weight_measured_on == D(2026, 3, 10)
    assert order.dose_mg == Decimal("35")
    assert order.volume_ml == Decimal("3.5")
    assert not [w for w in order.result["warnings"] if "weigh the patient again" in w]


def test_the_plan_page_shows_the_dosing_weight_and_its_date(client, clinic, signed_screening):
    client.force_login(clinic.prescriber)
    page = client.get(reverse("treatment:course-new", args=[signed_screening.pk]))
    text = page.content.decode()
    assert "Dosing weight: <strong>70.0 kg</strong>, height 170.0 cm, measured 2026-03-10" in text
    assert "Stale weight" not in text
    assert "Reason to dose twice on one day" not in text  # asked only when a day clashes


def old_weight(clinic, days_ago: int) -> Measurement:
    """Alice's only weight, ``days_ago`` before the fixed 2026-03-10."""
    Measurement.objects.filter(patient=clinic.alice).delete()
    return Measurement.objects.create(
        patient=clinic.alice,
        measured_on=D(2026, 3, 10) - dt.timedelta(days=days_ago),
        weight_kg=Decimal("80.0"),
        height_cm=Decimal("170.0"),
    )


def test_a_weight_of_exactly_30_days_is_not_stale_and_31_is(clinic, fixed_clock):
    old_weight(clinic, 30)
    assert not dosing_weight(clinic.alice, D(2026, 3, 10)).is_stale
    old_weight(clinic, 31)
    weight = dosing_weight(clinic.alice, D(2026, 3, 10))
    assert weight.is_stale
    assert weight.stale_message == (
        "Weight 80.0 kg was measured 2026-02-07, 31 days ago (more than 30): weigh the patient "
        "again before dosing."
    )


def test_the_stale_limit_is_a_setting(clinic, fixed_clock, settings):
    settings.WEIGHT_STALE_DAYS = 60
    old_weight(clinic, 45)
    assert not dosing_weight(clinic.alice, D(2026, 3, 10)).is_stale


def test_a_stale_weight_is_flagged_on_the_plan_and_the_dose_order(client, clinic, signed_screening):
    old_weight(clinic, 45)  # the screening's 70 kg removed: only an 80 kg weight of January
    client.force_login(clinic.prescriber)
    page = client.get(reverse("treatment:course-new", args=[signed_screening.pk]))
    assert "Stale weight" in page.content.decode()
    outcome = plan_course(
        signed_screening,
        PlanChoice("iv-depression-induction", D(2026, 3, 11)),
        user=clinic.prescriber,
        request=None,
    )
    assert any("45 days ago (more than 30)" in note for note in outcome.notes)
    # 0.5 mg/kg x 80 kg = 40 mg
    assert outcome.course.sessions.get(number=2).planned_dose_text.endswith("≈ 40 mg")
    detail = client.get(reverse("treatment:course", args=[outcome.course.pk]))
    assert "Stale weight" in detail.content.decode()
    result, measurement = calculate_for(outcome.course.sessions.get(number=1), IV_ORDER)
    assert measurement.measured_on == D(2026, 1, 24)
    assert result.dose_mg == Decimal("40")
    assert any("45 days ago (more than 30)" in w for w in result.warnings)


def test_screenings_stored_before_this_change_get_their_weight_into_the_history(
    clinic, fixed_clock
):
    import importlib

    from django.apps import apps

    from ketaclinic.apps.treatment.models import Screening

    migration = importlib.import_module(
        "ketaclinic.apps.treatment.migrations.0005_screening_weights_into_history"
    )
    screening = screened(clinic, weight_kg=64.25)
    Measurement.objects.filter(source="screening").delete()  # as it was before the change
    migration.forwards(apps, None)
    added = Measurement.objects.get(patient=clinic.alice, source="screening")
    # Screened 2026-03-10 14:00 UTC = 10:00 in New York; 64.25 kg to the tenth, half up.
    assert (added.measured_on, added.weight_kg, added.height_cm) == (
        D(2026, 3, 10),
        Decimal("64.3"),
        Decimal("170.0"),
    )
    assert added.recorded_by_id == screening.screened_by_id
    migration.forwards(apps, None)  # a measurement that day already: nothing more
    assert Measurement.objects.filter(patient=clinic.alice, source="screening").count() == 1
    assert Screening.objects.count() == 1


def test_the_chart_lists_the_screening_weight_in_the_one_history(client, clinic, fixed_clock):
    screened(clinic, weight_kg=66)
    client.force_login(clinic.nurse)
    page = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert "<td>66.0 kg</td>" in page
    assert "<td>Screening</td>" in page

"""The rights at the chair, in the domain (``administering``), for every route.

Each right: refused naming the field; accepted with a prescriber's override and a reason;
the override audited and alerted. Issue 12's case first: 0.5 mg/kg x 68 kg = 34 mg ordered
at 10 mg/mL = 3.4 mL over 40 min (3.4 x 60 / 40 = 5.1 mL/h).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.charting.bedside import ready_to_dose, stock

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.administering import finish_administration, start_administration
from ketaclinic.apps.charting.models import Administration
from ketaclinic.apps.ledger.choices import Drug
from ketaclinic.apps.ledger.models import LedgerEntry
from ketaclinic.clinical.exceptions import InputError

pytestmark = pytest.mark.django_db

D = Decimal
IV_34_MG = {"mg_per_kg": "0.5", "concentration_mg_per_ml": "10", "duration_min": 40}


def start(session, user, *, container=None, volume="3.4", **kwargs):
    return start_administration(
        session,
        product="",
        lot="",
        container=container,
        volume_drawn_ml=None if volume is None else D(volume),
        started_at=kwargs.pop("started_at", None) or _now(),
        user=user,
        request=None,
        **kwargs,
    )


def stop(session, user, clock, *, after_min: float = 40, volume="3.4", **kwargs):
    clock.moment += dt.timedelta(minutes=after_min)
    return finish_administration(
        session,
        volume_given_ml=None if volume is None else D(volume),
        stopped_at=clock.moment,
        user=user,
        request=None,
        **kwargs,
    )


def _now():
    from ketaclinic.apps.web import clock

    return clock.now()


def deviation_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="dose_deviation"))


# --- right strength --------------------------------------------------------------------------


def test_the_170_mg_case_is_refused_naming_both_strengths(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    assert session.dose_order.volume_ml == D("3.4")
    wrong_vial = stock(clinic, "50")
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=wrong_vial, volume="3.4")
    assert refused.value.field == "container"
    assert "is 50 mg/mL but the order is for 10 mg/mL" in refused.value.message
    assert "3.4 mL would be 170 mg, not 34 mg" in refused.value.message
    assert not Administration.objects.exists()
    session.refresh_from_db()
    assert session.status == "checked_in"


def test_no_override_opens_the_wrong_strength(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    with pytest.raises(InputError) as refused:
        start(
            session,
            clinic.prescriber,
            container=stock(clinic, "50"),
            override_reason="I am sure",
        )
    assert refused.value.field == "container"


def test_the_right_strength_starts_and_the_ledger_records_34_mg(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    vial = stock(clinic, "10")
    given = start(session, clinic.nurse, container=vial)
    assert (given.strength_mg, given.expected_volume_ml, given.deviations) == (
        D("10"),
        D("3.4"),
        [],
    )
    done = stop(session, clinic.nurse, fixed_clock)
    assert done.dose_given_mg == D("34")
    assert LedgerEntry.objects.get(kind="administration").quantity == 3400
    assert deviation_events() == []
    assert not Alert.objects.filter(source_type="administration").exists()


def test_an_order_without_concentration_is_drawn_to_the_recomputed_volume(clinic, fixed_clock):
    # 34 mg at 50 mg/mL = 0.68 mL, rounded down to 0.6 mL = 30 mg (shown before start).
    session = ready_to_dose(clinic, mg_per_kg="0.5", duration_min=40)
    vial = stock(clinic, "50")
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=vial, volume="3.4")
    assert refused.value.field == "volume_drawn_ml"
    given = start(session, clinic.nurse, container=vial, volume="0.6")
    assert given.expected_volume_ml == D("0.6")


def test_a_typed_product_needs_its_strength(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    with pytest.raises(InputError) as missing:
        start_administration(
            session,
            product="Ketamine",
            lot="K1",
            volume_drawn_ml=D("3.4"),
            started_at=fixed_clock.moment,
            user=clinic.nurse,
            request=None,
        )
    assert missing.value.field == "strength_mg"
    with pytest.raises(InputError) as wrong:
        start_administration(
            session,
            product="Ketamine",
            lot="K1",
            strength_mg=D("50"),
            volume_drawn_ml=D("3.4"),
            started_at=fixed_clock.moment,
            user=clinic.nurse,
            request=None,
        )
    assert wrong.value.field == "container"


# --- right amount ----------------------------------------------------------------------------


def test_drawing_beyond_the_tolerance_is_refused_for_a_nurse(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    vial = stock(clinic, "10")
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=vial, volume="4")
    assert refused.value.field == "volume_drawn_ml"
    assert "4 mL drawn (40 mg) is not the 3.4 mL ordered (34 mg) ± 0.1 mL" in (
        refused.value.message
    )
    assert "only a prescriber may accept this" in refused.value.message
    with pytest.raises(InputError) as not_hers:
        start(session, clinic.nurse, container=vial, volume="4", override_reason="Extra")
    assert not_hers.value.field == "override_reason"


def test_a_prescriber_overrides_the_amount_with_a_reason_audited_and_alerted(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    vial = stock(clinic, "10")
    given = start(
        session,
        clinic.prescriber,
        container=vial,
        volume="4",
        override_reason="Priming volume of the extension set: 0.6 mL stays in the line.",
    )
    (deviation,) = given.deviations
    assert deviation["code"] == "volume_drawn"
    assert deviation["authority"] == "prescriber"
    assert deviation["accepted_by_id"] == clinic.prescriber.pk
    assert deviation["reason"].startswith("Priming volume")
    (event,) = deviation_events()
    assert event.action == "sign"
    assert event.detail["codes"] == ["volume_drawn"]
    alert = Alert.objects.get(source_type="administration", source_id=str(given.pk))
    assert alert.level == "urgent"
    assert alert.assigned_to == clinic.prescriber
    assert "Priming volume" in alert.message


def test_giving_less_than_ordered_needs_the_prescriber(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    start(session, clinic.nurse, container=stock(clinic, "10"))
    with pytest.raises(InputError) as refused:
        stop(session, clinic.nurse, fixed_clock, volume="1.7")
    # Stopped at 40 min with half the volume: the amount is the deviation, not the time.
    assert refused.value.field == "volume_given_ml"
    assert "1.7 mL given (17 mg) is less than the 3.4 mL ordered" in refused.value.message
    done = finish_administration(
        session,
        volume_given_ml=D("1.7"),
        stopped_at=fixed_clock.moment,
        override_reason="BP 190/110 at 20 min; infusion stopped per rule, not restarted.",
        user=clinic.prescriber,
        request=None,
    )
    assert done.dose_given_mg == D("17")
    assert [d["code"] for d in done.deviations] == ["amount_below_order"]


def test_esketamine_devices_are_counted_exactly(clinic, fixed_clock):
    session = ready_to_dose(clinic, route="esketamine", dose_mg="84")
    assert session.dose_order.devices == 3
    devices = stock(clinic, "28", form="nasal_device", drug=Drug.ESKETAMINE)
    given = start(session, clinic.nurse, container=devices, volume=None)
    assert given.expected_units == 3
    with pytest.raises(InputError) as refused:
        stop(session, clinic.nurse, fixed_clock, volume=None, units_given=2)
    assert refused.value.field == "units_given"
    assert "2 unit(s) given (56 mg) is less than the 3 ordered (84 mg), exactly" in (
        refused.value.message
    )
    done = finish_administration(
        session,
        volume_given_ml=None,
        units_given=3,
        stopped_at=fixed_clock.moment,
        user=clinic.nurse,
        request=None,
    )
    assert done.dose_given_mg == D("84")
    assert LedgerEntry.objects.get(kind="administration").quantity == 3


def test_an_esketamine_device_of_another_strength_is_refused(clinic, fixed_clock):
    session = ready_to_dose(clinic, route="esketamine", dose_mg="56")
    other = stock(clinic, "14", form="nasal_device", drug=Drug.ESKETAMINE)
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=other, volume=None)
    assert refused.value.field == "container"
    assert "holds 14 mg devices but the order is for 28 mg devices" in refused.value.message


def test_troches_are_counted_exactly_and_the_ledger_takes_the_count(clinic, fixed_clock):
    # 200 mg from 100 mg troches = 2 troches.
    session = ready_to_dose(clinic, route="sublingual", dose_mg="200")
    troches = stock(clinic, "100", form="troche")
    given = start(session, clinic.nurse, container=troches, volume=None)
    assert given.expected_units == 2
    with pytest.raises(InputError) as refused:
        stop(session, clinic.nurse, fixed_clock, volume=None, units_given=3)
    assert refused.value.field == "units_given"
    assert "3 unit(s) given (300 mg) is more than the 2 ordered (200 mg)" in (refused.value.message)
    done = finish_administration(
        session,
        volume_given_ml=None,
        units_given=2,
        stopped_at=fixed_clock.moment,
        user=clinic.nurse,
        request=None,
    )
    assert done.dose_given_mg == D("200")
    assert LedgerEntry.objects.get(kind="administration").quantity == 2


def test_troches_that_cannot_make_the_dose_are_refused(clinic, fixed_clock):
    session = ready_to_dose(clinic, route="sublingual", dose_mg="150")
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=stock(clinic, "100", form="troche"), volume=None)
    assert refused.value.field == "container"
    assert "150 mg is not a whole number of 100 mg units" in refused.value.message


def test_im_draws_the_volume_for_the_products_strength(clinic, fixed_clock):
    # IM 0.5 mg/kg x 68 = 34 mg; at 50 mg/mL, 0.68 -> 0.6 mL; 1 mL is beyond 0.1 mL.
    session = ready_to_dose(clinic, route="im", mg_per_kg="0.5")
    vial = stock(clinic, "50")
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=vial, volume="1")
    assert refused.value.field == "volume_drawn_ml"
    start(session, clinic.nurse, container=vial, volume="0.6")
    done = stop(session, clinic.nurse, fixed_clock, after_min=2, volume="0.6")
    assert (done.dose_given_mg, done.deviations) == (D("30"), [])


# --- right rate and time ---------------------------------------------------------------------


def test_the_84_second_infusion_is_refused_unless_a_prescriber_overrides(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    start(session, clinic.nurse, container=stock(clinic, "10"))
    with pytest.raises(InputError) as refused:
        stop(session, clinic.nurse, fixed_clock, after_min=1.4)
    assert refused.value.field == "stopped_at"
    assert "the 40 min infusion ended after 1.4 min" in refused.value.message
    assert "145.71 mL/h on average, above the 5.1 mL/h ordered" in refused.value.message
    done = finish_administration(
        session,
        volume_given_ml=D("3.4"),
        stopped_at=fixed_clock.moment,
        override_reason="Pump programmed in mL/min; patient monitored, no harm. Incident filed.",
        user=clinic.prescriber,
        request=None,
    )
    assert done.elapsed_min == D("1.4")
    assert [d["code"] for d in done.deviations] == ["rate_above_order"]
    assert deviation_events()[0].detail["codes"] == ["rate_above_order"]
    assert Alert.objects.get(source_type="administration").level == "urgent"


def test_an_infusion_stopped_early_at_its_rate_needs_a_reason_and_the_prescriber(
    clinic, fixed_clock
):
    session = ready_to_dose(clinic, **IV_34_MG)
    start(session, clinic.nurse, container=stock(clinic, "10"))
    fixed_clock.moment += dt.timedelta(minutes=20)
    done = finish_administration(
        session,
        volume_given_ml=D("1.7"),
        stopped_at=fixed_clock.moment,
        override_reason="Stopped for BP 192/104 at 20 min.",
        user=clinic.prescriber,
        request=None,
    )
    codes = sorted(d["code"] for d in done.deviations)
    assert codes == ["amount_below_order", "ended_early"]


def test_an_infusion_that_ran_late_needs_a_reason_any_nurse_may_give(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    start(session, clinic.nurse, container=stock(clinic, "10"))
    with pytest.raises(InputError) as refused:
        stop(session, clinic.nurse, fixed_clock, after_min=60)
    assert refused.value.field == "stopped_at"
    assert "ended after 60 min" in refused.value.message
    assert "give the reason" in refused.value.message
    done = finish_administration(
        session,
        volume_given_ml=D("3.4"),
        stopped_at=fixed_clock.moment,
        deviation_reason="Paused 20 min for nausea; ondansetron given.",
        user=clinic.nurse,
        request=None,
    )
    (late,) = done.deviations
    assert (late["code"], late["authority"]) == ("ended_late", "reason")
    (event,) = deviation_events()
    assert event.action == "update"
    assert Alert.objects.get(source_type="administration").level == "warning"


def test_a_pump_rate_above_the_order_is_refused_for_a_nurse(clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    vial = stock(clinic, "10")
    with pytest.raises(InputError) as refused:
        start(session, clinic.nurse, container=vial, pump_rate_ml_per_h=D("51"))
    assert refused.value.field == "rate_ml_per_h"
    given = start(session, clinic.nurse, container=vial, pump_rate_ml_per_h=D("5.1"))
    assert given.pump_rate_ml_per_h == D("5.1")


def test_only_an_infusion_has_a_pump_rate(clinic, fixed_clock):
    session = ready_to_dose(clinic, route="im", mg_per_kg="0.5")
    with pytest.raises(InputError) as refused:
        start(
            session,
            clinic.nurse,
            container=stock(clinic, "50"),
            volume="0.6",
            pump_rate_ml_per_h=D("5"),
        )
    assert refused.value.field == "rate_ml_per_h"


def test_counted_and_measured_amounts_are_not_mixed_up(clinic, fixed_clock):
    session = ready_to_dose(clinic, route="sublingual", dose_mg="200")
    start(session, clinic.nurse, container=stock(clinic, "100", form="troche"), volume=None)
    with pytest.raises(InputError) as refused:
        stop(session, clinic.nurse, fixed_clock, volume="2", units_given=2)
    assert refused.value.field == "volume_given_ml"

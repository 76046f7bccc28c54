"""The rights on the pages and over the API: the field named, the deviation shown, the day
control, check-in only on the session's own day, caps shown side by side, scales empty."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.charting.bedside import ready_to_dose, stock
from tests.charting.factories import NOW, make_session

from ketaclinic.apps.charting.models import Administration, DoseOrder, ScaleEntry
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.apps.treatment.models import Course

pytestmark = pytest.mark.django_db

IV_34_MG = {"mg_per_kg": "0.5", "concentration_mg_per_ml": "10", "duration_min": 40}


def url(name, session):
    return reverse(f"charting:{name}", args=[session.pk])


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


# --- right patient, right day ----------------------------------------------------------------


def test_check_in_on_another_day_is_refused_naming_the_field(client, clinic, fixed_clock):
    later = make_session(clinic, planned_start=NOW + dt.timedelta(days=2))
    client.force_login(clinic.nurse)
    response = client.post(url("check-in", later), follow=True)
    page = response.content.decode()
    assert "Cannot check in (planned_start)" in page
    assert "planned for 2026-03-12" in page
    assert "today at the site is 2026-03-10" in page
    later.refresh_from_db()
    assert later.status == "planned"
    api = post_json(client, f"/api/v1/sessions/{later.pk}/check-in", {})
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "planned_start"


def test_the_site_day_decides_not_the_server_day(client, clinic, fixed_clock):
    # 2026-03-11 02:00 UTC is still 2026-03-10 22:00 in New York: today at Riverside.
    evening = make_session(clinic, planned_start=dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC))
    client.force_login(clinic.nurse)
    ok = post_json(client, f"/api/v1/sessions/{evening.pk}/check-in", {})
    assert ok.status_code == 200
    assert ok.json()["status"] == "checked_in"


def test_the_chart_header_shows_two_identifiers_and_a_closed_check_in(client, clinic, fixed_clock):
    later = make_session(clinic, planned_start=NOW + dt.timedelta(days=2))
    client.force_login(clinic.nurse)
    page = client.get(url("chart", later)).content.decode()
    assert "Rivera, Alice" in page
    assert "DOB 1984-06-02" in page
    assert "MRN K000001" in page
    assert "Check-in opens on the session's own day, Thu 2026-03-12" in page
    assert url("check-in", later) not in page


def test_the_day_page_has_a_date_control_and_other_days_are_read_only(client, clinic, fixed_clock):
    today = make_session(clinic)
    tomorrow = make_session(clinic, number=2, planned_start=NOW + dt.timedelta(days=1))
    client.force_login(clinic.front_desk)
    page = client.get(reverse("charting:list")).content.decode()
    assert 'type="date" id="id_day" name="day" value="2026-03-10"' in page
    assert "Today at Riverside: <strong>Tue 2026-03-10</strong>" in page
    assert url("check-in", today) in page
    future = client.get(reverse("charting:list"), {"day": "2026-03-11"}).content.decode()
    assert "Sessions on Wed 2026-03-11" in future
    assert "the day is read-only" in future
    assert url("check-in", tomorrow) not in future
    assert "check-in on its day" in future
    past = client.get(reverse("charting:list"), {"day": "2026-03-09"}).content.decode()
    assert "the day is read-only" in past


# --- right strength and amount on the page ---------------------------------------------------


def test_the_start_form_shows_what_each_container_means_for_the_order(client, clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    stock(clinic, "10")
    stock(clinic, "50")
    client.force_login(clinic.nurse)
    page = client.get(url("chart", session)).content.decode()
    assert "3.4 mL at 10 mg/mL = 34 mg over 40 min at 5.1 mL/h" in page
    assert "NOT FOR THIS ORDER: is 50 mg/mL but the order is for 10 mg/mL" in page


def test_the_wrong_vial_on_the_page_is_a_field_error_and_nothing_starts(
    client, clinic, fixed_clock
):
    session = ready_to_dose(clinic, **IV_34_MG)
    wrong = stock(clinic, "50")
    client.force_login(clinic.nurse)
    response = client.post(
        url("dose-start", session), {"container": wrong.pk, "volume_drawn_ml": "3.4"}
    )
    assert response.status_code == 422
    errors = response.context["start_form"].errors
    assert "is 50 mg/mL but the order is for 10 mg/mL" in errors["container"][0]
    assert not Administration.objects.exists()


def test_a_deviation_accepted_by_the_prescriber_is_on_the_chart_and_its_timeline(
    client, clinic, fixed_clock
):
    session = ready_to_dose(clinic, **IV_34_MG)
    vial = stock(clinic, "10")
    client.force_login(clinic.nurse)
    refused = client.post(
        url("dose-start", session), {"container": vial.pk, "volume_drawn_ml": "4"}
    )
    assert refused.status_code == 422
    assert (
        "only a prescriber may accept this"
        in refused.context["start_form"].errors["volume_drawn_ml"][0]
    )
    client.force_login(clinic.prescriber)
    chart = client.get(url("chart", session)).content.decode()
    assert 'name="override_reason"' in chart
    accepted = client.post(
        url("dose-start", session),
        {"container": vial.pk, "volume_drawn_ml": "4", "override_reason": "Line priming."},
    )
    assert accepted.status_code == 302
    page = client.get(url("chart", session)).content.decode()
    assert 'id="dose-deviations"' in page
    assert "prescriber's override by" in page
    assert "Dose deviation accepted (prescriber&#x27;s override)" in page


def test_the_api_refuses_the_wrong_vial_with_422_naming_the_field(client, clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    wrong = stock(clinic, "50")
    client.force_login(clinic.nurse)
    response = post_json(
        client,
        f"/api/v1/sessions/{session.pk}/dose/start",
        {"container_id": wrong.pk, "volume_drawn_ml": "3.4"},
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "container"
    assert "170 mg, not 34 mg" in error["message"]
    unknown = post_json(
        client, f"/api/v1/sessions/{session.pk}/dose/start", {"container_id": 999999}
    )
    assert unknown.json()["errors"][0]["field"] == "container_id"


def test_the_api_runs_the_steps_and_the_chart_carries_the_deviation(client, clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    vial = stock(clinic, "10")
    client.force_login(clinic.nurse)
    started = post_json(
        client,
        f"/api/v1/sessions/{session.pk}/dose/start",
        {"container_id": vial.pk, "volume_drawn_ml": "3.4", "rate_ml_per_h": "5.1"},
    )
    assert started.status_code == 201
    assert started.json()["expected_volume_ml"] == "3.40"
    fixed_clock.moment += dt.timedelta(minutes=60)
    late = post_json(client, f"/api/v1/sessions/{session.pk}/dose/stop", {"volume_given_ml": 3.4})
    assert late.status_code == 422
    assert late.json()["errors"][0]["field"] == "stopped_at"
    stopped = post_json(
        client,
        f"/api/v1/sessions/{session.pk}/dose/stop",
        {"volume_given_ml": 3.4, "deviation_reason": "Paused for nausea."},
    )
    assert stopped.status_code == 200
    assert stopped.json()["deviations"][0]["code"] == "ended_late"
    chart = client.get(f"/api/v1/sessions/{session.pk}").json()
    assert chart["administration"]["elapsed_min"] == "60.00"
    assert chart["administration"]["deviations"][0]["reason"] == "Paused for nausea."


def test_naive_times_over_the_api_are_refused(client, clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    client.force_login(clinic.nurse)
    response = post_json(
        client,
        f"/api/v1/sessions/{session.pk}/dose/start",
        {"product": "K", "lot": "1", "strength_mg": 10, "started_at": "2026-03-10T09:40:00"},
    )
    assert response.json()["errors"][0]["field"] == "started_at"


# --- dose caps -------------------------------------------------------------------------------


@pytest.fixture
def pain_session(clinic, fixed_clock):
    """IV chronic pain: 0.35 mg/kg/h over 240 min at 70 kg = 98 mg; IV hard cap 70 mg."""
    course = Course.objects.create(
        patient=clinic.alice,
        site=clinic.alice.site,
        protocol_id="iv-chronic-pain",
        route="iv",
        prescriber=clinic.prescriber,
        target_dose_mg_per_kg=Decimal("0.35"),
        infusion_minutes=240,
        starts_on=dt.date(2026, 3, 1),
    )
    Measurement.objects.create(
        patient=clinic.alice, measured_on=dt.date(2026, 3, 10), weight_kg=Decimal("70.0")
    )
    return make_session(clinic, course=course)


def test_a_capped_protocol_dose_shows_both_doses_and_the_prescriber_chooses(
    client, clinic, pain_session
):
    client.force_login(clinic.prescriber)
    chart = client.get(url("chart", pain_session))
    assert chart.context["order_form"].initial["mg_per_kg"] == "1.4"
    wanted = {"mg_per_kg": "1.4", "concentration_mg_per_ml": "10", "duration_min": "240"}
    preview = client.post(url("dose-order", pain_session), {**wanted, "action": "preview"})
    page = preview.content.decode()
    assert 'id="cap-choice"' in page
    assert "<td>98 mg</td><td>70 mg</td>" in page
    assert "[dose.fava-2018]" in page
    silent = client.post(url("dose-order", pain_session), {**wanted, "action": "order"})
    assert silent.status_code == 422
    assert (
        "98 mg requested is above the hard cap of 70 mg [dose.fava-2018]"
        in (silent.context["order_form"].errors["cap_choice"][0])
    )
    no_reason = client.post(
        url("dose-order", pain_session),
        {**wanted, "action": "order", "cap_choice": "requested"},
    )
    assert "cap_reason" in no_reason.context["order_form"].errors
    ordered = client.post(
        url("dose-order", pain_session),
        {
            **wanted,
            "action": "order",
            "cap_choice": "requested",
            "cap_reason": "CRPS protocol dose, tolerated at session 1.",
        },
    )
    assert ordered.status_code == 302
    order = DoseOrder.objects.get()
    assert (order.dose_mg, order.requested_dose_mg, order.hard_cap_mg) == (
        Decimal("98.000"),
        Decimal("98.000"),
        Decimal("70.000"),
    )
    assert (order.cap_choice, order.hard_cap_source) == ("requested", "dose.fava-2018")
    page = client.get(url("chart", pain_session)).content.decode()
    assert "Requested 98 mg · hard cap 70 mg [dose.fava-2018]" in page


def test_the_capped_choice_over_the_api(client, clinic, pain_session):
    client.force_login(clinic.prescriber)
    path = f"/api/v1/sessions/{pain_session.pk}/dose-order"
    body = {"mg_per_kg": "1.4", "concentration_mg_per_ml": "10", "duration_min": 240}
    refused = post_json(client, path, body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "cap_choice"
    ordered = post_json(client, path, {**body, "cap_choice": "capped"})
    assert ordered.status_code == 201
    assert (ordered.json()["dose_mg"], ordered.json()["cap_choice"]) == ("70.0", "capped")


# --- forced-choice scales --------------------------------------------------------------------


def test_moaas_and_cadss_start_empty_and_need_a_choice(client, clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    client.force_login(clinic.nurse)
    page = client.get(url("chart", session))
    moaas = page.context["moaas_form"]
    assert moaas["item1"].value() is None
    assert 'value="" selected' in str(moaas["item1"])
    cadss = page.context["cadss_form"]
    assert all(cadss[name].value() is None for name in cadss.fields if name != "taken_at")
    response = client.post(url("moaas", session), {})
    assert response.status_code == 422
    assert response.context["moaas_form"].errors["item1"]
    cadss_response = client.post(url("cadss", session), {})
    assert cadss_response.status_code == 422
    assert cadss_response.context["cadss_form"].errors
    assert not ScaleEntry.objects.exists()


def test_an_esketamine_device_short_shows_on_the_rems_record(client, clinic, fixed_clock):
    from ketaclinic.apps.charting.administering import finish_administration, start_administration
    from ketaclinic.apps.ledger.choices import Drug

    session = ready_to_dose(clinic, route="esketamine", dose_mg="84")
    devices = stock(clinic, "28", form="nasal_device", drug=Drug.ESKETAMINE)
    start_administration(
        session,
        product="",
        lot="",
        container=devices,
        volume_drawn_ml=None,
        started_at=fixed_clock.moment,
        user=clinic.nurse,
        request=None,
    )
    fixed_clock.moment += dt.timedelta(minutes=15)
    finish_administration(
        session,
        volume_given_ml=None,
        units_given=2,
        stopped_at=fixed_clock.moment,
        override_reason="Third device withheld: BP 168/100 after the second.",
        user=clinic.prescriber,
        request=None,
    )
    client.force_login(clinic.nurse)
    page = client.get(reverse("charting:rems", args=[session.pk]))
    assert page.context["form"].initial["dose_mg"] == Decimal("56.0")
    text = page.content.decode()
    assert 'id="rems-dose-deviations"' in text
    assert "2 unit(s) given (56 mg) is less than the 3 ordered (84 mg), exactly" in text


def test_moaas_over_the_api_needs_its_item(client, clinic, fixed_clock):
    session = ready_to_dose(clinic, **IV_34_MG)
    client.force_login(clinic.nurse)
    path = f"/api/v1/sessions/{session.pk}/scales/moaas"
    missing = post_json(client, path, {"answers": {}})
    assert missing.status_code == 422
    assert "item1" in missing.json()["errors"][0]["field"]
    charted = post_json(client, path, {"answers": {"item1": 5}})
    assert charted.status_code == 201
    assert (charted.json()["scale"], charted.json()["total"]) == ("moaas", 5)
    unknown = post_json(client, f"/api/v1/sessions/{session.pk}/scales/phq9", {"answers": {}})
    assert unknown.status_code == 422

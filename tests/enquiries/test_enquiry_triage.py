"""The triage queue: actions and their events, conversion without retyping, figures, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from tests.enquiries.enquiry_data import NOW, make_enquiry
from tests.personas import make_patient

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.enquiries import triage
from ketaclinic.apps.enquiries.choices import EnquiryStatus, EventKind
from ketaclinic.apps.enquiries.figures import median_days_to_conversion, waiting_figures
from ketaclinic.apps.enquiries.models import Enquiry
from ketaclinic.apps.patients.models import Condition, Patient

pytestmark = pytest.mark.django_db
S = EnquiryStatus


@pytest.fixture
def desk(client, clinic, fixed_clock):
    client.force_login(clinic.front_desk)
    return client


def events(enquiry) -> list[tuple[str, str, str]]:
    return [(e.kind, e.from_status, e.to_status) for e in enquiry.events.all()]


def test_reaching_the_person_moves_new_to_contacted_and_records_the_attempt(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    url = reverse("enquiries:contact", args=[enquiry.pk])
    desk.post(url, {"method": "phone", "outcome": "no_answer", "note": ""})
    enquiry.refresh_from_db()
    assert enquiry.status == S.NEW
    response = desk.post(url, {"method": "phone", "outcome": "reached", "note": "Call back Fri"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == S.CONTACTED
    assert enquiry.contact_attempts == 2
    assert enquiry.last_contact_at == NOW
    assert enquiry.status_changed_at == NOW
    assert events(enquiry) == [
        (EventKind.SUBMITTED, "", S.NEW),
        (EventKind.CONTACT_ATTEMPT, S.NEW, S.NEW),
        (EventKind.CONTACT_ATTEMPT, S.NEW, S.CONTACTED),
    ]
    last = enquiry.events.last()
    assert (last.actor, last.contact_outcome, last.note) == (
        clinic.front_desk,
        "reached",
        "Call back Fri",
    )
    updates = AuditEvent.objects.filter(object_type="enquiry", action="update")
    audit = updates.order_by("id").last()
    assert audit.object_id == str(enquiry.pk)
    assert audit.actor == clinic.front_desk
    assert audit.detail == {"event": "contact_attempt", "from": "new", "to": "contacted"}


def test_a_contact_attempt_needs_a_known_method_and_outcome(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    response = desk.post(
        reverse("enquiries:contact", args=[enquiry.pk]), {"method": "fax", "outcome": ""}
    )
    assert response.status_code == 422
    errors = response.context["contact_form"].errors
    assert set(errors) == {"method", "outcome"}
    assert enquiry.events.count() == 1


def test_scheduling_an_intake_uses_the_sites_time_zone(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    response = desk.post(
        reverse("enquiries:schedule", args=[enquiry.pk]),
        {"intake_at": "2026-03-12T09:30", "note": "Dr Marsh"},
    )
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == S.SCHEDULED
    # 09:30 in New York on 12 March 2026 (EDT, UTC-4, from 8 March) is 13:30 UTC.
    assert enquiry.intake_at == dt.datetime(2026, 3, 12, 13, 30, tzinfo=dt.UTC)
    assert events(enquiry)[-1] == (EventKind.INTAKE_SCHEDULED, S.NEW, S.SCHEDULED)


def test_an_intake_in_the_past_is_refused(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    response = desk.post(
        reverse("enquiries:schedule", args=[enquiry.pk]), {"intake_at": "2026-03-10T09:00"}
    )
    assert response.status_code == 422
    assert "must be in the future" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == S.NEW


def test_declining_requires_a_reason(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    url = reverse("enquiries:decline", args=[enquiry.pk])
    for empty in ({}, {"reason": "   "}):
        response = desk.post(url, empty)
        assert response.status_code == 422
        assert "Say why the enquiry is declined" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == S.NEW
    desk.post(url, {"reason": "Lives abroad; referred locally."})
    enquiry.refresh_from_db()
    assert enquiry.status == S.DECLINED
    assert enquiry.declined_reason == "Lives abroad; referred locally."
    assert events(enquiry)[-1] == (EventKind.DECLINED, S.NEW, S.DECLINED)


def test_the_database_refuses_a_decline_without_a_reason(clinic):
    enquiry = make_enquiry(clinic.site_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enquiry.objects.filter(pk=enquiry.pk).update(status=S.DECLINED)


def test_the_service_refuses_an_empty_reason_too(clinic, fixed_clock):
    enquiry = make_enquiry(clinic.site_a)
    with pytest.raises(ValueError, match="reason"):
        triage.decline(enquiry, user=clinic.front_desk, reason=" ")


def test_a_closed_enquiry_takes_no_more_steps(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    triage.decline(enquiry, user=clinic.front_desk, reason="Duplicate")
    for name, data in (
        ("contact", {"method": "email", "outcome": "reached"}),
        ("schedule", {"intake_at": "2026-03-12T09:30"}),
        ("decline", {"reason": "again"}),
    ):
        response = desk.post(reverse(f"enquiries:{name}", args=[enquiry.pk]), data, follow=True)
        assert "Nothing changed" in response.content.decode()
    assert enquiry.events.count() == 2
    convert = desk.get(reverse("enquiries:convert", args=[enquiry.pk]), follow=True)
    assert "closed already" in convert.content.decode()


def test_converting_prefills_the_patient_form_from_the_enquiry(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    response = desk.get(reverse("enquiries:convert", args=[enquiry.pk]))
    form = response.context["form"]
    assert form.initial["given_name"] == "Dana"
    assert form.initial["date_of_birth"] == dt.date(1988, 7, 14)
    assert form.initial["email"] == "dana.ortiz@example.com"
    assert form.fields["site"].disabled
    body = response.content.decode()
    assert 'value="Ortiz"' in body
    assert 'value="1988-07-14"' in body


def _form_as_the_browser_sends_it(response) -> dict:
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value in (None, ""):
            continue
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def test_converting_without_retyping_creates_the_same_person_as_a_patient(desk, clinic):
    enquiry = make_enquiry(clinic.site_a, status=S.SCHEDULED, intake_at=NOW)
    page = desk.get(reverse("enquiries:convert", args=[enquiry.pk]))
    response = desk.post(
        reverse("enquiries:convert", args=[enquiry.pk]), _form_as_the_browser_sends_it(page)
    )
    enquiry.refresh_from_db()
    patient = enquiry.patient
    assert response.status_code == 302
    assert response.url == reverse("patients:detail", args=[patient.pk])
    for field in ("given_name", "family_name", "date_of_birth", "sex_at_birth", "email", "phone"):
        assert getattr(patient, field) == getattr(enquiry, field), field
    assert patient.site == enquiry.site == clinic.site_a
    assert patient.mrn == "K000002"  # Alice is K000001 at this site
    assert list(Condition.objects.filter(patient=patient).values_list("code", "primary")) == [
        ("ptsd", True)
    ]
    assert enquiry.status == S.CONVERTED
    assert enquiry.converted_at == NOW
    assert events(enquiry)[-1] == (EventKind.CONVERTED, S.SCHEDULED, S.CONVERTED)
    audits = AuditEvent.objects.order_by("id")
    assert list(audits.filter(action="create").values_list("object_type", "object_id")) == [
        ("patient", str(patient.pk))
    ]
    last_update = audits.filter(object_type="enquiry", action="update").last()
    assert last_update.detail["to"] == "converted"


def test_a_missing_sex_at_birth_is_asked_for_on_conversion(desk, clinic):
    enquiry = make_enquiry(clinic.site_a, sex_at_birth="", condition="other")
    page = desk.get(reverse("enquiries:convert", args=[enquiry.pk]))
    data = _form_as_the_browser_sends_it(page)
    response = desk.post(reverse("enquiries:convert", args=[enquiry.pk]), data)
    assert response.status_code == 422
    assert "sex_at_birth" in response.context["form"].errors
    desk.post(reverse("enquiries:convert", args=[enquiry.pk]), {**data, "sex_at_birth": "male"})
    enquiry.refresh_from_db()
    assert enquiry.patient.sex_at_birth == "male"
    assert not enquiry.patient.conditions.exists()  # "something else" is not a coded condition


def test_the_site_cannot_be_changed_on_conversion(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    page = desk.get(reverse("enquiries:convert", args=[enquiry.pk]))
    data = {**_form_as_the_browser_sends_it(page), "site": clinic.site_b.pk}
    desk.post(reverse("enquiries:convert", args=[enquiry.pk]), data)
    enquiry.refresh_from_db()
    assert enquiry.patient.site == clinic.site_a


def test_converting_to_an_existing_patient_links_by_mrn_at_the_same_site(desk, clinic):
    enquiry = make_enquiry(clinic.site_a, given_name="Alice", family_name="Rivera")
    url = reverse("enquiries:convert", args=[enquiry.pk])
    wrong = desk.post(url, {"mrn_link": "1", "mrn": "K999999"})
    assert wrong.status_code == 422
    assert "No patient at this site has this MRN" in wrong.content.decode()
    patients_before = Patient.objects.count()
    desk.post(url, {"mrn_link": "1", "mrn": "k000001"})
    enquiry.refresh_from_db()
    assert enquiry.patient == clinic.alice
    assert Patient.objects.count() == patients_before
    assert enquiry.events.last().note == "Existing patient K000001"


def test_the_convert_page_offers_patients_who_may_be_the_same_person(desk, clinic):
    enquiry = make_enquiry(
        clinic.site_a,
        given_name="Ali",
        family_name="RIVERA",
        date_of_birth=dt.date(1984, 6, 2),
        email="someone@example.com",
        phone="+1 555 000 1111",
    )
    by_email = make_patient(clinic.site_a, "K000050", "Sam", "One", dt.date(1970, 1, 1))
    by_email.email = "SOMEONE@example.com"
    by_email.save()
    by_phone = make_patient(clinic.site_a, "K000060", "Kim", "Two", dt.date(1971, 1, 1))
    by_phone.phone = "+1 555 000 1111"
    by_phone.save()
    make_patient(clinic.site_a, "K000070", "Alice", "Rivera", dt.date(1984, 6, 3))  # other day
    make_patient(clinic.site_b, "K000080", "Alice", "Rivera", dt.date(1984, 6, 2))  # other site
    response = desk.get(reverse("enquiries:convert", args=[enquiry.pk]))
    matches = [p.mrn for p in response.context["matches"]]
    # Alice Rivera (K000001) by family name and date of birth, then email, then phone.
    assert matches == ["K000001", "K000050", "K000060"]
    assert "Link to K000050" in response.content.decode()


def test_another_sites_patient_cannot_be_linked(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    make_patient(clinic.site_b, "B12345", "Bo", "Other", dt.date(1970, 1, 1))
    response = desk.post(
        reverse("enquiries:convert", args=[enquiry.pk]), {"mrn_link": "1", "mrn": "B12345"}
    )
    assert response.status_code == 422
    enquiry.refresh_from_db()
    assert enquiry.patient is None


def test_a_second_conversion_is_refused_and_creates_no_patient(clinic, fixed_clock):
    enquiry = make_enquiry(clinic.site_a)
    triage.convert_to_patient(enquiry, user=clinic.front_desk, patient=clinic.alice)
    count = Patient.objects.count()

    def save_patient():
        return make_patient(clinic.site_a, "K000777", "Dup", "Licate", dt.date(1990, 1, 1))

    with pytest.raises(triage.TransitionRefused, match="became a patient"):
        triage.convert_to_patient(enquiry, user=clinic.front_desk, save_patient=save_patient)
    assert Patient.objects.count() == count


def test_the_queue_lists_open_enquiries_oldest_first_with_place_and_wait(desk, clinic):
    older = make_enquiry(clinic.site_a, days_ago=10.5, family_name="Older")
    newer = make_enquiry(clinic.site_a, days_ago=2, family_name="Newer")
    kap = make_enquiry(clinic.site_a, days_ago=5, program="kap", family_name="Kappa")
    closed = make_enquiry(clinic.site_a, days_ago=30, family_name="Gone")
    triage.decline(closed, user=clinic.front_desk, reason="Duplicate")
    make_enquiry(clinic.site_b, family_name="Elsewhere")
    response = desk.get(reverse("enquiries:list"))
    rows = [(e.family_name, days, place) for e, days, place in response.context["rows"]]
    # Waiting: 10.5 days → 10 whole days; place counts within site and program.
    assert rows == [("Older", 10, 1), ("Kappa", 5, 1), ("Newer", 2, 2)]
    declined = desk.get(reverse("enquiries:list"), {"status": "declined"})
    assert [e.pk for e, _d, _p in declined.context["rows"]] == [closed.pk]
    only_kap = desk.get(reverse("enquiries:list"), {"program": "kap"})
    assert [e.pk for e, _d, _p in only_kap.context["rows"]] == [kap.pk]
    everything = desk.get(reverse("enquiries:list"), {"status": ""})
    assert len(everything.context["rows"]) == 4
    assert {older.pk, newer.pk} < {e.pk for e, _d, _p in everything.context["rows"]}


def test_waiting_stops_when_the_enquiry_closes(clinic, fixed_clock):
    declined = make_enquiry(clinic.site_a, days_ago=10)
    fixed_clock.moment -= dt.timedelta(days=4)  # declined 6 days after asking
    declined = triage.decline(declined, user=clinic.front_desk, reason="Duplicate")
    converted = make_enquiry(clinic.site_a, days_ago=20)
    converted = triage.convert_to_patient(converted, user=clinic.front_desk, patient=clinic.alice)
    later = NOW + dt.timedelta(days=30)
    assert declined.waiting_days(later) == 6
    assert converted.waiting_days(later) == 16  # converted at NOW - 4 days, asked NOW - 20
    assert make_enquiry(clinic.site_a, days_ago=2).waiting_days(later) == 32


def test_prescreen_flags_are_loud_in_the_queue(desk, clinic):
    make_enquiry(clinic.site_a, suicidal_thoughts=True, high_blood_pressure=True)
    body = desk.get(reverse("enquiries:list")).content.decode()
    assert 'class="row-urgent"' in body
    assert "badge-urgent flag" in body
    assert "Current suicidal thoughts" in body
    assert "High blood pressure" in body


def test_open_enquiries_reporting_suicidal_thoughts_come_first(desk, clinic):
    make_enquiry(clinic.site_a, days_ago=9, family_name="Waiting")
    make_enquiry(clinic.site_a, days_ago=1, family_name="Urgent", suicidal_thoughts=True)
    closed = make_enquiry(clinic.site_a, days_ago=20, family_name="Closed", suicidal_thoughts=True)
    triage.decline(closed, user=clinic.front_desk, reason="Referred to crisis team")
    response = desk.get(reverse("enquiries:list"), {"status": ""})
    names = [e.family_name for e, _days, _place in response.context["rows"]]
    assert names == ["Urgent", "Closed", "Waiting"]


def test_the_queue_and_its_fragment_come_from_one_view(desk, clinic):
    make_enquiry(clinic.site_a)
    fragment = desk.get(reverse("enquiries:list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "Ortiz, Dana" in fragment


def test_queue_pages_without_counting_and_its_query_count_is_pinned(
    desk, clinic, django_assert_num_queries
):
    for index in range(30):
        make_enquiry(clinic.site_a, days_ago=index + 1, family_name=f"Zed{index:02d}")
    first = desk.get(reverse("enquiries:list"))
    assert len(first.context["rows"]) == 25
    assert first.context["page"].has_next
    # Session, user, access (1: sites and permissions in one UNION), the filter's sites (1),
    # waiting figures (2), the page with each row's place (1), the audit event (1 insert).
    with django_assert_num_queries(8) as captured:
        second = desk.get(reverse("enquiries:list"), {"page": 2})
    assert len(second.context["rows"]) == 5
    # No COUNT over the whole list: "next" comes from fetching one row more than a page.
    assert not any(q["sql"].upper().startswith("SELECT COUNT(") for q in captured)


def test_viewing_the_queue_and_an_enquiry_is_audited(desk, clinic):
    enquiry = make_enquiry(clinic.site_a)
    desk.get(reverse("enquiries:list"))
    desk.get(reverse("enquiries:detail", args=[enquiry.pk]))
    views = AuditEvent.objects.filter(object_type="enquiry", action="view").order_by("id")
    assert [(v.object_id, v.actor) for v in views] == [
        ("", clinic.front_desk),
        (str(enquiry.pk), clinic.front_desk),
    ]
    assert views[0].detail["list"] == [enquiry.pk]
    assert views[1].site_id == clinic.site_a.pk


def _converted(site, *, submitted_days_ago: float, took_days: float, program: str, patient):
    enquiry = make_enquiry(site, days_ago=submitted_days_ago, program=program)
    Enquiry.objects.filter(pk=enquiry.pk).update(
        status=S.CONVERTED,
        patient=patient,
        converted_at=enquiry.submitted_at + dt.timedelta(days=took_days),
    )


def test_waiting_figures_use_nearest_rank_percentiles_per_program(clinic):
    # Open home-program enquiries waiting 1, 2, ..., 10 days (+1 h): n = 10, median rank
    # ⌈10/2⌉ = 5 → 5 days; 90th percentile rank ⌈9·10/10⌉ = 9 → 9 days.
    for days in range(1, 11):
        make_enquiry(clinic.site_a, days_ago=days + 1 / 24, program="home_sublingual")
    # One open KAP enquiry waiting 3 days: median and 90th percentile are both 3.
    make_enquiry(clinic.site_a, days_ago=3, program="kap")
    # Conversions of in-clinic infusions within the year taking 4, 8 and 30 days (median rank
    # ⌈3/2⌉ = 2 → 8 days); one from 400 days ago (outside the 365-day window) is left out.
    for took in (4, 8, 30):
        patient = make_patient(clinic.site_a, f"C{took:05d}", "Con", "Verted", dt.date(1980, 1, 1))
        _converted(
            clinic.site_a,
            submitted_days_ago=100,
            took_days=took,
            program="in_clinic_iv_im",
            patient=patient,
        )
    _converted(
        clinic.site_a,
        submitted_days_ago=500,
        took_days=100,
        program="in_clinic_iv_im",
        patient=clinic.alice,
    )
    figures = {f.program: f for f in waiting_figures(Enquiry.objects.all(), NOW)}
    home, kap, iv = figures["home_sublingual"], figures["kap"], figures["in_clinic_iv_im"]
    assert (home.waiting, home.median_wait_days, home.p90_wait_days) == (10, 5, 9)
    assert (kap.waiting, kap.median_wait_days, kap.p90_wait_days) == (1, 3, 3)
    assert (iv.waiting, iv.converted, iv.median_days_to_conversion) == (0, 3, 8)
    assert iv.median_wait_days is None
    assert figures["iop"].waiting == 0
    # Three conversions are too few to tell the public a typical wait.
    assert median_days_to_conversion(Enquiry.objects.all(), NOW) == {}


def test_the_queue_shows_the_figures_table(desk, clinic):
    make_enquiry(clinic.site_a, days_ago=4, program="iop")
    body = desk.get(reverse("enquiries:list")).content.decode()
    assert "Waiting times by program" in body
    assert "Intensive outpatient program (IOP)</th><td>1</td><td>4</td><td>4</td>" in body

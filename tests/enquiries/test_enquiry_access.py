"""Who sees and works the waitlist, per persona (STYLE habit 9).

Front desk, prescribers and the medical director work the queue; nurses read it; therapists,
the administrator and staff without a role get 403; another site's enquiry is a 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.enquiries.enquiry_data import make_enquiry
from tests.personas import PERSONAS

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.enquiries.choices import EnquiryStatus

pytestmark = pytest.mark.django_db

SEE = {"front_desk", "nurse", "prescriber", "director", "nurse_b"}
WORK = {"front_desk", "prescriber", "director"}


def expected(persona: str, allowed: set[str], *, site_a_enquiry: bool = False) -> int:
    if persona == "anonymous":
        return 302
    if persona not in allowed:
        return 403
    if persona == "nurse_b" and site_a_enquiry:
        return 404
    return 200


@pytest.fixture
def as_persona(client, clinic, fixed_clock):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_queue_is_for_front_desk_prescribers_director_and_nurses(as_persona, persona):
    response = as_persona(persona).get(reverse("enquiries:list"))
    assert response.status_code == expected(persona, SEE)


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_enquiry_is_seen_only_at_its_site(as_persona, clinic, persona):
    enquiry = make_enquiry(clinic.site_a)
    response = as_persona(persona).get(reverse("enquiries:detail", args=[enquiry.pk]))
    assert response.status_code == expected(persona, SEE, site_a_enquiry=True)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("contact", {"method": "email", "outcome": "reached"}),
        ("schedule", {"intake_at": "2026-03-12T09:30"}),
        ("decline", {"reason": "Not suitable"}),
    ],
)
def test_only_those_who_work_the_queue_change_it(as_persona, clinic, persona, action, data):
    enquiry = make_enquiry(clinic.site_a)
    response = as_persona(persona).post(reverse(f"enquiries:{action}", args=[enquiry.pk]), data)
    want = expected(persona, WORK | {"nurse_b"}, site_a_enquiry=True)
    if persona == "nurse_b":
        want = 403  # nurses read only, at any site
    assert response.status_code == (302 if want == 200 else want)
    enquiry.refresh_from_db()
    changed = enquiry.events.count() > 1
    assert changed == (want == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_those_who_work_the_queue_and_register_patients_convert(as_persona, clinic, persona):
    enquiry = make_enquiry(clinic.site_a)
    response = as_persona(persona).get(reverse("enquiries:convert", args=[enquiry.pk]))
    want = expected(persona, WORK)
    assert response.status_code == want


def test_a_nurse_reads_the_enquiry_without_action_forms(as_persona, clinic):
    enquiry = make_enquiry(clinic.site_a)
    body = as_persona("nurse").get(reverse("enquiries:detail", args=[enquiry.pk])).content
    assert b"Log a contact attempt" not in body
    assert b"Convert to patient" not in body
    desk = as_persona("front_desk").get(reverse("enquiries:detail", args=[enquiry.pk])).content
    assert b"Log a contact attempt" in desk
    assert b"Convert to patient" in desk


def test_staff_at_site_b_see_only_site_b_enquiries(as_persona, clinic):
    make_enquiry(clinic.site_a, family_name="Riverside")
    mine = make_enquiry(clinic.site_b, family_name="Lakeview")
    response = as_persona("nurse_b").get(reverse("enquiries:list"))
    assert [e.pk for e, _days, _place in response.context["rows"]] == [mine.pk]
    figures = {f.program: f.waiting for f in response.context["figures"]}
    assert figures["in_clinic_iv_im"] == 1
    api = as_persona("nurse_b").get("/api/v1/enquiries").json()
    assert [e["id"] for e in api["items"]] == [mine.pk]


def test_a_refused_action_is_audited_as_access_denied(as_persona, clinic):
    enquiry = make_enquiry(clinic.site_a)
    as_persona("therapist").get(reverse("enquiries:detail", args=[enquiry.pk]))
    denied = AuditEvent.objects.get(action="access_denied")
    assert denied.actor == clinic.therapist


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_list_follows_the_same_rules(as_persona, persona):
    response = as_persona(persona).get("/api/v1/enquiries")
    want = expected(persona, SEE)
    assert response.status_code == {302: 401}.get(want, want)


def test_the_api_lists_with_filters_and_audits_it_as_an_export(as_persona, clinic):
    new = make_enquiry(clinic.site_a, days_ago=4, suicidal_thoughts=True)
    kap = make_enquiry(clinic.site_a, days_ago=2, program="kap")
    make_enquiry(
        clinic.site_a,
        status=EnquiryStatus.DECLINED,
        declined_reason="Duplicate",
    )
    client = as_persona("prescriber")
    body = client.get("/api/v1/enquiries").json()
    assert [e["id"] for e in body["items"]] == [new.pk, kap.pk]
    assert body["items"][0]["flags"] == ["suicidal_thoughts"]
    assert body["items"][0]["waiting_days"] == 4
    assert body["has_next"] is False
    kap_only = client.get("/api/v1/enquiries", {"program": "kap"}).json()
    assert [e["id"] for e in kap_only["items"]] == [kap.pk]
    everything = client.get("/api/v1/enquiries", {"status": "all"}).json()
    assert len(everything["items"]) == 3
    declined = client.get("/api/v1/enquiries", {"status": "declined"}).json()
    assert [e["status"] for e in declined["items"]] == ["declined"]
    exports = AuditEvent.objects.filter(object_type="enquiry", action="export")
    assert exports.count() == 4
    assert exports.order_by("id").first().detail["list"] == [new.pk, kap.pk]


@pytest.mark.parametrize(
    ("query", "field"), [({"status": "maybe"}, "status"), ({"program": "magic"}, "program")]
)
def test_the_api_names_a_bad_filter(as_persona, query, field):
    response = as_persona("prescriber").get("/api/v1/enquiries", query)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_staff_of_two_sites_can_narrow_the_queue_to_one(as_persona, clinic):
    clinic.director.sites.add(clinic.site_b)
    make_enquiry(clinic.site_a, family_name="Riverside")
    lake = make_enquiry(clinic.site_b, family_name="Lakeview")
    client = as_persona("director")
    both = client.get(reverse("enquiries:list"))
    assert len(both.context["rows"]) == 2
    assert both.context["many_sites"]
    only_b = client.get(reverse("enquiries:list"), {"site": clinic.site_b.pk})
    assert [e.pk for e, _days, _place in only_b.context["rows"]] == [lake.pk]
    api = client.get("/api/v1/enquiries", {"site": clinic.site_b.pk}).json()
    assert [e["id"] for e in api["items"]] == [lake.pk]


def test_a_body_with_an_unreadable_length_is_refused(rf):
    from ketaclinic.apps.enquiries.abuse import MAX_BODY_BYTES, body_too_large

    request = rf.post("/join/riverside/")
    request.META["CONTENT_LENGTH"] = "lots"
    assert body_too_large(request)
    request.META["CONTENT_LENGTH"] = str(MAX_BODY_BYTES)
    assert not body_too_large(request)

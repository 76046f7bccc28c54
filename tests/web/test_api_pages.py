"""Every API list validates ``page`` and ``page_size``: a bad number is a 422 naming it, never
a 500 (the edge kit's ``Paging``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketaclinic.apps.api.edge import MAX_PAGE_SIZE
from ketaclinic.apps.web.pagination import MAX_PAGE, paginate
from ketaclinic.clinical.exceptions import OutOfRange

# Every list operation that pages, with the query it needs besides ``page``.
LISTS = (
    ("/api/v1/patients", {}),
    ("/api/v1/alerts", {}),
    ("/api/v1/ledger/containers", {}),
    ("/api/v1/ledger/entries", {}),
    ("/api/v1/assessments", {"patient_id": "alice"}),
    ("/api/v1/enquiries", {}),
    ("/api/v1/kap/programs", {}),
    ("/api/v1/iop/groups", {}),
    ("/api/v1/reminders", {}),
    ("/api/v1/courses", {}),
    ("/api/v1/scales", {}),
    ("/api/v1/ledger/balances", {}),
    ("/api/v1/screenings", {"patient_id": "alice"}),
    ("/api/v1/homeprogram/patients/{patient_id}/prescriptions", {}),
    ("/api/v1/billing/authorizations/lapsing", {}),
    # No such course or session: the query is refused before the view looks (then 404).
    ("/api/v1/courses/{course_id}/sessions", {}),
    ("/api/v1/sessions/{session_id}/vitals", {}),
)
BAD_PAGES = ("0", "-3", "99999999999999999999999", str(MAX_PAGE + 1), "two")
BAD_SIZES = ("0", "-1", str(MAX_PAGE_SIZE + 1), "ten")


@pytest.mark.parametrize(("path", "query"), LISTS)
def test_a_bad_page_number_is_a_422_naming_page(client, clinic, path, query):
    client.force_login(clinic.director)
    params = {k: clinic.alice.pk if v == "alice" else v for k, v in query.items()}
    url = path.format(patient_id=clinic.alice.pk, course_id=999_999, session_id=999_999)
    for name, bads in (("page", BAD_PAGES), ("page_size", BAD_SIZES)):
        for bad in bads:
            response = client.get(url, {**params, name: bad})
            assert response.status_code == 422, (path, name, bad)
            assert [e["field"] for e in response.json()["errors"]] == [name], (path, bad)
    good = client.get(url, {**params, "page": "1", "page_size": str(MAX_PAGE_SIZE)})
    missing = "{course_id}" in path or "{session_id}" in path
    assert good.status_code == (404 if missing else 200), path


def test_the_pages_of_the_ui_clamp_a_bad_number_into_range(client, clinic):
    # (The patient list pages by key now: tests/web/test_keyset_pages.py. The alert list is
    # one of the pages that still page by number.)
    client.force_login(clinic.nurse)
    shown = {}
    for bad in BAD_PAGES:
        response = client.get(reverse("alerts:list"), {"page": bad})
        assert response.status_code == 200
        shown[bad] = response.context["page"].number
    assert shown == {"0": 1, "-3": 1, BAD_PAGES[2]: MAX_PAGE, BAD_PAGES[3]: MAX_PAGE, "two": 1}


@pytest.mark.parametrize("number", [0, -1, MAX_PAGE + 1, True, "2"])
def test_paginate_refuses_a_number_outside_its_range(db, number):
    from ketaclinic.apps.patients.models import Patient

    with pytest.raises(OutOfRange) as refused:
        paginate(Patient.objects.all(), number)
    assert refused.value.field == "page"


def test_every_paged_operation_is_listed_here_and_declares_the_shared_bounds():
    from ketaclinic.config.api import api

    schema = api.get_openapi_schema()
    paged = {}
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "page":
                    paged[path] = parameter["schema"]
    assert set(paged) == {path for path, _ in LISTS}
    for path, bounds in paged.items():
        assert (bounds.get("minimum"), bounds.get("maximum")) == (1, MAX_PAGE), path

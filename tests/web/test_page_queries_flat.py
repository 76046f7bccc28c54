"""Every list and chart page runs the same number of queries for a clinic twice the size.

A ceiling ("at most 22 queries") lets an N+1 grow unnoticed until it crosses the line; an
equality between a clinic of N patients and one of 2N does not. Both clinics are the demo's
(every capability, two sites), seeded in a transaction that is rolled back, and each page is
opened by the medical director, who may see every page, after one warm-up request (session and
permission caches). The chart pages open the patient and the session with the most records.
Pages show at most 25 rows, so both clinics are small enough that no list is cut by a page.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.demo.seeding import seed_demo_clinic

SMALL, LARGE = 6, 12

LIST_PAGES = [
    "home",
    "patients:list",
    "treatment:schedule",
    "charting:list",
    "enquiries:list",
    "alerts:list",
    "homeprogram:list",
    "kap:caseload",
    "iop:list",
    "reminders:list",
    "ledger:dashboard",
    "ledger:containers",
    "outcomes:dashboard",
    "audit:list",
    "accounts:staff-list",
]


def _chart_urls() -> dict[str, str]:
    from ketaclinic.apps.patients.models import Patient
    from ketaclinic.apps.treatment.models import Session

    patient = Patient.objects.annotate(n=Count("assessments")).order_by("-n", "pk").first()
    session = Session.objects.annotate(n=Count("vital_signs")).order_by("-n", "pk").first()
    return {
        "patient chart": reverse("patients:detail", args=[patient.pk]),
        "session chart": reverse("charting:chart", args=[session.pk]),
    }


def _counts(client, patients: int) -> dict[str, int]:
    counts = {}
    with transaction.atomic():
        seed_demo_clinic(patient_count=patients, seed=7)
        client.force_login(User.objects.get(username="director"))
        urls = {name: reverse(name) for name in LIST_PAGES} | _chart_urls()
        for name, url in urls.items():
            assert client.get(url).status_code == 200, name
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            counts[name] = len(queries)
        transaction.set_rollback(True)
    return counts


@pytest.mark.django_db
def test_every_list_and_chart_page_runs_as_many_queries_for_twice_the_clinic(client, fixed_clock):
    small, large = _counts(client, SMALL), _counts(client, LARGE)
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert grown == {}, f"pages whose query count grows with the clinic (N, 2N): {grown}"

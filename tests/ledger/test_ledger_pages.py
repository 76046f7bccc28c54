"""Ledger pages: who may see and do what (STYLE habit 9), audit, query counts, forms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.personas import PASSWORD, PERSONAS

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.ledger.choices import EntryKind
from ketaclinic.apps.ledger.models import Container, Discrepancy, LedgerEntry
from ketaclinic.apps.ledger.operations import record_administration, record_count

LEDGER_VIEWERS = {"nurse", "prescriber", "director"}
RESOLVERS = {"prescriber", "director"}


def _expected(persona: str, allowed: set[str], *, site_a_object: bool = False) -> int:
    if persona == "anonymous":
        return 302
    if persona == "nurse_b" and "nurse" in allowed:
        return 404 if site_a_object else 200
    return 200 if persona in allowed else 403


@pytest.fixture
def as_persona(client, clinic):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture
def vial(receive):
    return receive("k10")[0]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_ledger_dashboard_is_for_nurses_prescribers_and_the_director(as_persona, vial, persona):
    response = as_persona(persona).get(reverse("ledger:dashboard"))
    assert response.status_code == _expected(persona, LEDGER_VIEWERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_container_is_visible_only_at_its_own_site(as_persona, vial, persona):
    response = as_persona(persona).get(reverse("ledger:container", args=[vial.pk]))
    assert response.status_code == _expected(persona, LEDGER_VIEWERS, site_a_object=True)


CONTAINER_PAGES = {
    "ledger:administer": LEDGER_VIEWERS,
    "ledger:waste": LEDGER_VIEWERS,
    "ledger:count": LEDGER_VIEWERS,
    "ledger:destroy": RESOLVERS,
    "ledger:transfer": RESOLVERS,
    "ledger:loss": LEDGER_VIEWERS,
}
SITE_PAGES = {
    "ledger:containers": LEDGER_VIEWERS,
    "ledger:discrepancies": LEDGER_VIEWERS,
    "ledger:reports": LEDGER_VIEWERS,
    "ledger:receive": LEDGER_VIEWERS,
    "ledger:inventory": {"director"},
    "ledger:export-csv": RESOLVERS,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_entry_form_opens_only_for_the_roles_that_record_it(as_persona, vial, persona):
    client = as_persona(persona)
    got = {name: client.get(reverse(name, args=[vial.pk])).status_code for name in CONTAINER_PAGES}
    want = {
        name: _expected(persona, allowed, site_a_object=True)
        for name, allowed in CONTAINER_PAGES.items()
    }
    assert got == want


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_forms_and_exports_follow_the_role_table(as_persona, vial, persona):
    client = as_persona(persona)
    got = {name: client.get(reverse(name)).status_code for name in SITE_PAGES}
    want = {name: _expected(persona, allowed) for name, allowed in SITE_PAGES.items()}
    assert got == want


def test_nurse_b_sees_only_her_own_sites_stock(client, clinic, receive):
    receive("k10", n=2)
    client.force_login(clinic.nurse_b)
    response = client.get(reverse("ledger:dashboard"), {"site": clinic.site_a.pk})
    assert response.status_code == 200
    assert response.context["site"] == clinic.site_b
    assert response.context["stock"] == []
    csv_response = client.get(reverse("ledger:containers"), {"site": clinic.site_a.pk})
    assert csv_response.context["page"].items == []


def test_the_dashboard_shows_stock_and_an_open_discrepancy_loudly(client, clinic, vial):
    record_count(container=vial, counted="19", user=clinic.nurse)
    client.force_login(clinic.nurse)
    response = client.get(reverse("ledger:dashboard"))
    body = response.content.decode()
    assert "1 discrepancy" in body
    assert "20 mL" in body
    assert "Ledger" in body  # the menu item
    assert AuditEvent.objects.filter(object_type="ledger_dashboard").exists()


def _queries(client, url: str, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


def test_the_dashboard_runs_as_many_queries_for_twice_the_stock(client, clinic, receive):
    receive("k10", n=3)
    receive("k100", n=3, lot="L2")
    client.force_login(clinic.nurse)
    client.get(reverse("ledger:dashboard"))  # warm the session and permission caches
    small, _response = _queries(client, reverse("ledger:dashboard"))
    receive("k10", n=3, lot="L3")
    receive("k100", n=3, lot="L4")
    large, _response = _queries(client, reverse("ledger:dashboard"))
    assert large == small


def test_the_container_list_runs_as_many_queries_for_twice_the_containers(client, clinic, receive):
    receive("k10", n=6)
    client.force_login(clinic.nurse)
    client.get(reverse("ledger:containers"))
    small, response = _queries(client, reverse("ledger:containers"))
    assert len(response.context["page"].items) == 6
    receive("k10", n=6, lot="L2")
    large, response = _queries(client, reverse("ledger:containers"))
    assert len(response.context["page"].items) == 12
    assert large == small


def test_the_container_list_pages_by_25(client, clinic, receive):
    receive("k10", n=30)
    client.force_login(clinic.nurse)
    response = client.get(reverse("ledger:containers"))
    assert len(response.context["page"].items) == 25
    assert response.context["page"].has_next


def test_container_history_shows_a_running_balance_and_is_audited(client, clinic, vial):
    record_administration(
        container=vial,
        patient=clinic.alice,
        volume_drawn_ml="2.5",
        volume_given_ml="2.5",
        user=clinic.nurse,
    )
    client.force_login(clinic.nurse)
    response = client.get(reverse("ledger:container", args=[vial.pk]))
    body = response.content.decode()
    assert "−2.5 mL" in body
    assert "17.5 mL" in body
    assert "Rivera, Alice" in body
    assert AuditEvent.objects.filter(object_type="ledger_container", object_id=vial.pk).exists()


def test_a_nurse_administers_through_the_page(client, clinic, vial):
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("ledger:administer", args=[vial.pk]),
        {"patient": clinic.alice.mrn, "volume_drawn_ml": "3.5", "volume_given_ml": "3.2"},
    )
    assert response.status_code == 302
    assert Container.objects.get(pk=vial.pk).on_hand == 16800


def test_a_refusal_comes_back_on_its_field_with_status_422(client, clinic, vial):
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("ledger:administer", args=[vial.pk]),
        {"patient": clinic.alice.mrn, "volume_drawn_ml": "25", "volume_given_ml": "25"},
    )
    assert response.status_code == 422
    assert "more than the container holds" in str(
        response.context["form"].errors["volume_drawn_ml"]
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).exists()


def test_a_witnessed_waste_through_the_page_needs_the_witnesss_password(client, clinic, vial):
    client.force_login(clinic.nurse)
    url = reverse("ledger:waste", args=[vial.pk])
    data = {"quantity": "1", "reason": "Dropped", "witness": clinic.prescriber.pk}
    wrong = client.post(url, {**data, "witness_password": "nope"})
    assert wrong.status_code == 422
    assert "witness_password" in wrong.context["form"].errors
    right = client.post(url, {**data, "witness_password": PASSWORD})
    assert right.status_code == 302
    assert LedgerEntry.objects.get(kind=EntryKind.WASTE).witness == clinic.prescriber


def test_only_authorised_colleagues_at_the_site_are_offered_as_witnesses(client, clinic, vial):
    client.force_login(clinic.nurse)
    response = client.get(reverse("ledger:waste", args=[vial.pk]))
    offered = set(response.context["form"].fields["witness"].queryset)
    assert offered == {clinic.prescriber, clinic.director}


def test_a_nurse_cannot_resolve_a_discrepancy_but_the_director_can(client, clinic, vial):
    _entry, discrepancy = record_count(container=vial, counted="19", user=clinic.nurse)
    url = reverse("ledger:resolve", args=[discrepancy.pk])
    client.force_login(clinic.nurse)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(clinic.director)
    assert client.post(url, {"reason": "  "}).status_code == 422
    assert client.post(url, {"reason": "Recount: 20 mL"}).status_code == 302
    assert not Discrepancy.objects.get().is_open


def test_the_csv_export_streams_every_filtered_entry_and_is_audited(client, clinic, receive):
    receive("k10", n=2)
    receive("k100", n=1, lot="OTHER")
    client.force_login(clinic.director)
    response = client.get(reverse("ledger:export-csv"), {"lot": "OTHER"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("site,site_dea,position")
    assert len(lines) == 2  # header + the one OTHER receipt
    assert "Henry Schein" in lines[1]
    assert AuditEvent.objects.filter(object_type="ledger_export").exists()


def test_a_report_with_an_end_before_its_start_is_refused(client, clinic):
    client.force_login(clinic.director)
    response = client.get(
        reverse("ledger:reports"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert response.status_code == 422


def test_the_pdf_export_is_a_pdf_where_weasyprint_is_installed(client, clinic, vial):
    """WeasyPrint is optional (not a project dependency yet): without it the page offers
    CSV only and the PDF address is a 404, never a 500."""
    from ketaclinic.apps.ledger.views.reports import pdf_available

    client.force_login(clinic.director)
    response = client.get(reverse("ledger:export-pdf"))
    page = client.get(reverse("ledger:reports")).content.decode()
    if pdf_available():
        assert response.status_code == 302  # to the background job's progress page
        progress = client.get(response.url)
        download = progress.content.decode().split('href="')[-1].split('"')[0]
        assert client.get(download).content.startswith(b"%PDF")
        assert "Export PDF" in page
    else:
        assert response.status_code == 404
        assert "Export PDF" not in page


def test_an_inventory_page_records_every_container_and_reports_it(client, clinic, receive):
    first, second = receive("k10", n=2)
    client.force_login(clinic.director)
    response = client.post(
        reverse("ledger:inventory"),
        {
            "kind": "initial",
            "timing": "close",
            f"container_{first.pk}": "20",
            f"container_{second.pk}": "20",
        },
    )
    assert response.status_code == 302
    report = client.get(response["Location"])
    assert "Initial inventory" in report.content.decode()


def test_the_administrator_keeps_the_product_list_but_sees_no_stock(client, clinic, vial):
    client.force_login(clinic.admin)
    assert client.get("/admin/ledger/product/").status_code == 200
    assert client.get(reverse("ledger:dashboard")).status_code == 403
    client.force_login(clinic.director)
    assert client.get("/admin/ledger/product/").status_code == 302  # not staff: to the login


def test_every_entry_form_records_through_the_page(client, clinic, receive, products):
    clinic.prescriber.sites.add(clinic.site_b)
    first, second, third = receive("k10", n=3)
    client.force_login(clinic.prescriber)
    posts = [
        (
            reverse("ledger:count", args=[first.pk]),
            {"counted": "20"},
            EntryKind.COUNT,
        ),
        (
            reverse("ledger:destroy", args=[first.pk]),
            {
                "quantity": "20",
                "method": "non_retrievable",
                "reason": "Contaminated",
                "witness": clinic.nurse.pk,
                "witness_password": PASSWORD,
                "second_witness": clinic.director.pk,
                "second_witness_password": PASSWORD,
            },
            EntryKind.DESTRUCTION,
        ),
        (
            reverse("ledger:loss", args=[second.pk]),
            {
                "quantity": "1",
                "loss_type": "spillage",
                "discovered_on": "2026-03-10",
                "description": "Vial dropped",
            },
            EntryKind.LOSS_OR_THEFT,
        ),
        (
            reverse("ledger:transfer", args=[third.pk]),
            {"to_site": clinic.site_b.pk, "quantity": "", "reason": "Lakeview short"},
            EntryKind.TRANSFER_OUT,
        ),
    ]
    for url, data, kind in posts:
        response = client.post(url, data)
        assert response.status_code == 302, (
            kind,
            response.context and response.context["form"].errors,
        )
        assert LedgerEntry.objects.filter(kind=kind).exists()
    loss = LedgerEntry.objects.get(kind=EntryKind.LOSS_OR_THEFT)
    response = client.post(
        reverse("ledger:correct", args=[loss.pk]),
        {"corrected_quantity": "0.5", "reason": "Half was recovered intact"},
    )
    assert response.status_code == 302
    assert Container.objects.get(pk=second.pk).on_hand == 19500
    response = client.post(
        reverse("ledger:receive"),
        {
            "site": clinic.site_a.pk,
            "product": products["k100"].pk,
            "lot_number": "NEW1",
            "expires_on": "2028-01-31",
            "containers": "2",
            "supplier_name": "Henry Schein",
            "supplier_address": "Melville, NY",
            "supplier_dea": "RH0123456",
            "invoice": "INV-9",
        },
    )
    assert response.status_code == 302
    assert Container.objects.filter(lot__lot_number="NEW1").count() == 2
    report = client.get(reverse("ledger:dashboard"))
    assert "Form 106" in report.content.decode()


def test_the_container_list_renders_only_its_rows_for_htmx(client, clinic, receive):
    receive("k10", n=2)
    client.force_login(clinic.nurse)
    response = client.get(reverse("ledger:containers"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body
    assert "<html" not in body


def test_the_dea_steps_of_a_loss_are_ticked_off_from_the_dashboard(client, clinic, vial):
    import datetime as dt

    from ketaclinic.apps.ledger.models import LossReport
    from ketaclinic.apps.ledger.operations import report_loss

    entry = report_loss(
        container=vial,
        quantity="1",
        loss_type="other",
        discovered_on=dt.date(2026, 3, 9),
        description="Short",
        police_notified=False,
        user=clinic.nurse,
    )
    report = entry.loss_report
    client.force_login(clinic.nurse)
    url = reverse("ledger:loss-progress", args=[report.pk])
    client.post(url, {"step": "notified"})
    client.post(url, {"step": "form_106", "reference": "DEA-106-0001"})
    report = LossReport.objects.get(pk=report.pk)
    assert report.is_done
    assert report.form_106_reference == "DEA-106-0001"
    client.force_login(clinic.nurse_b)
    assert client.post(url, {"step": "notified"}).status_code == 404


def test_the_export_filters_by_dates_product_container_and_kind(client, clinic, receive, products):
    first, _second = receive("k10", n=2)
    record_administration(
        container=first,
        patient=clinic.alice,
        volume_drawn_ml="1",
        volume_given_ml="1",
        user=clinic.nurse,
    )
    client.force_login(clinic.director)

    def rows(**filters) -> list[str]:
        response = client.get(reverse("ledger:export-csv"), filters)
        return b"".join(response.streaming_content).decode().strip().splitlines()[1:]

    assert len(rows()) == 3
    assert len(rows(kind="administration")) == 1
    assert len(rows(container=first.label)) == 2
    assert len(rows(product=products["k100"].pk)) == 0
    # the fixed clock is 10 March 2026 (09:00 in New York): everything is on that day
    assert len(rows(site=clinic.site_a.pk, date_from="2026-03-10", date_to="2026-03-10")) == 3
    assert rows(site=clinic.site_a.pk, date_from="2026-03-11") == []
    assert rows(site=clinic.site_a.pk, date_to="2026-03-09") == []
    assert "K000001" in rows(kind="administration")[0]

"""A ledger PDF is made on the request only when it is small; a larger one is refused, with
the way forward, instead of holding a server process for minutes."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.apps.ledger.views import reports


def test_a_pdf_over_the_row_limit_is_refused_with_the_way_forward(client, clinic, receive):
    receive("k10", n=reports.PDF_ROW_LIMIT + 1)  # one receipt entry per container
    client.force_login(clinic.director)
    query = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    response = client.get(reverse("ledger:export-pdf"), query)
    assert response.status_code == 302
    assert response.url.startswith(reverse("ledger:reports") + "?")
    assert "date_from=2026-03-01" in response.url
    page = client.get(response.url).content.decode()
    limit = reports.PDF_ROW_LIMIT
    assert f"More than {limit} entries match: the PDF holds at most {limit}." in page
    assert "export CSV, which has no limit" in page


def test_a_pdf_within_the_limit_is_made(client, clinic, receive):
    receive("k10", n=2)
    client.force_login(clinic.director)
    response = client.get(reverse("ledger:export-pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_reports_page_says_how_many_entries_a_pdf_holds(client, clinic, receive):
    receive("k10")
    client.force_login(clinic.director)
    page = client.get(reverse("ledger:reports")).content.decode()
    if reports.pdf_available():
        assert f"PDF: up to {reports.PDF_ROW_LIMIT} entries" in page

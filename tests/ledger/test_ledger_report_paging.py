"""The ledger report pages newest first by key (``?after=``): every entry once, in order, and
an entry recorded between two pages neither repeats nor shifts the next page."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.apps.ledger.models import LedgerEntry


def test_the_report_walks_every_entry_once_newest_first(client, clinic, receive):
    receive("k10", n=30)  # one receipt entry per container
    client.force_login(clinic.director)
    url = reverse("ledger:reports")
    first = client.get(url).context["page"]
    assert len(first.items) == 25
    assert first.has_next
    receive("k10", n=1, lot="LATE")  # newer than every row shown: belongs before page one
    second = client.get(url, {"after": first.next_cursor}).context["page"]
    assert not second.has_next
    walked = [entry.pk for entry in first.items + second.items]
    newest_first = LedgerEntry.objects.exclude(container__lot__lot_number="LATE").order_by(
        "-occurred_at", "-id"
    )
    assert walked == [entry.pk for entry in newest_first]
    assert 'rel="next"' in client.get(url).content.decode()

"""Lists that grow with the clinic are paged by sort key, not by OFFSET (issue 18).

A page's links carry the sort key of the last row shown (``?after=``) or the first
(``?before=``). These tests walk real lists: every row once and in order, ties in the sort key
broken by id, a row added mid-walk neither repeated nor skipped, previous pages equal to the
pages they came from, a bad key a clear error, and a deep page as cheap in queries as the first.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from tests.personas import make_patient

from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.patients.views import PATIENT_ORDER
from ketaclinic.apps.web.pagination import keyset_page
from ketaclinic.clinical.exceptions import InputError

BORN = dt.date(1980, 1, 1)


def _add(clinic, n: int, family: str = "Zed", given: str = "Pat", start: int = 0) -> None:
    for i in range(start, start + n):
        make_patient(clinic.site_a, f"P{i:05d}", given, family, BORN)


def _ordered() -> list[int]:
    return list(Patient.objects.order_by(*PATIENT_ORDER).values_list("pk", flat=True))


def _walk(page_size: int) -> list[list[int]]:
    pages, after = [], ""
    while True:
        page = keyset_page(Patient.objects.all(), PATIENT_ORDER, after=after, page_size=page_size)
        pages.append([row.pk for row in page.items])
        if not page.has_next:
            return pages
        after = page.next_cursor


def test_walking_forward_shows_every_patient_once_in_list_order(clinic):
    _add(clinic, 11)
    pages = _walk(page_size=4)
    assert all(len(page) == 4 for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= 4
    assert [pk for page in pages for pk in page] == _ordered()


def test_ties_in_name_are_broken_by_id_so_no_tied_row_is_skipped(clinic):
    # Every patient has the same family and given name: only the id orders them, and a page
    # boundary falls inside the run of ties.
    _add(clinic, 9, family="Same", given="Name")
    Patient.objects.update(family_name="Same", given_name="Name")
    pages = _walk(page_size=4)
    walked = [pk for page in pages for pk in page]
    assert walked == sorted(walked) == _ordered()
    assert len(walked) == len(set(walked)) == Patient.objects.count() >= 10


def test_a_patient_added_before_the_key_mid_walk_neither_repeats_nor_shifts_the_next_page(clinic):
    _add(clinic, 8, family="Moss")
    first = keyset_page(Patient.objects.all(), PATIENT_ORDER, page_size=4)
    # Someone registers "Aaron" (sorts first) between the two requests. With OFFSET the
    # next page would start one row early and repeat the last row of page one.
    make_patient(clinic.site_a, "P99999", "Ann", "Aaron", BORN)
    second = keyset_page(Patient.objects.all(), PATIENT_ORDER, after=first.next_cursor, page_size=4)
    shown = [row.pk for row in first.items] + [row.pk for row in second.items]
    assert len(shown) == len(set(shown)) == 8
    without_aaron = [pk for pk in _ordered() if Patient.objects.get(pk=pk).family_name != "Aaron"]
    assert shown == without_aaron[:8]


def test_previous_returns_exactly_the_page_the_walk_came_from(clinic):
    _add(clinic, 11)
    first = keyset_page(Patient.objects.all(), PATIENT_ORDER, page_size=4)
    second = keyset_page(Patient.objects.all(), PATIENT_ORDER, after=first.next_cursor, page_size=4)
    third = keyset_page(Patient.objects.all(), PATIENT_ORDER, after=second.next_cursor, page_size=4)
    back = keyset_page(
        Patient.objects.all(), PATIENT_ORDER, before=third.previous_cursor, page_size=4
    )
    assert [row.pk for row in back.items] == [row.pk for row in second.items]
    assert back.has_previous
    assert back.has_next
    to_start = keyset_page(
        Patient.objects.all(), PATIENT_ORDER, before=back.previous_cursor, page_size=4
    )
    assert [row.pk for row in to_start.items] == [row.pk for row in first.items]
    assert not to_start.has_previous
    assert not first.has_previous
    assert to_start.has_next
    assert second.has_previous


@pytest.mark.parametrize("token", ["not-base64!", "WzFd", "eyJhIjoxfQ", "WyJhIiwiYiIsInNpeCJd"])
def test_a_key_that_is_not_one_of_ours_is_refused_naming_the_parameter(clinic, token):
    # WzFd is [1] (too short); eyJhIjoxfQ is {"a":1}; the last is ["a","b","six"] (no id).
    with pytest.raises(InputError) as refused:
        keyset_page(Patient.objects.all(), PATIENT_ORDER, after=token)
    assert refused.value.field == "after"


def test_an_ordering_without_the_primary_key_last_is_a_programming_error(clinic):
    with pytest.raises(ValueError, match="primary key"):
        keyset_page(Patient.objects.all(), ("family_name", "given_name"))


@pytest.fixture
def front_desk(client, clinic):
    client.force_login(clinic.front_desk)
    return client


def _link(body: str, rel: str) -> str:
    match = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', body)
    return match.group(1).replace("&amp;", "&") if match else ""


def test_the_patient_list_links_next_and_previous_by_key_and_keeps_the_search(front_desk, clinic):
    _add(clinic, 30, family="Zed")
    url = reverse("patients:list")
    first = front_desk.get(url, {"q": "zed"}).content.decode()
    assert _link(first, "prev") == ""
    following = _link(first, "next")
    assert following.startswith("q=zed&after=")
    second = front_desk.get(f"{url}?{following}")
    assert len(second.context["page"].items) == 5
    back = _link(second.content.decode(), "prev")
    assert back.startswith("q=zed&before=")
    again = front_desk.get(f"{url}?{back}")
    zeds = Patient.objects.filter(family_name="Zed").order_by(*PATIENT_ORDER)
    assert [p.pk for p in again.context["page"].items] == [p.pk for p in zeds[:25]]


def test_a_bad_key_in_the_address_shows_the_first_page(front_desk, clinic):
    response = front_desk.get(reverse("patients:list"), {"after": "garbage"})
    assert response.status_code == 200
    assert [p.pk for p in response.context["page"].items] == [clinic.alice.pk]


def test_a_deep_page_runs_the_same_queries_as_the_first(
    front_desk, clinic, django_assert_num_queries
):
    _add(clinic, 60)
    url = reverse("patients:list")
    front_desk.get(url)  # session and permission caches
    with django_assert_num_queries(5):
        first = front_desk.get(url)
    deep = first.context["page"]
    for _ in range(2):
        deep = front_desk.get(url, {"after": deep.next_cursor}).context["page"]
    with django_assert_num_queries(5) as captured:
        front_desk.get(url, {"after": deep.previous_cursor})
    assert not any("OFFSET" in query["sql"].upper() for query in captured.captured_queries)


def test_the_audit_trail_pages_by_event_id_newest_first(client, clinic, fixed_clock):
    from ketaclinic.apps.audit.choices import Action
    from ketaclinic.apps.audit.models import AuditEvent
    from ketaclinic.apps.web import clock

    AuditEvent.objects.bulk_create(
        AuditEvent(occurred_at=clock.now(), site=clinic.site_a, action=Action.VIEW)
        for _ in range(60)
    )
    client.force_login(clinic.director)
    url = reverse("audit:list")
    first = client.get(url).context["page"]
    second = client.get(url, {"after": first.next_cursor}).context["page"]
    newest_first = [event.pk for event in first.items + second.items]
    assert len(first.items) == 50
    assert first.has_next
    assert newest_first == sorted(newest_first, reverse=True)
    assert len(newest_first) == len(set(newest_first)) >= 60

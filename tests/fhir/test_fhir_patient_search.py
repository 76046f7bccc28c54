"""A patient's search page runs SQL compiled once (``fhir.patient_search``); every other
search builds its querysets per request (``searching.search_by_orm``). These tests hold the
two to the same pages — totals, resources byte for byte, their order, paging across sources —
for every type, as readers with different permissions and numbers of sites see them.
"""

from __future__ import annotations

import orjson
import pytest
from tests.fhir.test_fhir_sort_revinclude_appointment import _more_vitals
from tests.query_counts import counted_get

from ketaclinic.apps.accounts.models import User
from ketaclinic.fhir.patient_search import patient_only, preparable
from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.searching import run_search, search_by_orm
from ketaclinic.fhir.sources import Criteria

PATIENT_TYPES = tuple(
    name for name, rt in RESOURCE_TYPES.items() if rt.patient_linked and name != "Patient"
)
WINDOWS = ((0, 1000), (0, 0), (2, 3), (5, 4), (1000, 5))  # (offset, count)


def _same_pages(user, patient_id: int) -> int:
    """Asserts both paths give the same page for every type and window; the resources seen."""
    seen = 0
    for type_name in PATIENT_TYPES:
        rt = RESOURCE_TYPES[type_name]
        assert preparable(rt.sources), type_name
        criteria = Criteria(patient=str(patient_id))
        assert patient_only(criteria) == patient_id
        for offset, count in WINDOWS:
            prepared = run_search(user, rt, criteria, offset, count)
            built = search_by_orm(user, rt, criteria, offset, count)
            assert prepared.total == built.total, (type_name, offset, count)
            assert orjson.dumps(prepared.resources) == orjson.dumps(built.resources), (
                type_name,
                offset,
                count,
            )
            seen += len(prepared.resources)
    return seen


@pytest.mark.parametrize("persona", ["nurse", "therapist", "front_desk", "nurse_b"])
def test_a_patients_page_is_the_same_prepared_or_built_for_each_reader(clinic, charted, persona):
    _more_vitals(charted, clinic, 3)
    user = User.objects.get(pk=getattr(clinic, persona).pk)
    seen = _same_pages(user, clinic.alice.pk)
    assert (seen > 0) == (persona != "nurse_b")  # another site's nurse sees none of Alice's
    _same_pages(user, clinic.bob.pk)


def test_a_reader_at_two_sites_gets_the_same_pages_as_the_orm_gives(clinic, charted):
    clinic.nurse.sites.add(clinic.site_b)
    user = User.objects.get(pk=clinic.nurse.pk)  # its access loads afresh: two sites
    assert _same_pages(user, clinic.alice.pk) > 0
    assert _same_pages(user, clinic.bob.pk) > 0  # Bob's PHQ-9 at site B


def test_other_criteria_and_odd_patients_take_the_orm_path():
    assert patient_only(Criteria()) is None
    assert patient_only(Criteria(patient="abc")) is None
    assert patient_only(Criteria(patient="9" * 20)) is None
    assert patient_only(Criteria(patient="7", statuses=["final"])) is None
    assert patient_only(Criteria(patient="7", sort=("date", True))) is None
    assert patient_only(Criteria(patient="7", site_ids=[1])) is None
    assert patient_only(Criteria(patient="7")) == 7


def test_a_patients_page_runs_one_count_query_and_one_per_source_it_reaches(
    client, clinic, charted
):
    client.force_login(clinic.nurse)
    url = f"/fhir/Observation?patient={clinic.alice.pk}&_count=2"
    client.get(url)  # the session and the compiled queries warm
    first, response = counted_get(client, url)
    assert [e["resource"]["id"][:3] for e in response.json()["entry"]] == ["bp-", "bp-"]
    url = f"/fhir/Observation?patient={clinic.alice.pk}&_count=1000"
    client.get(url)
    every, response = counted_get(client, url)
    prefixes = {e["resource"]["id"].partition("-")[0] for e in response.json()["entry"]}
    assert prefixes == {"bp", "hr", "spo2", "rr", "wt", "ht", "as", "se"}
    assert every - first == len(prefixes) - 1  # one page query per further source


def test_a_page_whose_rows_went_after_they_were_counted_is_empty_not_an_error(clinic):
    """The count and the page are two queries; rows deleted between them leave a short page."""
    from ketaclinic.fhir.patient_search import _scan

    for source in RESOURCE_TYPES["Observation"].sources:
        assert _scan(source, 2, "default").rows([], "default") == []

"""FHIR search parameters fuzzed: whatever a client sends, a 4xx OperationOutcome, never a 5xx.

For every resource type and every search parameter the CapabilityStatement declares (so a new
parameter is fuzzed the day it is declared), Hypothesis sends values shaped like the
parameter's type and values that are not: prefixed dates past any calendar, ``system|code``
tokens with junk on either side, numbers past what the database holds, control characters.
Derandomized and bounded, as the REST API's fuzz (``tests/web/test_api_fuzz.py``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.personas import PersonaClient

from ketaclinic.fhir.registry import RESOURCE_TYPES

PREFIXES = ["", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap", "xx"]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
NUMBER = st.integers(min_value=-(10**30), max_value=10**30).map(str)
DATE = st.one_of(
    st.tuples(st.sampled_from(PREFIXES), st.dates().map(str)).map("".join),
    st.tuples(st.sampled_from(PREFIXES), st.datetimes().map(lambda d: d.isoformat())).map("".join),
    st.tuples(st.sampled_from(PREFIXES), NUMBER).map("".join),
    TEXT,
)
TOKEN = st.one_of(
    st.tuples(TEXT, TEXT).map("|".join),
    st.tuples(st.just("http://loinc.org"), st.sampled_from(["44261-6", "", "|", "8867-4"])).map(
        "|".join
    ),
    TEXT,
)
REFERENCE = st.one_of(NUMBER, st.tuples(st.just("Patient/"), NUMBER).map("".join), TEXT)
BY_TYPE = {"date": DATE, "token": TOKEN, "reference": REFERENCE, "number": NUMBER}


def _searches() -> list[tuple[str, str, str]]:
    return [
        (name, param, kind)
        for name, resource in RESOURCE_TYPES.items()
        for param, kind in sorted({**resource.params, "_count": "number"}.items())
    ]


@pytest.mark.parametrize(("resource", "param", "kind"), _searches(), ids=str)
def test_no_search_value_makes_the_fhir_api_fail(resource, param, kind, clinic, fixed_clock):
    client = PersonaClient()
    client.force_login(clinic.director)
    values = st.one_of(BY_TYPE.get(kind, TEXT), TEXT, NUMBER)
    extra = st.sampled_from([[], [("_offset", "99999999999999999999")], [("_include", "*")]])

    @settings(
        max_examples=8,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=values, more=extra)
    def search(value: str, more: list) -> None:
        query = urlencode([(param, value), *more])
        response = client.get(f"/fhir/{resource}?{query}")
        assert response.status_code < 500, (param, value, more)
        assert response.json()["resourceType"] in {"Bundle", "OperationOutcome"}

    search()

"""NPI check digits, worked by hand from CMS's formula (``clinical.npi``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.npi import npi_check_digit, validate_npi

CASES = json.loads((Path(__file__).parents[1] / "cases" / "billing" / "npi.json").read_text())[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["npi"] for c in CASES])
def test_each_npi_is_accepted_or_refused_as_worked_by_hand(case):
    if case["valid"]:
        assert validate_npi(case["npi"]) == case["npi"]
    else:
        with pytest.raises(InvalidValue) as error:
            validate_npi(case["npi"])
        assert error.value.field == "npi"


def test_the_check_digit_of_cms_s_example():
    assert npi_check_digit("123456789") == 3


def test_surrounding_spaces_are_forgiven():
    assert validate_npi(" 1234567893 ") == "1234567893"


@pytest.mark.parametrize("bad", ["12345678", "12345678a"])
def test_the_check_digit_needs_nine_digits(bad):
    with pytest.raises(InvalidValue):
        npi_check_digit(bad)

"""Instrument definitions and clinic parameters: thresholds, sources and refusals."""

from __future__ import annotations

import ast
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import ketaclinic.clinical.outcomes as outcomes
from ketaclinic.clinical.exceptions import ConfigurationError
from ketaclinic.clinical.outcomes.definitions import (
    OutcomeDefinition,
    OutcomeParameters,
    RelapseRule,
)
from ketaclinic.clinical.sources import SOURCES

PACKAGE = Path(outcomes.__file__).parent


def test_response_at_exactly_the_fraction_counts_and_one_point_more_does_not():
    phq9 = OutcomeDefinition("phq9", remission_max_total=5, remission_inclusive=False)
    assert phq9.responds(20, 10) is True
    assert phq9.responds(20, 11) is False
    assert phq9.response_threshold(15) == Decimal("7.5")


def test_a_custom_response_fraction_is_honoured():
    strict = OutcomeDefinition("madrs", remission_max_total=10, response_fraction=Decimal("0.6"))
    assert strict.responds(30, 12) is True  # 30 x 0.4 = 12
    assert strict.responds(30, 13) is False
    assert strict.response_rule(30) == "madrs total ≤ 12 (a fall of ≥ 60% from baseline 30)"


def test_remission_inclusive_and_exclusive():
    qids = OutcomeDefinition("qids_sr16", remission_max_total=5)
    phq9 = OutcomeDefinition("phq9", remission_max_total=5, remission_inclusive=False)
    assert (qids.remits(5), qids.remits(6)) == (True, False)
    assert (phq9.remits(4), phq9.remits(5)) == (True, False)
    assert qids.remission_rule() == "qids_sr16 total ≤ 5"
    assert phq9.remission_rule() == "phq9 total < 5"


@pytest.mark.parametrize(
    "arguments",
    [
        {"instrument": "", "remission_max_total": 5},
        {"instrument": "x", "remission_max_total": 5, "response_fraction": 0.5},
        {"instrument": "x", "remission_max_total": 5, "response_fraction": Decimal("0")},
        {"instrument": "x", "remission_max_total": 5, "response_fraction": Decimal("1.1")},
        {"instrument": "x", "remission_max_total": -1},
        {"instrument": "x", "remission_max_total": 5, "relapse_min_total": -1},
        {"instrument": "x", "remission_max_total": 5, "max_total": 4},
    ],
)
def test_an_impossible_definition_is_a_configuration_error(arguments):
    with pytest.raises(ConfigurationError):
        OutcomeDefinition(**arguments)


def test_parameter_defaults_are_the_cited_values():
    defaults = OutcomeParameters()
    assert defaults.baseline_window == timedelta(days=30)
    assert defaults.primary_window == timedelta(days=7)
    assert defaults.rapid_window == timedelta(hours=24)
    assert defaults.sustained_after == timedelta(weeks=4)
    assert defaults.relapse_rule is RelapseRule.LOSS_OF_RESPONSE
    assert defaults.worsening_min_increase == 1
    assert defaults.completion_sessions == 6
    assert (defaults.ideation_instrument, defaults.ideation_item) == ("phq9", "item9")


def test_every_parameter_is_documented_with_a_registered_source():
    doc = OutcomeParameters.__doc__
    for field in fields(OutcomeParameters):
        assert field.name.split("_")[0] in doc, field.name
    for key in ("outcomes_community_mcinnes2022", "outcomes_elekt_d_anand2023"):
        assert key in doc


def test_every_source_key_named_in_the_outcomes_code_is_registered():
    keys = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith("outcomes_")
                and " " not in node.value
            ):
                keys.add(node.value)
    assert keys
    assert keys <= set(SOURCES)


@pytest.mark.parametrize(
    "change",
    [
        {"baseline_window": timedelta(days=-1)},
        {"rapid_window": 24},
        {"relapse_rule": "loss_of_response"},
        {"worsening_min_increase": 0},
        {"completion_sessions": 0},
    ],
)
def test_an_impossible_parameter_is_a_configuration_error(change):
    with pytest.raises(ConfigurationError):
        OutcomeParameters(**change)


def test_the_package_exports_what_it_declares():
    for name in outcomes.__all__:
        assert hasattr(outcomes, name), name


def test_the_pure_core_imports_no_django_and_nothing_outside_the_clinical_package():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("django"), path.name
                if node.module.startswith("ketaclinic"):
                    assert node.module.startswith("ketaclinic.clinical."), path.name
                assert not node.module.startswith("ketaclinic.clinical.scales"), path.name
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in {"django", "pandas", "lifelines"}


def test_a_points_rule_replaces_the_fraction():
    pcl5 = OutcomeDefinition("pcl5", remission_max_total=32, response_points=10)
    assert pcl5.response_threshold(50) == Decimal(40)
    assert (pcl5.responds(50, 40), pcl5.responds(50, 41)) == (True, False)
    assert pcl5.response_rule(50) == "pcl5 total ≤ 40 (a fall of ≥ 10 points from baseline 50)"
    with pytest.raises(ConfigurationError):
        OutcomeDefinition("pcl5", remission_max_total=32, response_points=0)

"""The clinical core's public surface, and the rule that it never imports Django."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import ketaclinic.clinical as clinical
from ketaclinic.clinical.sources import SOURCES, Source, _gather, cite

EXPECTED_TOP_LEVEL = {
    "AREAS",
    "SOURCES",
    "ClinicalError",
    "ConfigurationError",
    "InputError",
    "InvalidValue",
    "MissingItem",
    "OutOfRange",
    "Route",
    "Setting",
    "Sex",
    "Source",
    "UnknownCode",
    "cite",
    "administration_rights",
    "billing_codes",
    "body_weight",
    "controlled_substances",
    "dosing",
    "eligibility",
    "home_checkins",
    "intensive_outpatient",
    "monitoring",
    "npi",
    "outcomes",
    "pharmacokinetics",
    "planned_dose",
    "protocols",
    "rems_form",
    "routes",
    "scales",
    "schedule",
    "titration",
    "units",
}


def test_the_curated_top_level_names_are_exactly_these():
    assert set(clinical.__all__) == EXPECTED_TOP_LEVEL
    for name in clinical.__all__:
        assert getattr(clinical, name) is not None


@pytest.mark.parametrize("area", clinical.AREAS)
def test_every_name_an_area_exports_exists(area):
    module = importlib.import_module(f"ketaclinic.clinical.{area}")
    assert module.__all__, f"{area} declares no public names"
    for name in module.__all__:
        assert hasattr(module, name), f"{area}.__all__ names {name}, which does not exist"


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = clinical.nonsense


def test_the_clinical_core_never_imports_django():
    areas = "; ".join(f"import ketaclinic.clinical.{a}" for a in clinical.AREAS)
    code = (
        f"import sys; {areas}; import ketaclinic.cli as cli; cli.build_parser(); "
        "sys.exit('django' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert result.returncode == 0, "the clinical core or the CLI dispatcher imported Django"


def test_the_shared_vocabulary_is_one_definition_everywhere():
    from ketaclinic.clinical import body_weight, eligibility, protocols, routes

    assert eligibility.Route is routes.Route is clinical.Route
    assert body_weight.Sex is clinical.Sex
    assert protocols.Setting is clinical.Setting


def test_every_source_has_a_citation_and_a_unique_key():
    assert SOURCES
    for key, source in SOURCES.items():
        assert source.key == key
        assert source.citation.strip()
    assert cite(next(iter(SOURCES))) is SOURCES[next(iter(SOURCES))]


def test_a_key_defined_twice_is_refused():
    twice = (Source("x.one", "A"), Source("x.one", "B"))
    with pytest.raises(RuntimeError, match="defined twice"):
        _gather(twice)


def test_an_area_loads_on_first_use(monkeypatch):
    monkeypatch.delattr(clinical, "units", raising=False)
    assert clinical.units.__name__ == "ketaclinic.clinical.units"

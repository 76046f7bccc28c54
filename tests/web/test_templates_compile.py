"""Every template compiles: a tag library or filter named in a template exists (site_time,
clinical_labels, crisis_line, on_call_promise, intake_schedule...)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import get_template

import ketaclinic

SOURCE = Path(ketaclinic.__file__).parent
TEMPLATES = sorted(
    str(path.relative_to(next(p for p in path.parents if p.name == "templates")))
    for path in SOURCE.glob("apps/*/templates/**/*.html")
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_template_compiles(name):
    assert get_template(name) is not None

"""Every source key the screening and monitoring code names is registered in sources.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ketaclinic.clinical.sources import SOURCES, cite

SRC = Path(__file__).parents[3] / "src" / "ketaclinic" / "clinical"
FILES = sorted([*(SRC / "eligibility").glob("*.py"), *(SRC / "monitoring").glob("*.py")])
KEY = re.compile(r"\b(?:screen|monitor)\.[a-z][a-z0-9-]*")


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_each_source_key_named_in_the_code_is_registered(path: Path) -> None:
    named = set(KEY.findall(path.read_text(encoding="utf-8")))
    assert named <= set(SOURCES), sorted(named - set(SOURCES))


def test_every_screening_and_monitoring_source_is_used_and_has_a_citation() -> None:
    named = set()
    for path in FILES:
        named |= set(KEY.findall(path.read_text(encoding="utf-8")))
    ours = {key for key in SOURCES if key.startswith(("screen.", "monitor."))}
    assert ours == named
    assert all(len(cite(key).citation) > 30 for key in ours)

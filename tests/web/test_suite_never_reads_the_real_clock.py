"""The suite runs at one fixed moment (``tests/conftest.py``'s ``_suite_clock``): a test that
read the real date passed in November and failed in December. This keeps it that way."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
REAL_CLOCK = re.compile(
    r"\b(?:timezone\.now|date\.today|datetime\.now|datetime\.today|datetime\.utcnow|time\.time)\("
)


def test_no_django_test_reads_the_real_clock():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if REAL_CLOCK.search(line)
    ]
    assert offenders == []


def test_every_django_test_sees_the_suites_fixed_moment():
    import datetime as dt

    from ketaclinic.apps.web import clock

    assert clock.now() == dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)

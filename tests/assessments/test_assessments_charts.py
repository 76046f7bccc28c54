"""Trajectory SVGs: thresholds from the published definitions, escaped text, accessible."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

from ketaclinic.apps.assessments.charts import ChartPoint, response_threshold, trajectory_svg
from ketaclinic.clinical.scales import get_scale

DAY = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_response_thresholds_follow_each_instruments_definition():
    assert response_threshold(get_scale("phq9"), 18) == Decimal("9")  # 50% of 18
    assert response_threshold(get_scale("phq9"), 9) == Decimal("4.5")
    assert response_threshold(get_scale("pcl5"), 50) == Decimal("40")  # 10 points below
    assert response_threshold(get_scale("pcl5"), 6) == Decimal("0")
    assert response_threshold(get_scale("phq9"), 0) is None  # undefined from a 0 baseline
    assert response_threshold(get_scale("cadss"), 20) is None  # no published definition


def test_the_svg_has_bands_lines_sessions_points_and_a_description():
    points = [
        ChartPoint(DAY, 18, "Moderately severe"),
        ChartPoint(DAY + dt.timedelta(days=7), 12, "Moderate"),
        ChartPoint(DAY + dt.timedelta(days=14), 4, "Minimal"),
    ]
    sessions = [DAY + dt.timedelta(days=d, hours=2) for d in (0, 3, 7)]
    svg = str(trajectory_svg(get_scale("phq9"), points, sessions, chart_id="c"))
    assert svg.count("<rect") == 6  # five bands and the frame
    assert "Baseline 18" in svg
    assert "Response ≤ 9" in svg
    assert "Remission ≤ 4" in svg
    assert svg.count("<circle") == 3
    assert "<polyline" in svg
    assert svg.count("<title>Session") == 3
    assert '<desc id="c-desc">3 scores from 2026-01-05 (18, Moderately severe) to ' in svg
    assert 'aria-labelledby="c-title c-desc"' in svg
    assert "style=" not in svg
    assert "<script" not in svg


def test_one_point_still_draws_a_readable_chart_and_text_is_escaped():
    svg = str(
        trajectory_svg(get_scale("gad7"), [ChartPoint(DAY, 7, "<b>Mild</b>")], chart_id="one")
    )
    assert "<polyline" not in svg
    assert "&lt;b&gt;Mild&lt;/b&gt;" in svg
    assert "<b>" not in svg
    assert "2026-01-02" in svg
    assert "2026-01-08" in svg


def test_the_chart_table_shows_no_percentage_for_a_scale_without_outcome_rules(clinic, fixed_clock):
    from django.template import Context, Template
    from django.test import RequestFactory

    from ketaclinic.apps.assessments.recording import record_assessment

    for total in (20, 12):
        answers = {f"item{n}": 1 if n <= total else 0 for n in range(1, 24)}
        record_assessment(
            patient=clinic.alice,
            instrument="cadss",
            answers=answers,
            taken_at=DAY,
            entered_by=clinic.nurse,
        )
    request = RequestFactory().get("/")
    request.user = clinic.nurse
    html = Template('{% include "assessments/_chart_section.html" %}').render(
        Context({"request": request, "patient": clinic.alice})
    )
    assert "Clinician-Administered Dissociative States Scale (CADSS): every score" in html
    assert "(%)" not in html
    assert "<td>-8</td>" in html  # 12 - 20, no percentage: CADSS has no outcome definition


def test_labels_of_lines_close_in_value_do_not_overlap():
    # PCL-5 from a baseline of 42: response is 10 points below (32) and remission is also
    # at most 32 (they coincide); the labels must sit at least 12 px apart, in line order.
    svg = str(trajectory_svg(get_scale("pcl5"), [ChartPoint(DAY, 42, "")], chart_id="p"))
    heights = {
        label: float(y)
        for y, label in re.findall(
            r'<text x="\d+" y="([\d.]+)" class="threshold-label" font-size="10" '
            r'fill="#[0-9a-f]+">'
            r"(Baseline|Response|Remission)",
            svg,
        )
    }
    assert set(heights) == {"Baseline", "Response", "Remission"}
    ordered = sorted(heights.values())
    assert all(b - a >= 12 for a, b in itertools.pairwise(ordered))
    assert heights["Baseline"] < heights["Response"]

"""The vitals chart: thresholds drawn where the parameters say, text escaped, no styles."""

from __future__ import annotations

import datetime as dt
import re

from ketaclinic.apps.charting.charts import BP_RANGE, TOP_H, TOP_Y0, ChartPoint, vitals_svg
from ketaclinic.apps.web.svg_chart import num
from ketaclinic.clinical.monitoring import MonitoringParameters

START = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def y_of(value: int) -> str:
    low, high = BP_RANGE
    return num(TOP_Y0 + (high - value) / (high - low) * TOP_H)


def test_threshold_lines_follow_the_clinics_parameters():
    parameters = MonitoringParameters(bp_urgent_systolic=170, bp_emergency_systolic=190)
    svg = vitals_svg([], parameters, dose_started_at=START)
    lines = re.findall(
        r'<line x1="[^"]+" y1="([^"]+)" x2="[^"]+" y2="\1" stroke="([^"]+)" '
        r'stroke-dasharray="6 4" class="threshold"',
        svg,
    )
    ys = {y for y, _colour in lines}
    # 170 and 190 systolic, 110 and 120 diastolic (defaults), heart rate 120 shares a line.
    assert {y_of(170), y_of(190), y_of(110), y_of(120)} <= ys
    assert "pause 170" in svg
    assert "stop 190" in svg
    assert "No vital signs yet" in svg


def test_points_are_plotted_and_text_is_escaped_without_style_attributes():
    points = [ChartPoint(START + dt.timedelta(minutes=m), 130 + m, 80, 75, 97) for m in (0, 10, 40)]
    svg = vitals_svg(
        points, MonitoringParameters(), dose_started_at=START, title="Vital signs, <O'Brien & co>"
    )
    assert svg.count("<circle") == 3 * 4  # systolic, diastolic, heart rate, SpO2
    assert "&lt;O&#x27;Brien &amp; co&gt;" in svg
    assert "<O'Brien" not in svg
    assert "style=" not in svg
    assert "<script" not in svg
    assert "systolic 170 at minute 40" in svg

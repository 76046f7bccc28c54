"""The SVG chart: one path per regimen, band polygons, escaped text, axes that fit the data."""

from __future__ import annotations

import re

import numpy as np
import pytest

from ketaclinic.apps.pk.charts import (
    BOTTOM,
    HEIGHT,
    TOP,
    ChartSeries,
    comparison_svg,
    legend_swatch,
)
from ketaclinic.apps.web.svg_chart import nice_ticks as linear_ticks

TIMES = np.linspace(0, 4, 49)


def series(
    number: int, peak: float, *, bands: bool = False, metabolite: bool = False, label: str = "IV"
) -> ChartSeries:
    curve = peak * np.exp(-TIMES) * (1 - np.exp(-5 * TIMES)) / 0.535  # a smooth hump
    return ChartSeries(
        number=number,
        label=label,
        colour="#0072B2",
        times_h=TIMES,
        concentration_ng_per_ml=curve,
        cmax_ng_per_ml=float(curve.max()),
        tmax_h=float(TIMES[curve.argmax()]),
        metabolite_name="noresketamine" if metabolite else None,
        metabolite_ng_per_ml=curve / 2 if metabolite else None,
        bands_ng_per_ml=np.vstack([curve * f for f in (0.5, 0.8, 1, 1.2, 1.5)]) if bands else None,
    )


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        # raw step 180.8/5 = 36.2 -> the next round step is 50 -> 0..200
        (180.8, [0, 50, 100, 150, 200]),
        # raw step 7/5 = 1.4 -> 2 -> 0..8
        (7, [0, 2, 4, 6, 8]),
        # raw step 12/5 = 2.4 -> 2.5 -> 0..12.5
        (12, [0, 2.5, 5, 7.5, 10, 12.5]),
        (0, [0, 1]),
    ],
)
def test_linear_ticks_are_round_steps_covering_the_data(high, ticks):
    assert linear_ticks(high) == ticks


def test_each_regimen_gets_one_curve_and_each_population_two_bands():
    svg = comparison_svg(
        [series(1, 180, bands=True), series(2, 70, metabolite=True), series(3, 60, bands=True)],
        hours=4,
        log_scale=False,
        population=500,
    )
    assert svg.count('class="curve"') == 3
    assert svg.count('class="band"') == 4
    assert svg.count('class="metabolite"') == 1
    assert 'stroke-dasharray="7 4"' in svg
    assert svg.count('class="peak"') == 3
    assert "500 virtual patients" in svg


def test_text_is_escaped_and_no_style_attribute_is_written():
    svg = comparison_svg(
        [series(1, 50, label='<script>"x" & y</script>')], hours=4, log_scale=False
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;&quot;x&quot; &amp; y&lt;/script&gt;" in svg
    assert "style=" not in svg
    assert '<title id="pk-chart-title">' in svg


def test_the_linear_axis_reaches_past_the_highest_band():
    svg = comparison_svg([series(1, 100, bands=True)], hours=4, log_scale=False, population=10)
    # the 95th percentile peaks at 1.5 x 100 = 150; 150 x 1.02 = 153 -> ticks of 50 up to 200
    assert ">200</text>" in svg
    assert ">250</text>" not in svg


def test_the_log_axis_spans_three_decades_under_the_peak_and_clips_below():
    svg = comparison_svg([series(1, 150)], hours=4, log_scale=True)
    # peak 150 -> top decade 10^3 = 1,000, bottom 10^0 = 1
    for tick in ("1", "10", "100", "1,000"):
        assert f">{tick}</text>" in svg
    assert ">0.1</text>" not in svg
    path = re.search(r'class="curve"[^>]*d="M([^"]+)"', svg).group(1)
    first_y = float(path.split(" ")[0].split(",")[1])
    # the curve starts at 0 ng/mL, clipped to the bottom of the plot
    assert first_y == HEIGHT - BOTTOM
    assert TOP < HEIGHT - BOTTOM


def test_time_ticks_follow_the_span():
    svg = comparison_svg([series(1, 50)], hours=4, log_scale=False)
    # 4 h: steps of 0.5 h (4/0.25 = 16 > 12 ticks; 4/0.5 = 8)
    assert ">3.5</text>" in svg
    assert ">4</text>" in svg


def test_the_legend_swatch_is_a_line_in_the_series_colour():
    swatch = legend_swatch(series(1, 50))
    assert 'stroke="#0072B2"' in swatch
    assert 'aria-hidden="true"' in swatch


def test_markers_of_peaks_at_the_same_spot_do_not_hide_each_other():
    svg = comparison_svg([series(1, 100), series(2, 100)], hours=4, log_scale=False)
    centres = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="9"', svg)
    (x1, y1), (x2, y2) = [(float(x), float(y)) for x, y in centres]
    # the second badge steps one diameter (18) right and one radius (9) up
    assert (x2 - x1, y1 - y2) == pytest.approx((18, 9), abs=0.1)
    # one leader line, from the second peak to its displaced badge
    assert svg.count('stroke-width="1.2"/>') == 1

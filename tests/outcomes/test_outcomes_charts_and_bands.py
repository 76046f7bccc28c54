"""The SVG builders escape every text and draw what they are given; age bands by birthday."""

from __future__ import annotations

import pytest

from ketaclinic.apps.outcomes import charts
from ketaclinic.apps.outcomes.choices import age_band
from ketaclinic.apps.outcomes.cohort import _median
from ketaclinic.clinical.outcomes import kaplan_meier, wilson_interval


def test_chart_text_is_escaped():
    svg = charts.bar_chart(
        "<script>alert(1)</script>",
        [("R&D", [charts.Bar("<b>", wilson_interval(7, 10), charts.ITT_COLOUR)])],
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "R&amp;D" in svg
    assert "style=" not in svg


def test_an_empty_group_is_drawn_as_no_data_without_a_bar():
    svg = charts.bar_chart("t", [("Response", [charts.Bar("ITT", wilson_interval(0, 0), "#000")])])
    assert "no data" in svg
    assert "<rect" not in svg


def test_the_survival_chart_draws_the_curve_and_its_band():
    curve = kaplan_meier([10, 20, 35, 20, 40, 60], [True, True, True, False, False, False])
    svg = charts.survival_chart(curve)
    assert 'class="km-curve"' in svg
    assert 'class="km-band"' in svg


def test_adverse_events_without_sessions_say_so():
    svg = charts.adverse_event_chart([("Hypertension", wilson_interval(0, 0))])
    assert "no sessions" in svg


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (34, "25-34"),
        (35, "35-44"),
        (44, "35-44"),
        (45, "45-54"),
        (54, "45-54"),
        (55, "55-64"),
        (64, "55-64"),
        (65, "65+"),
        (90, "65+"),
    ],
)
def test_age_bands_change_on_the_birthday_that_starts_them(age, band):
    assert age_band(age) == band


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ({5: 1}, 5.0),
        ({3: 1, 9: 1}, 6.0),  # two values: their mean
        ({1: 2, 4: 1}, 1.0),  # 1, 1, 4
        ({2: 1, 3: 1, 7: 2}, 5.0),  # 2, 3, 7, 7: (3 + 7) / 2
    ],
)
def test_the_median_of_a_histogram_of_totals(histogram, median):
    assert _median(histogram) == median

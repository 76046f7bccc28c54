"""Every server-drawn chart, byte for byte, against a reviewed snapshot.

The four chart modules (PK comparison, questionnaire trajectory, session vitals, outcomes)
draw through one kit, ``apps/web/svg_chart.py``. A change to the kit or to a chart shows up
here as a diff of the SVG; when the change is meant, regenerate the snapshots with
``KETACLINIC_UPDATE_GOLDEN=1 pytest tests/web/test_svg_charts_golden.py`` and look at them
(they open in any browser) before committing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pytest

from ketaclinic.apps.assessments.charts import ChartPoint as ScorePoint
from ketaclinic.apps.assessments.charts import trajectory_svg
from ketaclinic.apps.charting.charts import ChartPoint as VitalsPoint
from ketaclinic.apps.charting.charts import vitals_svg
from ketaclinic.apps.outcomes import charts as outcome_charts
from ketaclinic.apps.pk.charts import COLOURS, ChartSeries, comparison_svg, legend_swatch
from ketaclinic.clinical.monitoring import MonitoringParameters
from ketaclinic.clinical.outcomes import kaplan_meier, wilson_interval
from ketaclinic.clinical.scales import get_scale

GOLDEN = Path(__file__).parent / "golden_charts"
UTC = dt.UTC
DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TIMES = np.linspace(0, 6, 73)


def _pk_series(number: int, peak: float, *, bands: bool, metabolite: bool) -> ChartSeries:
    curve = peak * np.exp(-TIMES) * (1 - np.exp(-5 * TIMES)) / 0.535
    return ChartSeries(
        number=number,
        label=f"Regimen {number} <route & dose>",
        colour=COLOURS[number - 1],
        times_h=TIMES,
        concentration_ng_per_ml=curve,
        cmax_ng_per_ml=float(curve.max()),
        tmax_h=float(TIMES[curve.argmax()]),
        metabolite_name="norketamine" if metabolite else None,
        metabolite_ng_per_ml=curve / 2 if metabolite else None,
        bands_ng_per_ml=np.vstack([curve * f for f in (0.5, 0.8, 1, 1.2, 1.5)]) if bands else None,
    )


def _pk(log_scale: bool) -> str:
    series = [
        _pk_series(1, 180, bands=True, metabolite=True),
        _pk_series(2, 178, bands=False, metabolite=False),
        _pk_series(3, 60, bands=True, metabolite=False),
    ]
    return str(comparison_svg(series, hours=6, log_scale=log_scale, population=1000))


def _scores() -> str:
    points = [
        ScorePoint(DAY, 21, "Severe"),
        ScorePoint(DAY + dt.timedelta(days=7), 14, "Moderate"),
        ScorePoint(DAY + dt.timedelta(days=21), 4, "Minimal"),
    ]
    sessions = [DAY + dt.timedelta(days=d) for d in (1, 3, 5, 8)]
    return str(trajectory_svg(get_scale("phq9"), points, sessions, chart_id="phq9-chart"))


def _vitals(with_points: bool) -> str:
    start = DAY
    points = [
        VitalsPoint(start + dt.timedelta(minutes=m), sys, dia, hr, spo2)
        for m, sys, dia, hr, spo2 in (
            (-5, 128, 82, 72, 98),
            (10, 152, 95, 88, 96),
            (40, 172, 101, 96, 93),
        )
    ]
    return vitals_svg(
        points if with_points else [],
        MonitoringParameters(),
        dose_started_at=start,
        dose_stopped_at=start + dt.timedelta(minutes=40),
        title="Vital signs, <O'Brien & co>",
    )


def _outcome_bars() -> str:
    return outcome_charts.bar_chart(
        "Response <8 weeks>",
        [
            (
                "Response",
                [
                    outcome_charts.Bar("ITT", wilson_interval(7, 20), outcome_charts.ITT_COLOUR),
                    outcome_charts.Bar(
                        "Completers", wilson_interval(7, 12), outcome_charts.COMPLETER_COLOUR
                    ),
                ],
            ),
            ("Remission", [outcome_charts.Bar("ITT", wilson_interval(0, 0), "#000")]),
        ],
    )


def _outcome_events() -> str:
    return outcome_charts.adverse_event_chart(
        [("Hypertension", wilson_interval(3, 40)), ("Nausea & <vomiting>", wilson_interval(0, 0))]
    )


def _outcome_survival() -> str:
    curve = kaplan_meier(
        [10, 20, 35, 20, 40, 60, 90], [True, True, True, False, False, False, True]
    )
    return outcome_charts.survival_chart(curve, horizon_days=120)


def _outcome_trajectory() -> str:
    return outcome_charts.trajectory_chart(
        {
            "responder": [(0, 20, 9), (2, 12, 9), (4, 7.5, 8)],
            "non_responder": [(0, 19, 5), (4, 17, 4)],
        },
        {"responder": "Responders", "non_responder": "Non-responders <n>"},
    )


CHARTS = {
    "pk_linear": lambda: _pk(False),
    "pk_log": lambda: _pk(True),
    "pk_swatch": lambda: str(legend_swatch(_pk_series(1, 100, bands=False, metabolite=False))),
    "assessments_trajectory": _scores,
    "charting_vitals": lambda: _vitals(True),
    "charting_vitals_empty": lambda: _vitals(False),
    "outcomes_bars": _outcome_bars,
    "outcomes_adverse_events": _outcome_events,
    "outcomes_survival": _outcome_survival,
    "outcomes_trajectory": _outcome_trajectory,
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_matches_its_reviewed_snapshot(name):
    drawn = CHARTS[name]()
    golden = GOLDEN / f"{name}.svg"
    if os.environ.get("KETACLINIC_UPDATE_GOLDEN") == "1":
        golden.write_text(drawn + "\n", encoding="utf-8")
    assert drawn + "\n" == golden.read_text(encoding="utf-8"), f"{name}: see {golden}"


def test_every_snapshot_belongs_to_a_chart():
    assert {p.stem for p in GOLDEN.glob("*.svg")} == set(CHARTS)

"""The dashboard's numbers, recomputed from the de-identified CSV by other people's code.

statsmodels' Wilson interval and lifelines' Kaplan–Meier fitter (with its default
exponential-Greenwood band) read only the exported file; they must agree with what the
cohort API (the dashboard's report) says, to 1e-9.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.urls import reverse
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint
from tests.outcomes.outcome_factories import START, make_course, phq9
from tests.personas import make_patient

from ketaclinic.apps.outcomes.refreshing import refresh_all

pytestmark = pytest.mark.django_db


def random_clinic(clinic, rng: random.Random, patients: int = 40) -> None:
    """Courses of every kind: responders who relapse or not, non-responders, drop-outs."""
    for number in range(patients):
        patient = make_patient(
            clinic.site_a, f"R{number:06d}", "Pat", f"Random{number}", dt.date(1950 + number, 3, 1)
        )
        start = START + dt.timedelta(days=rng.randint(0, 20))
        given = rng.choice([1, 2, 4, 6, 6, 6])
        make_course(
            clinic,
            patient,
            route=rng.choice(["iv", "iv", "esketamine"]),
            given=given,
            status="completed" if given == 6 else "stopped",
            start=start,
        )
        baseline = rng.randint(10, 24)
        phq9(patient, baseline, start - dt.timedelta(days=rng.randint(1, 20)))
        if rng.random() < 0.15:
            continue  # no score after the first dose
        if rng.random() < 0.3:
            phq9(patient, rng.randint(0, baseline), start + dt.timedelta(hours=rng.randint(2, 30)))
        end = start + dt.timedelta(days=3 * (given - 1), hours=4)
        phq9(patient, rng.randint(0, min(24, baseline + 3)), end)
        for month in range(1, rng.randint(1, 4)):
            at = end + dt.timedelta(days=rng.randint(20, 35) * month)
            phq9(patient, rng.randint(0, baseline), at)


def test_statsmodels_and_lifelines_reproduce_the_dashboard_from_the_csv(
    client, clinic, fixed_clock
):
    random_clinic(clinic, random.Random(7))
    refresh_all(fixed_clock.now())
    client.force_login(clinic.director)
    report = client.get("/api/v1/outcomes/cohort").json()
    exported = client.get(reverse("outcomes:dataset"))
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert len(rows) == report["started"] == 40

    def flag(row: dict, name: str) -> bool:
        return row[name] == "1"

    completers = [r for r in rows if flag(r, "completed") and flag(r, "has_followup")]
    for name, column in (
        ("response", "responded"),
        ("remission", "remitted"),
        ("rapid_response", "rapid_response"),
        ("worsening", "worsened"),
    ):
        for denominator, group in (("intent_to_treat", rows), ("completers", completers)):
            shown = report[name][denominator]
            events = sum(flag(r, column) for r in group)
            lower, upper = proportion_confint(events, len(group), alpha=0.05, method="wilson")
            assert (shown["events"], shown["total"]) == (events, len(group))
            assert shown["lower"] == pytest.approx(lower, abs=1e-9)
            assert shown["upper"] == pytest.approx(upper, abs=1e-9)
    lost = sum(not flag(r, "has_followup") for r in rows)
    assert report["lost_to_follow_up"]["events"] == lost > 0

    sessions = sum(int(r["sessions_attended"]) for r in rows)
    with_event = sum(int(r["sessions_with_adverse_event"]) for r in rows)
    assert report["adverse_events"]["total"] == sessions

    at_risk = [r for r in rows if flag(r, "relapse_at_risk")]
    assert sum(flag(r, "relapsed") for r in at_risk) > 0
    fitter = KaplanMeierFitter().fit(
        [float(r["relapse_days"]) for r in at_risk], [flag(r, "relapsed") for r in at_risk]
    )
    band = fitter.confidence_interval_survival_function_
    banded = 0
    for step in report["durability"]:
        days = step["days"]
        assert step["relapse_free"] == pytest.approx(
            float(fitter.survival_function_at_times(days).iloc[0]), abs=1e-9
        )
        if days in band.index and 0 < step["relapse_free"] < 1:
            assert step["lower"] == pytest.approx(band.loc[days].iloc[0], abs=1e-9)
            assert step["upper"] == pytest.approx(band.loc[days].iloc[1], abs=1e-9)
            banded += 1
    assert banded > 0
    assert with_event == report["adverse_events"]["events"]

"""The dashboard's numbers, recomputed from the de-identified CSV by other people's code.

pandas reads the exported file, drops the courses still in progress (the CSV's ``state``),
and statsmodels' Wilson interval and lifelines' Kaplan–Meier fitter (with its default
exponential-Greenwood band) recompute the figures; they must agree with what the cohort API
(the dashboard's report) says, to 1e-9.
"""

from __future__ import annotations

import datetime as dt
import io
import random

import pandas as pd
import pytest
from django.urls import reverse
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint
from tests.outcomes.outcome_factories import NOW, START, make_course, phq9
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
        thoughts = rng.choice([0, 0, 1, 2])  # PHQ-9 item 9 at baseline
        phq9(patient, baseline, start - dt.timedelta(days=rng.randint(1, 20)), item9=thoughts)
        if rng.random() < 0.15:
            continue  # no score after the first dose
        if rng.random() < 0.3:
            phq9(patient, rng.randint(0, baseline), start + dt.timedelta(hours=rng.randint(2, 30)))
        end = start + dt.timedelta(days=3 * (given - 1), hours=4)
        final = rng.randint(0, min(24, baseline + 3))
        phq9(patient, final, end, item9=min(final, rng.choice([0, 0, 1, thoughts])))
        for month in range(1, rng.randint(1, 4)):
            at = end + dt.timedelta(days=rng.randint(20, 35) * month)
            phq9(patient, rng.randint(0, baseline), at)
    for number in range(8):
        # Four mid-induction courses (started last week) and four lost ones (two doses in
        # January, the rest never held nor cancelled): neither enters a rate of patients.
        patient = make_patient(
            clinic.site_a, f"S{number:06d}", "Pat", f"State{number}", dt.date(1960, 5, number + 1)
        )
        start = NOW - dt.timedelta(days=5) if number < 4 else START
        make_course(clinic, patient, given=2, status="active", start=start, undone="planned")
        phq9(patient, 20, start - dt.timedelta(days=1))
        phq9(patient, rng.randint(0, 20), start + dt.timedelta(days=3, hours=2))


def test_statsmodels_and_lifelines_reproduce_the_dashboard_from_the_csv(
    client, clinic, fixed_clock
):
    random_clinic(clinic, random.Random(7))
    refresh_all(fixed_clock.now())
    client.force_login(clinic.director)
    report = client.get("/api/v1/outcomes/cohort").json()
    exported = client.get(reverse("outcomes:dataset"))
    frame = pd.read_csv(io.BytesIO(b"".join(exported.streaming_content)))
    assert len(frame) == report["started"] == 48
    assert (frame["state"] == "in_progress").sum() == report["in_progress"] == 4
    assert (frame["state"] == "lost").sum() == report["lost"] == 4
    ended = frame[frame["state"] != "in_progress"]
    assert len(ended) == report["intent_to_treat"] == 44
    completers = ended[
        (ended["state"] == "closed") & (ended["completed"] == 1) & (ended["has_followup"] == 1)
    ]

    def check(shown: dict, events: int, total: int) -> None:
        lower, upper = proportion_confint(events, total, alpha=0.05, method="wilson")
        assert (shown["events"], shown["total"]) == (events, total)
        assert shown["lower"] == pytest.approx(lower, abs=1e-9)
        assert shown["upper"] == pytest.approx(upper, abs=1e-9)

    for name, column in (
        ("response", "responded"),
        ("remission", "remitted"),
        ("rapid_response", "rapid_response"),
        ("worsening", "worsened"),
    ):
        for denominator, group in (("intent_to_treat", ended), ("completers", completers)):
            check(report[name][denominator], int(group[column].sum()), len(group))
    measured = ended[ended["rapid_evaluable"] == 1]
    check(report["rapid_among_measured"], int(measured["rapid_response"].sum()), len(measured))
    assert report["response_measured"] == int(ended["response_evaluable"].sum())
    lost = int((ended["has_followup"] == 0).sum())
    assert report["lost_to_follow_up"]["events"] == lost > 0
    with_thoughts = ended[ended["ideation_at_baseline"] == 1]
    assert len(with_thoughts) > 0
    check(
        report["ideation_reduced"],
        int(with_thoughts["ideation_reduced"].sum()),
        len(with_thoughts),
    )
    assert report["ideation_followed"] == int(with_thoughts["ideation_followed"].sum())
    assert report["ideation_on_phq9"] == int(with_thoughts["ideation_on_phq9"].sum()) > 0
    assert report["ideation_on_cssrs"] == int(with_thoughts["ideation_on_cssrs"].sum()) == 0
    # Non-addictive: home-program courses no longer in progress with a misuse signal (none
    # in this clinic of infusions: the figure is 0 of 0, shown as no data).
    home = ended[ended["home_program"] == 1]
    signals = [c for c in frame.columns if c.startswith("misuse_")]
    assert len(signals) == 4
    with_any = int((home[signals].sum(axis=1) > 0).sum())
    misuse = report["non_addictive"]
    assert (misuse["any_signal"]["events"], misuse["courses"]) == (with_any, len(home))
    running = frame[frame["state"] == "in_progress"]
    check(report["in_progress_responding"], int(running["responded"].sum()), len(running))

    # One session denominator: sessions attended, in every course whatever its state.
    sessions = int(frame["sessions_attended"].sum())
    check(report["adverse_events"], int(frame["sessions_with_adverse_event"].sum()), sessions)

    at_risk = ended[ended["relapse_at_risk"] == 1]
    assert at_risk["relapsed"].sum() > 0
    assert report["relapse_eligible"] == int(ended["relapse_eligible"].sum()) >= len(at_risk)
    fitter = KaplanMeierFitter().fit(at_risk["relapse_days"], at_risk["relapsed"] == 1)
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

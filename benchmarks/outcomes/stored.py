"""The dashboard's figures from the same stored rows, the way an analyst would compute them
with pandas, statsmodels and lifelines: the alternative issue 18's ratio is measured against.

It reads what the exact path reads — every ``CourseOutcome`` row of the sites (the columns
the figures need) and every weekly trajectory score — into pandas on every look, counts
each figure with boolean masks, takes Wilson intervals from statsmodels, the Kaplan–Meier
curve from lifelines and the weekly medians from a ``groupby``. The judging of each course
is already done (stored at refresh), so this is the fair comparison for the page's own
work: the numbers must equal the dashboard's to 1e-9.
"""

from __future__ import annotations

import pandas as pd
from django.db import connection
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

OUTCOMES = """
SELECT state, completed, has_followup, responded, remitted, rapid_response, worsened,
       relapse_at_risk, relapsed, relapse_days, sessions_attended, sessions_held,
       sessions_with_adverse_event
FROM outcomes_courseoutcome WHERE site_id = ANY(%s)
"""
WEEKS = """
SELECT response_group, week, total FROM outcomes_weeklyscore
WHERE site_id = ANY(%s) AND primary_instrument = %s
"""


def _frame(sql: str, params: list) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def stored_figures(site_ids: list[int], instrument: str = "phq9") -> dict:
    rows = _frame(OUTCOMES, [site_ids])
    weeks = _frame(WEEKS, [site_ids, instrument])

    def wilson(events: int, total: int) -> tuple[int, int, float, float]:
        if total == 0:
            return 0, 0, 0.0, 0.0
        lower, upper = proportion_confint(events, total, alpha=0.05, method="wilson")
        return int(events), int(total), float(lower), float(upper)

    ended = rows[rows["state"] != "in_progress"]
    completers = ended[(ended["state"] == "closed") & ended["completed"] & ended["has_followup"]]
    figures: dict = {"started": len(rows)}
    for name, column in (
        ("responded", "responded"),
        ("remitted", "remitted"),
        ("rapid", "rapid_response"),
        ("worsened", "worsened"),
    ):
        figures[f"{name}_itt"] = wilson(int(ended[column].sum()), len(ended))
        figures[f"{name}_completers"] = wilson(int(completers[column].sum()), len(completers))
    figures["lost"] = wilson(int((~ended["has_followup"]).sum()), len(ended))
    sessions = int(rows["sessions_attended"].sum())
    figures["adverse_events"] = wilson(int(rows["sessions_with_adverse_event"].sum()), sessions)
    figures["holds"] = wilson(int(rows["sessions_held"].sum()), sessions)
    risk = ended[ended["relapse_at_risk"]]
    fitter = KaplanMeierFitter().fit(risk["relapse_days"].astype(float), risk["relapsed"])
    figures["survival"] = {
        float(t): float(s) for t, s in fitter.survival_function_["KM_estimate"].items()
    }
    medians = weeks.groupby(["response_group", "week"])["total"].agg(["median", "size"])
    figures["trajectories"] = {
        (group, int(week)): (float(median), int(size))
        for (group, week), median, size in zip(
            medians.index, medians["median"], medians["size"], strict=True
        )
    }
    return figures

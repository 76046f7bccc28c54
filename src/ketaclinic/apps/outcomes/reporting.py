"""The cohort report: figures, verdicts, published comparisons and charts, for page and API."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from ketaclinic.apps.outcomes import charts
from ketaclinic.apps.outcomes.choices import ResponseGroup
from ketaclinic.apps.outcomes.cohort import (
    CohortFilters,
    cohort_counts_and_misuse,
    median_trajectories,
    whole_months,
)
from ketaclinic.apps.outcomes.cohort_cells import cell_state
from ketaclinic.clinical.outcomes import (
    COVERAGE_SOURCE,
    MIN_COVERAGE,
    AdverseEventKind,
    ClaimVerdict,
    CohortSummary,
    Coverage,
    Measure,
    Proportion,
    PublishedFigure,
    compare_claims,
    published_figures,
    summarize_counts,
)
from ketaclinic.clinical.outcomes.misuse import (
    MISUSE_SIGNAL_LABELS,
    MISUSE_SOURCE,
    MisuseSummary,
    non_addictive_message,
    summarize_misuse,
)

__all__ = ["AE_LABELS", "CohortReport", "cohort_report", "proportion_json", "summary_json"]

# A median of fewer courses says more about those patients than about the group (and could
# point at them): such weeks are not drawn. The API still lists them with their count.
MIN_COURSES_PER_POINT = 5

AE_LABELS = {
    AdverseEventKind.HYPERTENSION: "Hypertension",
    AdverseEventKind.NAUSEA_VOMITING: "Nausea or vomiting",
    AdverseEventKind.DISSOCIATION: "Distressing dissociation",
    AdverseEventKind.SEDATION: "Excessive sedation",
    AdverseEventKind.EMERGENCE_REACTION: "Emergence reaction",
}


@dataclass(frozen=True)
class FigureRow:
    """One line of the comparison table: the clinic's figure or a published one."""

    label: str
    measure: str
    itt: Proportion | None
    completers: Proportion | None
    published: PublishedFigure | None = None


@dataclass(frozen=True)
class CohortReport:
    filters: CohortFilters
    summary: CohortSummary
    verdicts: tuple[ClaimVerdict, ...]
    comparisons: tuple[FigureRow, ...]
    trajectories: dict
    rate_chart: str
    survival_chart: str
    trajectory_chart: str
    adverse_event_chart: str
    adverse_events: tuple[tuple[str, Proportion], ...]
    misuse: MisuseSummary
    non_addictive: str

    @property
    def misuse_rows(self) -> tuple[tuple[str, Proportion], ...]:
        return (
            ("Any of the signals below", self.misuse.any_signal),
            *(
                (label[0].upper() + label[1:], self.misuse.by_signal[signal])
                for signal, label in MISUSE_SIGNAL_LABELS.items()
            ),
        )


# Reports already computed, by (rows' version, filters, with charts): a report is a function
# of the stored rows and the filters only, and every refresh draws a new version.
REPORTS_KEPT = 64
_reports: OrderedDict[tuple, CohortReport] = OrderedDict()
_reports_lock = threading.Lock()


def cohort_report(
    filters: CohortFilters, *, with_charts: bool = True, cells: bool | None = None
) -> CohortReport:
    """The cohort's report. ``cells=None`` (the page, the API): one query for the rows'
    version; the report kept for that version and these filters if there is one, otherwise
    three queries on the cohort cells (``uses_cells``) or, for a period of part-months or
    before the cells are built, on the course rows, then the statistics and plots.
    ``cells=False`` always counts the rows (the exact path), ``cells=True`` the cells."""
    if cells is not None:
        return _computed_report(filters, with_charts=with_charts, cells=cells)
    built, version = cell_state()
    key = (version, filters, with_charts)
    with _reports_lock:
        if key in _reports:
            _reports.move_to_end(key)
            return _reports[key]
    report = _computed_report(
        filters, with_charts=with_charts, cells=built and whole_months(filters)
    )
    with _reports_lock:
        _reports[key] = report
        while len(_reports) > REPORTS_KEPT:
            _reports.popitem(last=False)
    return report


def _computed_report(filters: CohortFilters, *, with_charts: bool, cells: bool) -> CohortReport:
    counts, (home, with_signal, with_any) = cohort_counts_and_misuse(filters, cells=cells)
    summary = summarize_counts(counts)
    misuse = summarize_misuse(home, with_signal, with_any)
    trajectories = median_trajectories(filters, cells=cells)
    adverse_events = (
        ("Any adverse event", summary.adverse_events),
        *((AE_LABELS[kind], summary.adverse_events_by_kind[kind]) for kind in AdverseEventKind),
        ("Dose held at the pre-check", summary.holds),
    )
    comparisons = []
    for label, measure, pair in (
        ("Response", Measure.RESPONSE, summary.response),
        ("Remission", Measure.REMISSION, summary.remission),
    ):
        comparisons.append(
            FigureRow(f"{label} — this clinic", measure, pair.intent_to_treat, pair.completers)
        )
        comparisons.extend(
            FigureRow(figure.study, measure, None, None, figure)
            for figure in published_figures(measure)
        )
    for measure in (Measure.RELAPSE_WITHIN_12_MONTHS,):
        comparisons.extend(
            FigureRow(figure.study, measure, None, None, figure)
            for figure in published_figures(measure)
        )
    rate_chart = survival = trajectory = ae_chart = ""
    if with_charts:
        rate_chart = charts.bar_chart(
            "Response and remission: intent to treat beside completers",
            [
                (
                    label,
                    [
                        charts.Bar("ITT", pair.intent_to_treat, charts.ITT_COLOUR),
                        charts.Bar("Completers", pair.completers, charts.COMPLETER_COLOUR),
                    ],
                )
                for label, pair in (
                    ("Response", summary.response),
                    ("Remission", summary.remission),
                    ("Rapid (24 h)", summary.rapid_response),
                    ("Worsening", summary.worsening),
                )
            ],
        )
        survival = charts.survival_chart(summary.durability)
        drawn = {
            group: [point for point in points if point[2] >= MIN_COURSES_PER_POINT]
            for group, points in trajectories.items()
        }
        trajectory = charts.trajectory_chart(
            {group: points for group, points in drawn.items() if points},
            dict(ResponseGroup.choices),
        )
        ae_chart = charts.adverse_event_chart(adverse_events)
    return CohortReport(
        filters=filters,
        summary=summary,
        verdicts=compare_claims(summary),
        comparisons=tuple(comparisons),
        trajectories=trajectories,
        rate_chart=rate_chart,
        survival_chart=survival,
        trajectory_chart=trajectory,
        adverse_event_chart=ae_chart,
        adverse_events=adverse_events,
        misuse=misuse,
        non_addictive=non_addictive_message(misuse),
    )


def proportion_json(p: Proportion) -> dict:
    return {
        "events": p.events,
        "total": p.total,
        "estimate": p.estimate,
        "lower": p.lower,
        "upper": p.upper,
    }


def coverage_json(coverage: Coverage | None) -> dict | None:
    if coverage is None:
        return None
    return {
        "measured": coverage.measured,
        "eligible": coverage.eligible,
        "unit": coverage.unit,
        "needs": coverage.needs,
        "fraction": coverage.fraction,
        "sufficient": coverage.sufficient,
        "minimum": float(MIN_COVERAGE),
        "source": COVERAGE_SOURCE,
    }


def summary_json(report: CohortReport) -> dict:
    """The report as plain JSON types (the API's body, and what the tests compare)."""
    s = report.summary

    def pair(p) -> dict:
        return {
            "intent_to_treat": proportion_json(p.intent_to_treat),
            "completers": proportion_json(p.completers),
        }

    return {
        "filters": report.filters.as_dict(),
        "started": s.started,
        "intent_to_treat": s.intent_to_treat,
        "in_progress": s.in_progress,
        "in_progress_responding": proportion_json(s.in_progress_responding),
        "lost": s.lost,
        "response_measured": s.response_measured,
        "rapid_measured": s.rapid_measured,
        "rapid_among_measured": proportion_json(s.rapid_among_measured),
        "relapse_eligible": s.relapse_eligible,
        "ideation_at_baseline": s.ideation_at_baseline,
        "ideation_followed": s.ideation_followed,
        "ideation_on_phq9": s.ideation_on_phq9,
        "ideation_on_cssrs": s.ideation_on_cssrs,
        "ideation_reduced": proportion_json(s.ideation_reduced),
        "completed": s.completed,
        "completers_with_followup": s.completers_with_followup,
        "lost_to_follow_up": proportion_json(s.lost_to_follow_up),
        "completion": proportion_json(s.completion),
        "response": pair(s.response),
        "remission": pair(s.remission),
        "rapid_response": pair(s.rapid_response),
        "worsening": pair(s.worsening),
        "relapse_at_risk": s.relapse_at_risk,
        "relapsed": s.relapsed,
        "durability": [
            {
                "days": step.time,
                "at_risk": step.at_risk,
                "relapses": step.events,
                "censored": step.censored,
                "relapse_free": step.survival,
                "lower": step.lower,
                "upper": step.upper,
            }
            for step in s.durability.steps
        ],
        "median_relapse_free_days": s.durability.median,
        "sessions": s.sessions,
        "holds": proportion_json(s.holds),
        "adverse_events": proportion_json(s.adverse_events),
        "adverse_events_by_kind": {
            str(kind): proportion_json(p) for kind, p in s.adverse_events_by_kind.items()
        },
        "non_addictive": {
            "claim": "Non-addictive",
            "verdict": "not_judged",
            "message": report.non_addictive,
            "courses": report.misuse.courses,
            "unit": "home-program courses no longer in progress",
            "any_signal": proportion_json(report.misuse.any_signal),
            "by_signal": {
                str(signal): proportion_json(p) for signal, p in report.misuse.by_signal.items()
            },
            "source": MISUSE_SOURCE,
        },
        "claims": [
            {
                "claim": v.claim.text,
                "key": v.claim.key,
                "verdict": str(v.verdict),
                "message": v.message,
                "estimate": v.observed.estimate,
                "lower": v.observed.lower,
                "upper": v.observed.upper,
                "coverage": coverage_json(v.coverage),
            }
            for v in report.verdicts
        ],
        "trajectories": {
            group: [{"week": w, "median": m, "courses": n} for w, m, n in points]
            for group, points in report.trajectories.items()
        },
    }

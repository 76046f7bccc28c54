"""Published figures and brochure claims, as data, and the verdict on each claim.

The outcomes page shows the clinic's own rates beside what the literature reports (each
figure with its source key, instrument, time point and, crucially, its denominator) and
beside the promises clinics make. A promise is turned into a number it can be tested
against (``BrochureClaim.interpretation`` says how), and ``compare_claim`` reads the
clinic's 95% interval against it:

* **supported** — the whole interval is on the promised side of the claim
  (lower bound ≥ claim for "at least" claims; upper bound ≤ claim for "at most" claims);
* **contradicted** — the whole interval is on the wrong side (upper < claim; lower > claim);
* **inconclusive** — the interval contains the claim: the clinic's data neither confirm nor
  rule it out;
* **no data** — nobody in the group yet.

Claims are judged on the intent-to-treat figure (courses no longer in progress): a promise
is made to everyone who starts. Before the interval is read, the claim's **coverage** is
checked — how many of those courses had the measurement the claim needs (``Coverage``). An
intent-to-treat rate counts an unmeasured course as a failure, so with most courses
unmeasured a low rate says nothing about the claim: below ``MIN_COVERAGE`` (80%) the verdict
is *inconclusive* whatever the interval, and the rate among the measured courses is given
beside it. The 80% line is the "5-and-20" rule of thumb, under which more than 20% loss to
follow-up is a serious threat to validity (Schulz & Grimes 2002,
``outcomes_loss_to_follow_up_schulz2002``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.outcomes.cohort import CohortSummary
from ketaclinic.clinical.outcomes.intervals import DEFAULT_CONFIDENCE, Proportion
from ketaclinic.clinical.outcomes.survival import KaplanMeierCurve

__all__ = [
    "BROCHURE_CLAIMS",
    "COVERAGE_SOURCE",
    "MIN_COVERAGE",
    "PUBLISHED_FIGURES",
    "BrochureClaim",
    "ClaimDirection",
    "ClaimVerdict",
    "Coverage",
    "Denominator",
    "Measure",
    "ObservedRate",
    "PublishedFigure",
    "Verdict",
    "compare_claim",
    "compare_claims",
    "coverage_for",
    "observed_for",
    "published_figures",
]


MIN_COVERAGE = Decimal("0.8")
COVERAGE_SOURCE = "outcomes_loss_to_follow_up_schulz2002"


class Measure(StrEnum):
    RESPONSE = "response"
    REMISSION = "remission"
    RAPID_RESPONSE = "rapid_response"
    RELAPSE_FREE_6_MONTHS = "relapse_free_6_months"
    RELAPSE_WITHIN_12_MONTHS = "relapse_within_12_months"
    ADVERSE_EVENT_SESSIONS = "adverse_event_sessions"
    IDEATION_REDUCED = "ideation_reduced"


MEASURE_LABELS: dict[Measure, str] = {
    Measure.RESPONSE: "response rate",
    Measure.REMISSION: "remission rate",
    Measure.RAPID_RESPONSE: "rapid-response rate (within 24 hours)",
    Measure.RELAPSE_FREE_6_MONTHS: "share of responders still relapse-free at 6 months",
    Measure.RELAPSE_WITHIN_12_MONTHS: "share of remitters relapsing within 12 months",
    Measure.ADVERSE_EVENT_SESSIONS: "share of sessions with an adverse event",
    Measure.IDEATION_REDUCED: (
        "share of patients with suicidal thoughts before treatment who report fewer since"
    ),
}


class Denominator(StrEnum):
    """Whom a published percentage is of; the same drug looks better on a smaller one."""

    STARTED_TREATMENT = "started treatment"
    OBSERVED = "patients with follow-up data (observed cases)"
    COMPLETERS = "completers only"
    REMITTERS = "remitters"


@dataclass(frozen=True, slots=True)
class PublishedFigure:
    key: str
    study: str
    measure: Measure
    rate: Decimal
    instrument: str
    denominator: Denominator
    n: int | None
    time_point: str
    source: str


PUBLISHED_FIGURES: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        "elekt_d_response",
        "ELEKT-D randomised trial, IV ketamine arm (Anand et al. 2023)",
        Measure.RESPONSE,
        Decimal("0.554"),
        "QIDS-SR16",
        Denominator.STARTED_TREATMENT,
        195,
        "end of the 3-week, 6-infusion phase",
        "outcomes_elekt_d_anand2023",
    ),
    PublishedFigure(
        "us_community_response",
        "178 US community practices (McInnes et al. 2022)",
        Measure.RESPONSE,
        Decimal("0.536"),
        "PHQ-9",
        Denominator.OBSERVED,
        537,
        "14-31 days after induction",
        "outcomes_community_mcinnes2022",
    ),
    PublishedFigure(
        "us_community_remission",
        "178 US community practices (McInnes et al. 2022)",
        Measure.REMISSION,
        Decimal("0.289"),
        "PHQ-9 (< 5)",
        Denominator.OBSERVED,
        537,
        "14-31 days after induction",
        "outcomes_community_mcinnes2022",
    ),
    PublishedFigure(
        "multisite_clinic_response",
        "Multisite private infusion clinic (Oliver et al. 2022)",
        Measure.RESPONSE,
        Decimal("0.50"),
        "PHQ-9",
        Denominator.OBSERVED,
        424,
        "within 6 weeks of the first infusion",
        "outcomes_community_oliver2022",
    ),
    PublishedFigure(
        "multisite_clinic_remission",
        "Multisite private infusion clinic (Oliver et al. 2022)",
        Measure.REMISSION,
        Decimal("0.20"),
        "PHQ-9",
        Denominator.OBSERVED,
        424,
        "within 6 weeks of the first infusion",
        "outcomes_community_oliver2022",
    ),
    PublishedFigure(
        "toronto_response",
        "Canadian Rapid Treatment Center of Excellence (McIntyre et al. 2020)",
        Measure.RESPONSE,
        Decimal("0.27"),
        "QIDS-SR16",
        Denominator.OBSERVED,
        190,
        "after four infusions",
        "outcomes_toronto_mcintyre2020",
    ),
    PublishedFigure(
        "toronto_remission",
        "Canadian Rapid Treatment Center of Excellence (McIntyre et al. 2020)",
        Measure.REMISSION,
        Decimal("0.13"),
        "QIDS-SR16 (≤ 5)",
        Denominator.OBSERVED,
        190,
        "after four infusions",
        "outcomes_toronto_mcintyre2020",
    ),
    PublishedFigure(
        "ketect_remission",
        "KetECT randomised trial, ketamine arm, inpatients (Ekstrand et al. 2022)",
        Measure.REMISSION,
        Decimal("0.46"),
        "MADRS (≤ 10)",
        Denominator.STARTED_TREATMENT,
        None,
        "end of up to 12 thrice-weekly infusions",
        "outcomes_ketect_ekstrand2022",
    ),
    PublishedFigure(
        "ketect_relapse",
        "KetECT randomised trial, ketamine remitters (Ekstrand et al. 2022)",
        Measure.RELAPSE_WITHIN_12_MONTHS,
        Decimal("0.70"),
        "MADRS",
        Denominator.REMITTERS,
        None,
        "12 months after the last infusion",
        "outcomes_ketect_ekstrand2022",
    ),
    PublishedFigure(
        "at_home_response",
        "At-home sublingual telehealth program (Hull et al. 2022)",
        Measure.RESPONSE,
        Decimal("0.628"),
        "PHQ-9",
        Denominator.COMPLETERS,
        1247,
        "after four weekly sessions",
        "outcomes_at_home_hull2022",
    ),
    PublishedFigure(
        "at_home_remission",
        "At-home sublingual telehealth program (Hull et al. 2022)",
        Measure.REMISSION,
        Decimal("0.326"),
        "PHQ-9 (< 5)",
        Denominator.COMPLETERS,
        1247,
        "after four weekly sessions",
        "outcomes_at_home_hull2022",
    ),
)


def published_figures(measure: Measure) -> tuple[PublishedFigure, ...]:
    """The published figures to show beside the clinic's own ``measure``."""
    return tuple(figure for figure in PUBLISHED_FIGURES if figure.measure is measure)


class ClaimDirection(StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


@dataclass(frozen=True, slots=True)
class BrochureClaim:
    """A promise as advertised, and the number it is tested as."""

    key: str
    text: str
    measure: Measure
    rate: Decimal
    direction: ClaimDirection
    interpretation: str


BROCHURE_CLAIMS: tuple[BrochureClaim, ...] = (
    BrochureClaim(
        "seventy_percent_success",
        "70% success",
        Measure.RESPONSE,
        Decimal("0.70"),
        ClaimDirection.AT_LEAST,
        "at least 70% of patients who start a course respond (≥ 50% fall from baseline) "
        "by the end of induction",
    ),
    BrochureClaim(
        "relief_within_hours",
        "Relief within hours",
        Measure.RAPID_RESPONSE,
        Decimal("0.50"),
        ClaimDirection.AT_LEAST,
        "most patients (at least half of those who start) respond within 24 hours of the "
        "first session",
    ),
    BrochureClaim(
        "lasting_relief",
        "Lasting relief after one induction series",
        Measure.RELAPSE_FREE_6_MONTHS,
        Decimal("0.50"),
        ClaimDirection.AT_LEAST,
        "most responders (at least half) have not relapsed 6 months after the induction ends",
    ),
    BrochureClaim(
        "few_side_effects",
        "Few side effects",
        Measure.ADVERSE_EVENT_SESSIONS,
        Decimal("0.10"),
        ClaimDirection.AT_MOST,
        "an adverse event in at most 1 session in 10",
    ),
    BrochureClaim(
        "fewer_suicidal_thoughts",
        "Fewer suicidal thoughts",
        Measure.IDEATION_REDUCED,
        Decimal("0.50"),
        ClaimDirection.AT_LEAST,
        "most patients (at least half) who report suicidal thoughts before the first dose "
        "(PHQ-9 item 9 above 0, or a C-SSRS screen above no risk) report less at their "
        "latest answer, on item 9 where it showed the thoughts, else on the C-SSRS (McInnes "
        "et al. 2022 followed item 9: 73% of those with ideation at baseline had less)",
    ),
)


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    INCONCLUSIVE = "inconclusive"
    NO_DATA = "no_data"


@dataclass(frozen=True, slots=True)
class ObservedRate:
    """The clinic's figure for a measure: estimate, interval, and whom it is of."""

    estimate: float | None
    lower: float
    upper: float
    basis: str
    confidence: float = DEFAULT_CONFIDENCE

    @classmethod
    def from_proportion(cls, proportion: Proportion, unit: str) -> ObservedRate:
        basis = f"{proportion.events} of {proportion.total} {unit}"
        if proportion.total == 0:
            basis = f"no {unit} in this group"
        return cls(
            proportion.estimate, proportion.lower, proportion.upper, basis, proportion.confidence
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of the units a claim is about had the measurement it needs.

    ``measured`` of ``eligible`` ``unit`` had ``needs``; ``among_measured`` is the rate
    among the measured alone, shown when coverage is too low to judge the claim.
    """

    measured: int
    eligible: int
    unit: str
    needs: str
    among_measured: Proportion | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.measured <= self.eligible:
            raise InvalidValue(
                "coverage", f"{self.measured} measured is not between 0 and {self.eligible}"
            )

    @property
    def fraction(self) -> float | None:
        return self.measured / self.eligible if self.eligible else None

    @property
    def sufficient(self) -> bool:
        """At least ``MIN_COVERAGE`` measured (exact: 8 of 10 is enough, 7 of 10 is not)."""
        return self.eligible > 0 and Decimal(self.measured) >= MIN_COVERAGE * self.eligible

    def describe(self) -> str:
        share = "" if self.fraction is None else f" ({_percent(self.fraction)})"
        return f"coverage: {self.measured} of {self.eligible} {self.unit}{share} had {self.needs}"


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    claim: BrochureClaim
    observed: ObservedRate
    verdict: Verdict
    message: str
    coverage: Coverage | None = None


def compare_claim(
    claim: BrochureClaim, observed: ObservedRate, coverage: Coverage | None = None
) -> ClaimVerdict:
    """Whether the clinic's interval supports, contradicts or cannot settle ``claim``.

    With ``coverage`` below ``MIN_COVERAGE`` the verdict is inconclusive whatever the
    interval says, and the message gives the rate among the measured.
    """
    if not 0 <= observed.lower <= observed.upper <= 1:
        raise InvalidValue(
            "observed", f"interval [{observed.lower}, {observed.upper}] is not within [0, 1]"
        )
    label = MEASURE_LABELS[claim.measure]
    target = float(claim.rate)
    claimed = f"the claimed {_percent(target)}"
    if observed.estimate is None:
        return ClaimVerdict(
            claim,
            observed,
            Verdict.NO_DATA,
            f"“{claim.text}”: no data yet ({observed.basis}), so the claim cannot be "
            "checked against the clinic's own patients.",
            coverage,
        )
    figure = (
        f"the clinic's {label} is {_percent(observed.estimate)} "
        f"({observed.confidence:.0%} CI {_percent(observed.lower)} to "
        f"{_percent(observed.upper)}; {observed.basis})"
    )
    covered = f" ({coverage.describe()})" if coverage is not None else ""
    if coverage is not None and not coverage.sufficient:
        among = coverage.among_measured
        measured = ""
        if among is not None and among.estimate is not None:
            measured = (
                f" Among the {among.total} measured: {among.events} "
                f"({_percent(among.estimate)}, {among.confidence:.0%} CI "
                f"{_percent(among.lower)} to {_percent(among.upper)})."
            )
        return ClaimVerdict(
            claim,
            observed,
            Verdict.INCONCLUSIVE,
            f"“{claim.text}” cannot be judged on these data: {coverage.describe()}, and a "
            f"verdict needs at least {_percent(float(MIN_COVERAGE))} (more than 20% missing "
            "is a serious threat to validity: Schulz & Grimes 2002). For the record, "
            f"{figure}, counting every unmeasured course as a failure.{measured}",
            coverage,
        )
    if claim.direction is ClaimDirection.AT_LEAST:
        supported = observed.lower >= target
        contradicted = observed.upper < target
        side, wrong_side = "at or above", "below"
    else:
        supported = observed.upper <= target
        contradicted = observed.lower > target
        side, wrong_side = "at or below", "above"
    if supported:
        verdict = Verdict.SUPPORTED
        message = (
            f"“{claim.text}” holds for this clinic: {figure}{covered}. The whole interval "
            f"is {side} {claimed}."
        )
    elif contradicted:
        verdict = Verdict.CONTRADICTED
        message = (
            f"“{claim.text}” does not hold for this clinic: {figure}{covered}. The whole "
            f"interval is {wrong_side} {claimed}. The clinic should not make this claim."
        )
    else:
        verdict = Verdict.INCONCLUSIVE
        message = (
            f"“{claim.text}” is not shown either way: {figure}{covered}. The interval "
            f"includes {claimed}, so the clinic's data can neither confirm nor rule it out; more "
            "patients with follow-up will narrow the interval."
        )
    return ClaimVerdict(claim, observed, verdict, message, coverage)


def compare_claims(
    summary: CohortSummary, claims: tuple[BrochureClaim, ...] = BROCHURE_CLAIMS
) -> tuple[ClaimVerdict, ...]:
    """Each claim against the cohort's intent-to-treat figure for its measure."""
    return tuple(
        compare_claim(
            claim, observed_for(summary, claim.measure), coverage_for(summary, claim.measure)
        )
        for claim in claims
    )


def coverage_for(summary: CohortSummary, measure: Measure) -> Coverage:
    """How many courses (or sessions) had what ``measure`` needs."""
    courses = "courses no longer in progress"
    if measure in (Measure.RESPONSE, Measure.REMISSION):
        return Coverage(
            summary.response_measured,
            summary.intent_to_treat,
            courses,
            "a baseline and an end-of-induction score on the primary instrument",
        )
    if measure is Measure.RAPID_RESPONSE:
        return Coverage(
            summary.rapid_measured,
            summary.intent_to_treat,
            courses,
            "a baseline and a primary-instrument score within 24 h of the first dose",
            summary.rapid_among_measured,
        )
    if measure is Measure.ADVERSE_EVENT_SESSIONS:
        return Coverage(
            summary.sessions, summary.sessions, "sessions attended", "their adverse events charted"
        )
    if measure is Measure.IDEATION_REDUCED:
        return Coverage(
            summary.ideation_followed,
            summary.ideation_at_baseline,
            "courses with suicidal thoughts at baseline",
            "a PHQ-9 item 9 answer or a C-SSRS screen after the first dose "
            f"({summary.ideation_on_phq9} judged on item 9, {summary.ideation_on_cssrs} on "
            "the C-SSRS)",
        )
    return Coverage(
        summary.relapse_at_risk,
        summary.relapse_eligible,
        "responders at the end of induction",
        "a score after the induction",
    )


def observed_for(summary: CohortSummary, measure: Measure) -> ObservedRate:
    """The clinic's figure for ``measure``: intent to treat where there is a choice.

    A durability figure needs at least ``MIN_AT_RISK`` courses still followed at the time
    point (or, where the curve reached 0 before it, at least that many at risk when it did);
    otherwise the tail of the Kaplan–Meier curve rests on a handful of patients — one last
    relapse takes it to 0 with a (0, 0) band — and the figure has no estimate. Curtailing the
    curve where few remain at risk is the practice Pocock, Clayton and Altman recommend
    (``outcomes_pocock2002``).
    """
    started = "courses no longer in progress"
    if measure is Measure.RESPONSE:
        return ObservedRate.from_proportion(summary.response.intent_to_treat, started)
    if measure is Measure.REMISSION:
        return ObservedRate.from_proportion(summary.remission.intent_to_treat, started)
    if measure is Measure.RAPID_RESPONSE:
        return ObservedRate.from_proportion(summary.rapid_response.intent_to_treat, started)
    if measure is Measure.ADVERSE_EVENT_SESSIONS:
        return ObservedRate.from_proportion(summary.adverse_events, "sessions")
    if measure is Measure.IDEATION_REDUCED:
        return ObservedRate.from_proportion(
            summary.ideation_reduced, "courses with suicidal thoughts at baseline"
        )
    days = SIX_MONTHS_DAYS if measure is Measure.RELAPSE_FREE_6_MONTHS else TWELVE_MONTHS_DAYS
    curve = summary.durability
    step = curve.at(days)
    basis = (
        f"Kaplan–Meier estimate at {days:g} days from {summary.relapse_at_risk} courses "
        "followed for relapse after induction"
    )
    followed = _at_risk_behind(curve, days)
    if followed == 0:
        return ObservedRate(None, 0.0, 1.0, f"{basis}; none followed that long yet")
    if followed < MIN_AT_RISK:
        return ObservedRate(
            None,
            0.0,
            1.0,
            f"{basis}; only {followed} still followed at {days:g} days, "
            f"fewer than the {MIN_AT_RISK} an estimate needs",
        )
    if measure is Measure.RELAPSE_FREE_6_MONTHS:
        return ObservedRate(step.survival, step.lower, step.upper, basis, curve.confidence)
    return ObservedRate(1 - step.survival, 1 - step.upper, 1 - step.lower, basis, curve.confidence)


def _at_risk_behind(curve: KaplanMeierCurve, days: float) -> int:
    """How many courses the estimate at ``days`` rests on.

    Courses followed to ``days`` or beyond, or, where the curve fell to 0 on or before
    ``days``, those at risk at the step that took it there.
    """
    for step in curve.steps:
        if step.survival <= 0:
            return step.at_risk
        if step.time >= days:
            return step.at_risk
    return 0


MIN_AT_RISK = 10
SIX_MONTHS_DAYS = 182.0
TWELVE_MONTHS_DAYS = 365.0


def _percent(value: float) -> str:
    return f"{value * 100:.1f}%"

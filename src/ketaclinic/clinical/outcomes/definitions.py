"""What counts as response, remission, relapse and the other course outcomes.

Two kinds of definitions live here, kept apart on purpose:

* ``OutcomeDefinition`` is *per instrument* (PHQ-9, QIDS-SR16, MADRS ...) and is supplied by
  the caller, who takes it from the scale's own module and source (``clinical.scales`` owns
  the instruments; this package does not import it). It says where remission lies on that
  instrument, what fraction of the baseline total must go for a response, and, optionally,
  the total that marks relapse after remission.
* ``OutcomeParameters`` holds the *clinic-configurable* rules that do not depend on the
  instrument (the baseline window, the rapid-response window, the completion count ...),
  each default with the source it comes from.

Response, remission and relapse are change points on a rating scale in the sense of the
MacArthur task force (Frank et al. 1991, ``outcomes_definitions_frank1991``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from ketaclinic.clinical.exceptions import ConfigurationError

__all__ = ["OutcomeDefinition", "OutcomeParameters", "RelapseRule"]


class RelapseRule(StrEnum):
    """How a relapse after the induction is recognised.

    ``LOSS_OF_RESPONSE``: a responder's score climbs back so that the fall from baseline is
    less than the response fraction (McInnes et al. 2022 plot durability as the probability
    of *sustaining response*; ``outcomes_community_mcinnes2022``).
    ``SCORE_AT_OR_ABOVE``: a remitter's score reaches the instrument's
    ``relapse_min_total`` (e.g. PHQ-9 ≥ 10, the instrument's cut-off for major depression),
    the remission-based relapse of Frank et al. 1991 and KetECT's follow-up of remitters.
    """

    LOSS_OF_RESPONSE = "loss_of_response"
    SCORE_AT_OR_ABOVE = "score_at_or_above"


@dataclass(frozen=True, slots=True)
class OutcomeDefinition:
    """Response, remission and relapse thresholds for one instrument, given by the caller.

    ``remission_max_total`` with ``remission_inclusive`` says where remission lies: PHQ-9
    "< 5" is ``(5, False)``, QIDS-SR16 "≤ 5" is ``(5, True)``, MADRS "≤ 10" is ``(10, True)``;
    ``None`` where the instrument has no published remission (the PEG): never judged.
    A response is a fall of at least ``response_fraction`` of the baseline total (ELEKT-D's
    ≥ 50%, ``outcomes_elekt_d_anand2023``); exactly half counts. Instruments whose response
    is a fall in points (PCL-5: 10 points) set ``response_points`` instead, which then
    overrides the fraction. ``source`` is the key the instrument's thresholds come from,
    stored with every flag. The scales package's own definition maps onto this one field by
    field (see docs/outcomes.md); this package does not import it.
    """

    instrument: str
    remission_max_total: int | None
    remission_inclusive: bool = True
    response_fraction: Decimal = Decimal("0.5")
    relapse_min_total: int | None = None
    max_total: int | None = None
    source: str = ""
    response_points: int | None = None

    def __post_init__(self) -> None:
        if not self.instrument:
            raise ConfigurationError("instrument must name the instrument")
        if isinstance(self.response_fraction, float) or not isinstance(
            self.response_fraction, Decimal
        ):
            raise ConfigurationError(
                f"{self.instrument}: response_fraction must be a Decimal built from a string"
            )
        if not Decimal(0) < self.response_fraction <= Decimal(1):
            raise ConfigurationError(
                f"{self.instrument}: response_fraction must be in (0, 1], "
                f"got {self.response_fraction}"
            )
        if self.remission_max_total is not None and self.remission_max_total < 0:
            raise ConfigurationError(f"{self.instrument}: remission_max_total must be 0 or more")
        if self.response_points is not None and self.response_points < 1:
            raise ConfigurationError(f"{self.instrument}: response_points must be at least 1")
        if self.relapse_min_total is not None and self.relapse_min_total < 0:
            raise ConfigurationError(f"{self.instrument}: relapse_min_total must be 0 or more")
        if (
            self.max_total is not None
            and self.remission_max_total is not None
            and self.max_total < self.remission_max_total
        ):
            raise ConfigurationError(
                f"{self.instrument}: max_total is below the remission threshold"
            )

    def response_threshold(self, baseline_total: int) -> Decimal:
        """The highest total that still counts as a response from ``baseline_total``."""
        if self.response_points is not None:
            return Decimal(baseline_total - self.response_points)
        return baseline_total * (Decimal(1) - self.response_fraction)

    def can_respond(self, baseline_total: int) -> bool:
        """A percentage fall needs a baseline above 0; a fall in points does not."""
        return self.response_points is not None or baseline_total > 0

    def responds(self, baseline_total: int, total: int) -> bool:
        """At least the required fall from baseline (exactly 50% or exactly N points counts)."""
        return self.can_respond(baseline_total) and total <= self.response_threshold(baseline_total)

    def remits(self, total: int) -> bool:
        if self.remission_max_total is None:
            return False
        if self.remission_inclusive:
            return total <= self.remission_max_total
        return total < self.remission_max_total

    def remission_rule(self) -> str:
        if self.remission_max_total is None:
            return f"{self.instrument} has no published remission"
        sign = "≤" if self.remission_inclusive else "<"
        return f"{self.instrument} total {sign} {self.remission_max_total}"

    def response_rule(self, baseline_total: int) -> str:
        if self.response_points is not None:
            return (
                f"{self.instrument} total ≤ {self.response_threshold(baseline_total)} "
                f"(a fall of ≥ {self.response_points} points from baseline {baseline_total})"
            )
        percent = (self.response_fraction * 100).normalize()
        return (
            f"{self.instrument} total ≤ {self.response_threshold(baseline_total).normalize():f} "
            f"(a fall of ≥ {percent:f}% from baseline {baseline_total})"
        )


@dataclass(frozen=True, slots=True)
class OutcomeParameters:
    """The clinic-configurable outcome rules, each default with its source.

    * ``baseline_window`` 30 days: the baseline is the last score before the first dose, no
      older than this (McInnes et al. 2022 required a baseline PHQ-9 within one month before
      induction; ``outcomes_community_mcinnes2022``).
    * ``primary_window`` 7 days: the end-of-induction score is the last one taken after the
      first dose and at most this long after the induction's last session (ELEKT-D measured
      response at the end of the induction phase, ``outcomes_elekt_d_anand2023``; a week lets
      a questionnaire filled in at home after the last session count).
    * ``rapid_window`` 24 hours after the first dose, inclusive (ketamine's rapid effect is
      measured as response at 24 h; Newport et al. 2015, ``outcomes_rapid_newport2015``).
    * ``sustained_after`` 4 weeks after the induction ends (McInnes et al. 2022 report ~80%
      of responders still responding at 4 weeks; ``outcomes_community_mcinnes2022``).
    * ``relapse_rule`` loss of response (``outcomes_community_mcinnes2022``); the
      remission-based rule is the alternative (``outcomes_definitions_frank1991``).
    * ``worsening_min_increase`` 1 point: any rise above baseline counts as worsening, as in
      McInnes et al. 2022's "increase in depressive symptoms" (8.4% of their cohort).
    * ``completion_sessions`` 6: the induction series is complete after six sessions unless
      the plan says otherwise (ELEKT-D's six infusions in three weeks,
      ``outcomes_elekt_d_anand2023``).
    * ``ideation_instrument``/``ideation_item``: PHQ-9 item 9 is the suicidal-ideation item
      McInnes et al. 2022 followed (``outcomes_community_mcinnes2022``).
    * ``lost_after`` 28 days: a course whose induction has not ended and that has had no
      dose for this long is *lost* (a drop-out nobody closed). A project rule: four weeks is
      more than twice the longest gap of any induction schedule in ``clinical.protocols``
      (weekly at home), so a patient still attending is never called lost.
    """

    baseline_window: timedelta = timedelta(days=30)
    primary_window: timedelta = timedelta(days=7)
    rapid_window: timedelta = timedelta(hours=24)
    sustained_after: timedelta = timedelta(weeks=4)
    relapse_rule: RelapseRule = RelapseRule.LOSS_OF_RESPONSE
    worsening_min_increase: int = 1
    completion_sessions: int = 6
    ideation_instrument: str = "phq9"
    ideation_item: str = "item9"
    lost_after: timedelta = timedelta(days=28)

    def __post_init__(self) -> None:
        for name in (
            "baseline_window",
            "primary_window",
            "rapid_window",
            "sustained_after",
            "lost_after",
        ):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value < timedelta(0):
                raise ConfigurationError(f"{name} must be a non-negative timedelta")
        if not isinstance(self.relapse_rule, RelapseRule):
            raise ConfigurationError(f"relapse_rule must be a RelapseRule, got {self.relapse_rule}")
        if self.worsening_min_increase < 1:
            raise ConfigurationError("worsening_min_increase must be at least 1 point")
        if self.completion_sessions < 1:
            raise ConfigurationError("completion_sessions must be at least 1")

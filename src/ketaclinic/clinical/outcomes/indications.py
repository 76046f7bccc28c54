"""What a course treats, and the instrument its outcomes are judged on.

A PTSD course judged on PHQ-9, or a chronic-pain course judged on depression, says nothing
about what the patient came for. Each indication names the instruments that measure it, in
order of preference; a course is judged on the first of them it has a baseline for, or on
the first of them if it has none (it is then not evaluable, which is honest).

* Depression (treatment-resistant, with suicidal ideation, bipolar): PHQ-9, MADRS,
  QIDS-SR16 — the instruments of the community cohort (``outcomes_community_mcinnes2022``),
  KetECT (``outcomes_ketect_ekstrand2022``) and ELEKT-D (``outcomes_elekt_d_anand2023``).
* PTSD: PCL-5 (``pcl5_weathers_2013``). Anxiety: GAD-7 (``gad7_spitzer_2006``).
* Chronic pain: the PEG (``peg_krebs_2009``).
* OCD, substance use disorder, other: Ketaclinic has no validated instrument for the
  disorder itself (no Y-BOCS, no craving scale), so these courses are judged on depressive
  symptoms, and the page says so (``MEASURES_THE_CONDITION`` is False for them).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from ketaclinic.clinical.exceptions import UnknownCode

__all__ = [
    "INDICATION_INSTRUMENTS",
    "MEASURES_THE_CONDITION",
    "Indication",
    "primary_instrument_for",
]


class Indication(StrEnum):
    """The coded reasons a course is given."""

    TRD = "trd"
    MDD_SUICIDAL_IDEATION = "mdd_suicidal_ideation"
    PTSD = "ptsd"
    ANXIETY = "anxiety"
    OCD = "ocd"
    BIPOLAR_DEPRESSION = "bipolar_depression"
    CHRONIC_PAIN = "chronic_pain"
    SUBSTANCE_USE_DISORDER = "substance_use_disorder"
    OTHER = "other"


_DEPRESSION: tuple[str, ...] = ("phq9", "madrs", "qids_sr16")

INDICATION_INSTRUMENTS: dict[Indication, tuple[str, ...]] = {
    Indication.TRD: _DEPRESSION,
    Indication.MDD_SUICIDAL_IDEATION: _DEPRESSION,
    Indication.BIPOLAR_DEPRESSION: _DEPRESSION,
    Indication.PTSD: ("pcl5",),
    Indication.ANXIETY: ("gad7",),
    Indication.CHRONIC_PAIN: ("peg",),
    Indication.OCD: _DEPRESSION,
    Indication.SUBSTANCE_USE_DISORDER: _DEPRESSION,
    Indication.OTHER: _DEPRESSION,
}

MEASURES_THE_CONDITION: dict[Indication, bool] = {
    indication: indication
    not in (Indication.OCD, Indication.SUBSTANCE_USE_DISORDER, Indication.OTHER)
    for indication in Indication
}


def primary_instrument_for(indication: str, with_baseline: Collection[str] = ()) -> str:
    """The instrument a course of ``indication`` is judged on.

    ``with_baseline`` names the instruments the course has a baseline score on; the first of
    the indication's instruments among them wins, else the indication's first. An empty
    indication (a course planned before indications were recorded) is judged as depression,
    as every course was then.
    """
    if indication == "":
        choices = _DEPRESSION
    else:
        try:
            choices = INDICATION_INSTRUMENTS[Indication(indication)]
        except ValueError:
            raise UnknownCode("indication", f"unknown indication {indication!r}") from None
    return next((name for name in choices if name in with_baseline), choices[0])

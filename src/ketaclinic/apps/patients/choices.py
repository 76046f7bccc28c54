from django.db import models


class SexAtBirth(models.TextChoices):
    """Recorded because dosing (ideal body weight) and some rules depend on it."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"


class ConditionCode(models.TextChoices):
    """The conditions ketamine clinics treat, with ICD-10-CM codes in ``ICD10CM`` below."""

    TREATMENT_RESISTANT_DEPRESSION = "trd", "Treatment-resistant depression"
    MAJOR_DEPRESSION = "mdd", "Major depressive disorder"
    GENERALISED_ANXIETY = "gad", "Generalised anxiety disorder"
    PTSD = "ptsd", "Post-traumatic stress disorder"
    OCD = "ocd", "Obsessive-compulsive disorder"
    BIPOLAR_DEPRESSION = "bipolar_depression", "Bipolar disorder, current episode depressed"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    NEUROPATHIC_PAIN = "neuropathic_pain", "Neuropathic pain"
    CRPS = "crps", "Complex regional pain syndrome"
    MIGRAINE = "migraine", "Chronic migraine"
    ALCOHOL_USE_DISORDER = "alcohol_use_disorder", "Alcohol use disorder"


class ConditionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    IN_REMISSION = "in_remission", "In remission"
    RESOLVED = "resolved", "Resolved"


# ICD-10-CM codes (CDC/NCHS ICD-10-CM, FY2025). "Treatment-resistant" has no code of its own:
# it is recorded as recurrent major depression, severe, without psychotic features (F33.2).
ICD10CM: dict[str, tuple[str, str]] = {
    ConditionCode.TREATMENT_RESISTANT_DEPRESSION: (
        "F33.2",
        "Major depressive disorder, recurrent severe without psychotic features",
    ),
    ConditionCode.MAJOR_DEPRESSION: (
        "F32.2",
        "Major depressive disorder, single episode, severe without psychotic features",
    ),
    ConditionCode.GENERALISED_ANXIETY: ("F41.1", "Generalized anxiety disorder"),
    ConditionCode.PTSD: ("F43.12", "Post-traumatic stress disorder, chronic"),
    ConditionCode.OCD: ("F42.2", "Mixed obsessional thoughts and acts"),
    ConditionCode.BIPOLAR_DEPRESSION: (
        "F31.4",
        "Bipolar disorder, current episode depressed, severe, without psychotic features",
    ),
    ConditionCode.FIBROMYALGIA: ("M79.7", "Fibromyalgia"),
    ConditionCode.NEUROPATHIC_PAIN: ("M79.2", "Neuralgia and neuritis, unspecified"),
    ConditionCode.CRPS: ("G90.50", "Complex regional pain syndrome I, unspecified"),
    ConditionCode.MIGRAINE: (
        "G43.709",
        "Chronic migraine without aura, not intractable, without status migrainosus",
    ),
    ConditionCode.ALCOHOL_USE_DISORDER: ("F10.20", "Alcohol dependence, uncomplicated"),
}


class MeasurementSource(models.TextChoices):
    """Where a weight was taken: the chart's form, or the screening's answers."""

    CHART = "chart", "Patient chart"
    SCREENING = "screening", "Screening"


class TrialResponse(models.TextChoices):
    """How a previous antidepressant trial went: what a payer asks to call a depression
    treatment-resistant (an adequate dose for an adequate time, without response)."""

    NO_RESPONSE = "no_response", "No response"
    PARTIAL = "partial", "Partial response"
    RESPONSE_THEN_RELAPSE = "relapse", "Responded, then relapsed"
    NOT_TOLERATED = "not_tolerated", "Stopped: not tolerated"
    RESPONSE = "response", "Response"

from django.db import models


class Route(models.TextChoices):
    """Codes match ``ketaclinic.clinical.routes.Route``."""

    IV = "iv", "IV infusion (racemic ketamine)"
    IM = "im", "IM injection (racemic ketamine)"
    ESKETAMINE = "esketamine", "Esketamine nasal spray"
    SUBLINGUAL = "sublingual", "Sublingual troche (racemic ketamine)"
    ORAL = "oral", "Oral (racemic ketamine)"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped early"


class CoursePhase(models.TextChoices):
    INDUCTION = "induction", "Induction"
    MAINTENANCE = "maintenance", "Maintenance"
    CONTINUATION = "continuation", "Continuation"


class SessionKind(models.TextChoices):
    DOSING = "dosing", "Dosing session"
    PREPARATION = "preparation", "Preparation (psychotherapy)"
    INTEGRATION = "integration", "Integration (psychotherapy)"
    REVIEW = "review", "Prescriber review"


class SessionStatus(models.TextChoices):
    """A session's life: planned → checked in → dosing → observing → discharged.

    Cancelled and no-show end a planned or checked-in session. Every change is a recorded
    ``SessionEvent``, never a silent edit.
    """

    PLANNED = "planned", "Planned"
    CHECKED_IN = "checked_in", "Checked in"
    DOSING = "dosing", "Dosing"
    OBSERVING = "observing", "Observing"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


SESSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SessionStatus.PLANNED: (
        SessionStatus.CHECKED_IN,
        SessionStatus.CANCELLED,
        SessionStatus.NO_SHOW,
    ),
    SessionStatus.CHECKED_IN: (SessionStatus.DOSING, SessionStatus.CANCELLED),
    SessionStatus.DOSING: (SessionStatus.OBSERVING,),
    SessionStatus.OBSERVING: (SessionStatus.DISCHARGED,),
    SessionStatus.DISCHARGED: (),
    SessionStatus.CANCELLED: (),
    SessionStatus.NO_SHOW: (),
}


class SessionConflictKind(models.TextChoices):
    """Why a planned session cannot sit where it was put (``treatment.conflicts``)."""

    PATIENT_SAME_DAY = "patient_same_day", "Another dosing session of the patient that day"
    PATIENT_OVERLAP = "patient_overlap", "The patient is in another session then"
    NO_CHAIR = "no_chair", "No chair is free then"


class Setting(models.TextChoices):
    """Codes match ``ketaclinic.clinical`` ``Setting``: dosed in the clinic, or at home."""

    CLINIC = "clinic", "In the clinic"
    HOME = "home", "At home"


class ScreeningSex(models.TextChoices):
    """Sex as the screening rules need it (codes of the core's ``Sex``)."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"


class ScreeningDecision(models.TextChoices):
    """The rules' decision (``clinical.eligibility.Decision``); a prescriber still decides."""

    ELIGIBLE = "eligible", "Eligible"
    REVIEW = "review", "Needs a prescriber's review"
    INELIGIBLE = "ineligible", "Ineligible"


class FindingLevel(models.TextChoices):
    """``clinical.eligibility.Level``: contraindicated blocks, review needs a reason."""

    CONTRAINDICATED = "contraindicated", "Contraindicated"
    REVIEW = "review", "Review"
    CAUTION = "caution", "Caution"


class SignoffDecision(models.TextChoices):
    PROCEED = "proceed", "Proceed with treatment"
    DO_NOT_PROCEED = "do_not_proceed", "Do not proceed"


class ScreeningCondition(models.TextChoices):
    """Labels for the core's condition vocabulary (``clinical.eligibility.Condition``).

    A test checks that the codes here are exactly the core's, so a new core code cannot be
    missing from the form.
    """

    PSYCHOSIS_CURRENT = "psychosis_current", "Current psychosis"
    PSYCHOSIS_HISTORY = "psychosis_history", "History of psychosis"
    MANIA_CURRENT = "mania_current", "Current mania or hypomania"
    SUBSTANCE_USE_DISORDER_ACTIVE = "substance_use_disorder_active", "Active substance use disorder"
    SUBSTANCE_USE_DISORDER_HISTORY = (
        "substance_use_disorder_history",
        "Past substance use disorder",
    )
    KETAMINE_MISUSE_HISTORY = "ketamine_misuse_history", "Ketamine or PCP misuse (ever)"
    ANEURYSMAL_VASCULAR_DISEASE = (
        "aneurysmal_vascular_disease",
        "Aneurysmal vascular disease (brain, chest, abdominal aorta, limbs)",
    )
    ARTERIOVENOUS_MALFORMATION = "arteriovenous_malformation", "Arteriovenous malformation"
    INTRACEREBRAL_HEMORRHAGE_HISTORY = (
        "intracerebral_hemorrhage_history",
        "History of intracerebral haemorrhage",
    )
    KETAMINE_HYPERSENSITIVITY = (
        "ketamine_hypersensitivity",
        "Hypersensitivity to ketamine or esketamine",
    )
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure", "Raised intracranial pressure"
    RAISED_INTRAOCULAR_PRESSURE = (
        "raised_intraocular_pressure",
        "Raised intraocular pressure (glaucoma)",
    )
    UNSTABLE_CARDIOVASCULAR_DISEASE = (
        "unstable_cardiovascular_disease",
        "Unstable cardiovascular disease",
    )
    SEVERE_HEPATIC_IMPAIRMENT = "severe_hepatic_impairment", "Severe hepatic impairment"
    UNTREATED_HYPERTHYROIDISM = "untreated_hyperthyroidism", "Untreated hyperthyroidism"
    INTERSTITIAL_CYSTITIS = "interstitial_cystitis", "Interstitial cystitis"
    KETAMINE_UROPATHY = "ketamine_uropathy", "Ketamine uropathy"
    HIGH_ACUTE_SUICIDE_RISK = (
        "high_acute_suicide_risk",
        "High acute suicide risk (needs a higher level of care)",
    )
    PRIOR_KETAMINE_NONRESPONSE = "prior_ketamine_nonresponse", "No response to ketamine before"
    RECENT_MYOCARDIAL_INFARCTION = (
        "recent_myocardial_infarction",
        "Myocardial infarction in the last 6 months",
    )


class Indication(models.TextChoices):
    """Why the course is given (``clinical.outcomes.Indication``): it decides the instrument
    the course's outcomes are judged on (PCL-5 for PTSD, the PEG for chronic pain ...)."""

    TRD = "trd", "Treatment-resistant depression"
    MDD_SUICIDAL_IDEATION = "mdd_suicidal_ideation", "Major depression with suicidal ideation"
    PTSD = "ptsd", "Post-traumatic stress disorder"
    ANXIETY = "anxiety", "Anxiety disorder"
    OCD = "ocd", "Obsessive-compulsive disorder"
    BIPOLAR_DEPRESSION = "bipolar_depression", "Bipolar depression"
    CHRONIC_PAIN = "chronic_pain", "Chronic pain"
    SUBSTANCE_USE_DISORDER = "substance_use_disorder", "Substance use disorder"
    OTHER = "other", "Other"


# A patient's primary condition (patients.ConditionCode) suggests the course's indication;
# the prescriber confirms it. Plain major depression suggests none: with or without suicidal
# ideation is the prescriber's call.
INDICATION_OF_CONDITION: dict[str, str] = {
    "trd": Indication.TRD,
    "gad": Indication.ANXIETY,
    "ptsd": Indication.PTSD,
    "ocd": Indication.OCD,
    "bipolar_depression": Indication.BIPOLAR_DEPRESSION,
    "fibromyalgia": Indication.CHRONIC_PAIN,
    "neuropathic_pain": Indication.CHRONIC_PAIN,
    "crps": Indication.CHRONIC_PAIN,
    "migraine": Indication.CHRONIC_PAIN,
    "alcohol_use_disorder": Indication.SUBSTANCE_USE_DISORDER,
}


#: Statuses that no longer hold a chair: the time is free again.
RELEASED_STATUSES: tuple[str, ...] = (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)

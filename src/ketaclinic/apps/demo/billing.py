"""Billing in the demo clinic: each site's profile and fee schedule, the prescribers' NPIs,
previous antidepressant trials for the depression courses, and payers' authorizations.

Every fourth esketamine or IV course has no authorization: its patient pays themselves and
gets a superbill. Of the rest, one authorization ends in six days and one has a single
session left, so the director's page and the alerts have something to show; the others
cover their course comfortably. Everything is written in batches (a fixed number of
statements, whatever the number of patients).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count

from ketaclinic.apps.billing.authorizations import check_authorizations, with_session_counts
from ketaclinic.apps.billing.choices import AuthorizationStatus, PayerKind
from ketaclinic.apps.billing.models import BillingProfile, FeeScheduleEntry, PriorAuthorization
from ketaclinic.apps.patients.choices import TrialResponse
from ketaclinic.apps.patients.models import AntidepressantTrial
from ketaclinic.apps.treatment.choices import CourseStatus, Indication, SessionKind
from ketaclinic.apps.treatment.models import Course, Session

# Illustrative self-pay fees in US dollars per unit (J0013 per mg); a clinic sets its own.
DEMO_FEES = (
    ("G2082", "Esketamine visit up to 56 mg (Medicare)", "900.00"),
    ("G2083", "Esketamine visit over 56 mg (Medicare)", "1290.00"),
    ("J0013", "Esketamine nasal spray, per 1 mg", "15.00"),
    ("99213", "Office visit, established patient", "110.00"),
    ("96365", "IV infusion, first hour", "180.00"),
    ("96366", "IV infusion, each additional hour", "60.00"),
    ("96374", "IV push", "90.00"),
    ("96372", "IM injection", "40.00"),
    ("J3490", "Ketamine (unclassified drug)", "95.00"),
    ("90832", "Psychotherapy 30 min", "90.00"),
    ("90834", "Psychotherapy 45 min", "130.00"),
    ("90837", "Psychotherapy 60 min", "170.00"),
)
# Valid check digits (clinical.npi): the first worked out in CMS's own example.
DEMO_NPIS = {"prescriber": "1234567893", "director": "1679576722", "therapist": "1457300113"}
SITE_NPIS = {"riverside": "1992999999", "lakeview": "1003000126"}
PAYERS = (
    ("Aetna", PayerKind.COMMERCIAL),
    ("Blue Cross Blue Shield", PayerKind.COMMERCIAL),
    ("UnitedHealthcare", PayerKind.COMMERCIAL),
    ("Medicare Part B", PayerKind.MEDICARE),
    ("NY Medicaid", PayerKind.MEDICAID),
)
TRIALS = (
    ("Sertraline", "200", 12, TrialResponse.NO_RESPONSE),
    ("Escitalopram", "20", 10, TrialResponse.PARTIAL),
    ("Venlafaxine XR", "225", 8, TrialResponse.NO_RESPONSE),
    ("Bupropion XL", "300", 6, TrialResponse.NOT_TOLERATED),
    ("Duloxetine", "60", 12, TrialResponse.RESPONSE_THEN_RELAPSE),
    ("Mirtazapine", "45", 8, TrialResponse.PARTIAL),
)
DEPRESSION = (Indication.TRD, Indication.MDD_SUICIDAL_IDEATION, Indication.BIPOLAR_DEPRESSION)


def create_billing(sites: list, users: dict, rng: random.Random, now: dt.datetime) -> int:
    """Profiles, fees, NPIs, trials and authorizations; returns how many authorizations."""
    BillingProfile.objects.bulk_create(
        BillingProfile(
            site=site,
            billing_name=f"{site.name} PC",
            npi=SITE_NPIS.get(site.slug, ""),
            tax_id=f"12-34567{index:02d}",
        )
        for index, site in enumerate(sites)
    )
    FeeScheduleEntry.objects.bulk_create(
        FeeScheduleEntry(site=site, code=code, description=text, fee_per_unit=Decimal(fee))
        for site in sites
        for code, text, fee in DEMO_FEES
    )
    for username, npi in DEMO_NPIS.items():
        if username in users:
            users[username].npi = npi
    type(next(iter(users.values()))).objects.bulk_update(
        [users[u] for u in DEMO_NPIS if u in users], ["npi"]
    )
    courses = list(
        Course.objects.filter(
            route__in=("esketamine", "iv"),
            status__in=(CourseStatus.ACTIVE, CourseStatus.PLANNED, CourseStatus.PAUSED),
        )
        .select_related("site")
        .order_by("id")
    )
    trials = []
    for course in courses:
        if course.indication not in DEPRESSION:
            continue
        for drug, dose, weeks, response in rng.sample(TRIALS, rng.randint(2, 4)):
            trials.append(
                AntidepressantTrial(
                    patient_id=course.patient_id,
                    drug=drug,
                    daily_dose_mg=Decimal(dose),
                    duration_weeks=weeks,
                    response=response,
                    started_on=course.starts_on - dt.timedelta(days=rng.randint(200, 1500)),
                    recorded_by=users.get("prescriber") or next(iter(users.values())),
                    recorded_at=now,
                )
            )
    AntidepressantTrial.objects.bulk_create(trials)
    insured = [course for index, course in enumerate(courses) if index % 4 != 3]
    clerk = users.get("frontdesk") or next(iter(users.values()))
    authorizations = []
    for index, course in enumerate(insured):
        payer, kind = PAYERS[index % len(PAYERS)]
        authorizations.append(
            PriorAuthorization(
                course=course,
                payer_name=payer,
                payer_kind=kind,
                member_number=f"M{rng.randint(10_000_000, 99_999_999)}",
                authorization_number=f"PA-{26000 + index}",
                authorised_sessions=12,
                starts_on=course.starts_on,
                ends_on=course.starts_on + dt.timedelta(days=180),
                status=AuthorizationStatus.APPROVED,
                created_by=clerk,
                created_at=now,
                updated_at=now,
            )
        )
    PriorAuthorization.objects.bulk_create(authorizations)
    _set_scenes(now)
    check_authorizations(now)
    return len(authorizations)


def _set_scenes(now: dt.datetime) -> None:
    """Every authorization covers its course's dosing sessions with four to spare, except one
    that ends in six days and one with a single session left (one annotated query)."""
    counted = list(
        with_session_counts(
            PriorAuthorization.objects.select_related("course__site").order_by("id")
        )
    )
    totals = _dosing_totals([a.course_id for a in counted])
    lapsing = next((a for a in counted if a.sessions_used >= 1), None)
    near = next((a for a in counted if a.sessions_used >= 2 and a is not lapsing), None)
    for authorization in counted:
        authorization.authorised_sessions = max(1, totals.get(authorization.course_id, 0) + 4)
        today = now.astimezone(ZoneInfo(authorization.course.site.timezone)).date()
        if authorization is lapsing:
            authorization.ends_on = max(authorization.starts_on, today + dt.timedelta(days=6))
        elif authorization is near:
            authorization.authorised_sessions = authorization.sessions_used + 1
        else:
            authorization.ends_on = max(authorization.ends_on, today + dt.timedelta(days=90))
    PriorAuthorization.objects.bulk_update(counted, ["authorised_sessions", "ends_on"])


def _dosing_totals(course_ids: list[int]) -> dict[int, int]:
    return dict(
        Session.objects.filter(course_id__in=course_ids, kind=SessionKind.DOSING)
        .values("course_id")
        .annotate(total=Count("id"))
        .values_list("course_id", "total")
    )

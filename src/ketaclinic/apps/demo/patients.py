"""Demo patients: believable ages, weights, heights and conditions, inserted in bulk."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.patients.choices import ConditionCode, ConditionStatus, SexAtBirth
from ketaclinic.apps.patients.models import Condition, Measurement, Patient
from ketaclinic.apps.web.bulk_write import insert_objects

GIVEN_FEMALE = (
    "Ana",
    "Beatriz",
    "Chloe",
    "Dana",
    "Elena",
    "Fatima",
    "Grace",
    "Hana",
    "Isabel",
    "Jasmine",
    "Keiko",
    "Laura",
    "Maria",
    "Nadia",
    "Olivia",
    "Priya",
    "Rosa",
    "Sara",
    "Tamara",
    "Uma",
    "Vera",
    "Yara",
    "Zoe",
    "Amara",
    "Leah",
    "Mei",
    "Noor",
    "Ingrid",
)
GIVEN_MALE = (
    "Aaron",
    "Ben",
    "Carlos",
    "David",
    "Elijah",
    "Felix",
    "Gabriel",
    "Hassan",
    "Ivan",
    "James",
    "Kofi",
    "Liam",
    "Marco",
    "Nikhil",
    "Omar",
    "Pedro",
    "Rafael",
    "Samuel",
    "Theo",
    "Victor",
    "Wei",
    "Yusuf",
    "Andre",
    "Jonah",
    "Mateo",
    "Ravi",
    "Sean",
    "Lars",
)
FAMILY = (
    "Adams",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kim",
    "Lopez",
    "Martin",
    "Nguyen",
    "Okafor",
    "Patel",
    "Quinn",
    "Rivera",
    "Silva",
    "Tanaka",
    "Usman",
    "Vargas",
    "Walker",
    "Xu",
    "Young",
    "Zimmerman",
    "Novak",
    "Kowalski",
    "Haddad",
    "Moreau",
    "Rossi",
    "Schmidt",
    "Johansson",
    "Murphy",
    "Cohen",
    "Mensah",
    "Sato",
    "Petrov",
    "Alvarez",
    "Brooks",
    "Campbell",
    "Delgado",
    "Foster",
)

# Primary conditions and their share of a ketamine clinic's patients (illustrative mix).
PRIMARY_MIX = (
    (ConditionCode.TREATMENT_RESISTANT_DEPRESSION, 46),
    (ConditionCode.MAJOR_DEPRESSION, 8),
    (ConditionCode.PTSD, 12),
    (ConditionCode.GENERALISED_ANXIETY, 7),
    (ConditionCode.BIPOLAR_DEPRESSION, 6),
    (ConditionCode.OCD, 4),
    (ConditionCode.FIBROMYALGIA, 5),
    (ConditionCode.CRPS, 3),
    (ConditionCode.NEUROPATHIC_PAIN, 4),
    (ConditionCode.MIGRAINE, 3),
    (ConditionCode.ALCOHOL_USE_DISORDER, 2),
)
COMORBID = (
    ConditionCode.GENERALISED_ANXIETY,
    ConditionCode.PTSD,
    ConditionCode.MIGRAINE,
    ConditionCode.ALCOHOL_USE_DISORDER,
)

BATCH = 2000


def _phone(rng: random.Random) -> str:
    return f"+1 555 {rng.randint(200, 999)} {rng.randint(1000, 9999)}"


def _weight_height(rng: random.Random, sex: str) -> tuple[Decimal, Decimal]:
    female = sex == SexAtBirth.FEMALE
    height = rng.gauss(163.0 if female else 177.0, 7.0)
    bmi = min(max(rng.lognormvariate(3.28, 0.18), 17.5), 48.0)  # median ≈ 26.6 kg/m²
    weight = bmi * (height / 100) ** 2
    return Decimal(f"{weight:.1f}"), Decimal(f"{height:.1f}")


def create_patients(
    count: int,
    sites: list[Site],
    recorder: User,
    rng: random.Random,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Create ``count`` patients spread over ``sites`` (60/40 for two), with history, a
    batch at a time (``progress`` is told the running count after each)."""
    codes, weights = zip(*PRIMARY_MIX, strict=True)
    weights_by_site = [60, 40] if len(sites) == 2 else [1] * len(sites)
    next_number = dict.fromkeys((s.pk for s in sites), 1)
    created = 0
    while created < count:
        batch_size = min(BATCH, count - created)
        patients = []
        for _ in range(batch_size):
            site = rng.choices(sites, weights_by_site)[0]
            sex = rng.choices(
                [SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.INTERSEX], [55, 44, 1]
            )[0]
            names: tuple[str, ...] = GIVEN_FEMALE if sex == SexAtBirth.FEMALE else GIVEN_MALE
            if sex == SexAtBirth.INTERSEX:
                names = GIVEN_FEMALE + GIVEN_MALE
            given, family = rng.choice(names), rng.choice(FAMILY)
            age_days = int(rng.triangular(18.2, 78, 38) * 365.25)
            number = next_number[site.pk]
            next_number[site.pk] += 1
            patients.append(
                Patient(
                    site=site,
                    mrn=f"K{number:06d}",
                    given_name=given,
                    family_name=family,
                    date_of_birth=today - dt.timedelta(days=age_days),
                    sex_at_birth=sex,
                    pronouns=rng.choice(["", "", "she/her", "he/him", "they/them"]),
                    email=f"{given}.{family}{number}@example.org".lower(),
                    phone=_phone(rng),
                    emergency_contact_name=f"{rng.choice(GIVEN_FEMALE + GIVEN_MALE)} {family}",
                    emergency_contact_relationship=rng.choice(
                        ["spouse", "partner", "parent", "sibling", "friend"]
                    ),
                    emergency_contact_phone=_phone(rng),
                )
            )
        insert_objects(Patient, patients)  # keys reserved and set on each patient
        measurements, conditions = [], []
        for patient in patients:
            weight, height = _weight_height(rng, patient.sex_at_birth)
            first = today - dt.timedelta(days=rng.randint(30, 400))
            measurements.append(
                Measurement(
                    patient=patient,
                    measured_on=first,
                    weight_kg=weight,
                    height_cm=height,
                    recorded_by=recorder,
                )
            )
            if rng.random() < 0.6:
                later = first + dt.timedelta(days=rng.randint(14, 28))
                drift = Decimal(f"{rng.uniform(-2.5, 2.0):.1f}")
                measurements.append(
                    Measurement(
                        patient=patient,
                        measured_on=min(later, today),
                        weight_kg=weight + drift,
                        recorded_by=recorder,
                    )
                )
            primary = rng.choices(codes, weights)[0]
            conditions.append(
                Condition(
                    patient=patient,
                    code=primary,
                    primary=True,
                    onset_on=patient.date_of_birth
                    + dt.timedelta(days=int(365.25 * rng.uniform(16, 30))),
                )
            )
            if rng.random() < 0.35:
                extra = rng.choice(COMORBID)
                if extra != primary:
                    status = (
                        ConditionStatus.IN_REMISSION
                        if extra == ConditionCode.ALCOHOL_USE_DISORDER
                        else ConditionStatus.ACTIVE
                    )
                    conditions.append(Condition(patient=patient, code=extra, status=status))
        insert_objects(Measurement, measurements)
        insert_objects(Condition, conditions)
        created += batch_size
        if progress is not None:
            progress(created)
    return created

"""The demo generator: every role, believable patients, deterministic, seeded once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import Site, User
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.patients.choices import ConditionCode
from ketaclinic.apps.patients.models import Condition, Measurement, Patient


def test_demo_creates_two_sites_staff_for_every_role_and_the_patients(db, fixed_clock):
    summary = seed_demo_clinic(patient_count=120, seed=7)
    assert summary.created
    assert Site.objects.count() == 2
    roles = set(User.objects.values_list("groups__name", flat=True))
    assert roles == set(Role.values)
    assert Patient.objects.count() == 120
    assert set(Patient.objects.values_list("site__slug", flat=True)) == {"riverside", "lakeview"}


def test_demo_patients_are_adults_with_plausible_weights_and_a_primary_condition(db, fixed_clock):
    seed_demo_clinic(patient_count=300, seed=11)
    today = dt.date(2026, 3, 10)
    ages = [p.age_on(today) for p in Patient.objects.all()]
    assert min(ages) >= 18
    assert max(ages) <= 80
    weights = list(Measurement.objects.values_list("weight_kg", flat=True))
    assert min(weights) >= Decimal("35")
    assert max(weights) <= Decimal("200")
    primaries = Condition.objects.filter(primary=True)
    assert primaries.count() == 300
    mix = dict(primaries.values_list("code").annotate(n=Count("id")))
    assert mix[ConditionCode.TREATMENT_RESISTANT_DEPRESSION] > mix.get(ConditionCode.OCD, 0)
    assert len(mix) >= 8


def test_demo_is_seeded_once_and_the_same_seed_gives_the_same_clinic(db, fixed_clock):
    seed_demo_clinic(patient_count=20, seed=3)
    first = list(Patient.objects.order_by("id").values_list("given_name", "family_name", "mrn"))
    again = seed_demo_clinic(patient_count=20, seed=3)
    assert not again.created
    assert Patient.objects.count() == 20
    assert first[0][2] in {"K000001"}
    names = [(g, f) for g, f, _ in first]
    assert len(set(names)) > 10

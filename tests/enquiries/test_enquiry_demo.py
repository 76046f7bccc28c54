"""The demo waitlist: every state at both sites, flags, one crisis alert, real conversions."""

from __future__ import annotations

import pytest
from django.db.models import Count

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.demo.seeding import seed_demo_clinic
from ketaclinic.apps.enquiries.choices import EnquiryStatus
from ketaclinic.apps.enquiries.models import Enquiry

pytestmark = pytest.mark.django_db


def test_demo_waitlist_has_every_state_at_both_sites_and_one_crisis(fixed_clock):
    seed_demo_clinic(patient_count=60, seed=7)
    states = set(Enquiry.objects.values_list("site__slug", "status"))
    assert states == {(s, st) for s in ("riverside", "lakeview") for st in EnquiryStatus.values}
    # Pre-screen answers are encrypted: the database cannot filter them, Python can.
    assert any(e.high_blood_pressure or e.psychosis_history for e in Enquiry.objects.all())
    crisis = Enquiry.objects.get(call_first=True)
    assert crisis.status == EnquiryStatus.NEW
    alert = Alert.objects.get(kind=AlertKind.ENQUIRY_CRISIS)
    assert (alert.source_type, alert.source_id, alert.site_id) == (
        "enquiry",
        str(crisis.pk),
        crisis.site_id,
    )
    assert alert.is_open


def test_demo_conversions_are_existing_patients_with_the_same_details(fixed_clock):
    seed_demo_clinic(patient_count=60, seed=7)
    converted = Enquiry.objects.filter(status=EnquiryStatus.CONVERTED).select_related("patient")
    assert converted.count() == 12
    for enquiry in converted:
        patient = enquiry.patient
        assert patient.site_id == enquiry.site_id
        assert (patient.given_name, patient.family_name, patient.date_of_birth) == (
            enquiry.given_name,
            enquiry.family_name,
            enquiry.date_of_birth,
        )
        assert enquiry.submitted_at < enquiry.intake_at < enquiry.converted_at <= fixed_clock.now()
        kinds = list(enquiry.events.values_list("kind", flat=True))
        assert kinds[0] == "submitted"
        assert kinds[-1] == "converted"
    # Each status change has one event: open ones that moved on were contacted first.
    counts = dict(
        Enquiry.objects.filter(status=EnquiryStatus.SCHEDULED)
        .annotate(n=Count("events"))
        .values_list("pk", "n")
    )
    assert all(n >= 3 for n in counts.values())
    for scheduled in Enquiry.objects.filter(status=EnquiryStatus.SCHEDULED):
        assert scheduled.intake_at > fixed_clock.now()

"""Enquiries encrypted at rest: the database holds tokens, not what the person told us; keys
rotate; a wrong key fails loudly; the queue, the crisis path and conversion still work; the
migration encrypts rows stored before it, and back again."""

import datetime as dt

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.urls import reverse
from tests.enquiries.enquiry_data import make_enquiry
from tests.enquiries.test_enquiry_triage import _form_as_the_browser_sends_it

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.enquiries.choices import EnquiryStatus
from ketaclinic.apps.enquiries.encrypted_fields import UndecryptableValue, decrypt_text
from ketaclinic.apps.enquiries.key_rotation import rotate_enquiry_keys
from ketaclinic.apps.enquiries.models import Enquiry

PERSONAL = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex_at_birth",
    "email",
    "phone",
    "condition",
    "condition_other",
    "suicidal_thoughts",
    "psychosis_history",
    "substance_use_problem",
    "high_blood_pressure",
    "pregnant_or_planning",
    "note",
    "declined_reason",
)
KEY_1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # fixed: 32 bytes 0..31
KEY_2 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="  # fixed: 32 bytes 32..63


def raw_row(enquiry_id):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(PERSONAL)} FROM enquiries_enquiry WHERE id = %s",  # noqa: S608
            [enquiry_id],
        )
        return dict(zip(PERSONAL, cursor.fetchone(), strict=True))


def whole_table_text():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM enquiries_enquiry")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.mark.django_db
def test_raw_sql_shows_none_of_what_the_person_typed(clinic):
    enquiry = make_enquiry(
        clinic.site_a,
        condition="other",
        condition_other="Cluster headaches",
        note="Call after 5pm please",
        suicidal_thoughts=True,
    )
    row = raw_row(enquiry.pk)
    for name, stored in row.items():
        if stored != "":
            assert stored.startswith("gAAAAA"), name  # a Fernet token, version byte 0x80
    text = whole_table_text()
    for secret in (
        "Dana",
        "Ortiz",
        "1988-07-14",
        "dana.ortiz@example.com",
        "555 321",
        "ptsd",
        "Cluster headaches",
        "Call after 5pm",
    ):
        assert secret not in text
    again = Enquiry.objects.get(pk=enquiry.pk)
    assert (again.given_name, again.date_of_birth, again.suicidal_thoughts, again.note) == (
        "Dana",
        dt.date(1988, 7, 14),
        True,
        "Call after 5pm please",
    )
    assert again.call_first is True


@pytest.mark.django_db
def test_yes_and_no_answers_are_both_encrypted_so_neither_shows(clinic):
    yes = make_enquiry(clinic.site_a, psychosis_history=True)
    no = make_enquiry(clinic.site_a, psychosis_history=False)
    stored = {raw_row(yes.pk)["psychosis_history"], raw_row(no.pk)["psychosis_history"]}
    assert all(value.startswith("gAAAAA") for value in stored)
    assert len(stored) == 2
    assert [Enquiry.objects.get(pk=e.pk).psychosis_history for e in (yes, no)] == [True, False]


@pytest.mark.django_db
def test_the_same_value_encrypts_differently_each_time(clinic):
    first, second = make_enquiry(clinic.site_a), make_enquiry(clinic.site_a)
    assert raw_row(first.pk)["family_name"] != raw_row(second.pk)["family_name"]


@pytest.mark.django_db
def test_an_empty_value_stays_empty_so_email_or_phone_is_still_a_constraint(clinic):
    enquiry = make_enquiry(clinic.site_a, phone="")
    assert raw_row(enquiry.pk)["phone"] == ""
    assert Enquiry.objects.filter(phone="").count() == 1


@pytest.mark.django_db
def test_searching_an_encrypted_field_is_refused_rather_than_matching_nothing(clinic):
    make_enquiry(clinic.site_a)
    with pytest.raises(FieldError, match="family_name is encrypted"):
        list(Enquiry.objects.filter(family_name="Ortiz"))
    with pytest.raises(FieldError):
        list(Enquiry.objects.filter(family_name__icontains="Ort"))


@pytest.mark.django_db
def test_rotation_reencrypts_with_the_new_key_and_the_old_key_can_go(clinic, settings):
    settings.KETACLINIC_FIELD_KEYS = [KEY_1]
    enquiry = make_enquiry(clinic.site_a, note="rotate me")
    before = raw_row(enquiry.pk)
    settings.KETACLINIC_FIELD_KEYS = [KEY_2, KEY_1]
    # Readable before rotation: every key decrypts.
    assert Enquiry.objects.get(pk=enquiry.pk).note == "rotate me"
    assert rotate_enquiry_keys() == 1
    after = raw_row(enquiry.pk)
    assert after["note"] != before["note"]
    settings.KETACLINIC_FIELD_KEYS = [KEY_2]
    rotated = Enquiry.objects.get(pk=enquiry.pk)
    assert (rotated.note, rotated.given_name) == ("rotate me", "Dana")


@pytest.mark.django_db
def test_a_wrong_key_is_a_clear_error_naming_the_setting(clinic, settings):
    settings.KETACLINIC_FIELD_KEYS = [KEY_1]
    enquiry = make_enquiry(clinic.site_a)
    settings.KETACLINIC_FIELD_KEYS = [KEY_2]
    with pytest.raises(UndecryptableValue) as caught:
        Enquiry.objects.get(pk=enquiry.pk)
    assert "enquiries.Enquiry.given_name" in str(caught.value)
    assert "KETACLINIC_FIELD_KEYS" in str(caught.value)
    with pytest.raises(UndecryptableValue):
        rotate_enquiry_keys()


def test_garbage_is_not_decrypted(settings):
    settings.KETACLINIC_FIELD_KEYS = [KEY_1]
    with pytest.raises(UndecryptableValue, match="note"):
        decrypt_text("not-a-token", "note")


@pytest.mark.django_db
def test_the_public_form_stores_encrypted_and_the_crisis_path_still_alerts(
    client, clinic, submission
):
    response = client.post(
        reverse("join:form", args=[clinic.site_a.slug]),
        submission(suicidal_thoughts="on"),
    )
    assert response.status_code == 200
    enquiry = Enquiry.objects.get()
    assert "Carla" not in whole_table_text()
    assert enquiry.suicidal_thoughts is True
    assert enquiry.call_first is True
    alert = Alert.objects.get(kind=AlertKind.ENQUIRY_CRISIS)
    assert alert.source_id == str(enquiry.pk)


@pytest.mark.django_db
def test_the_queue_still_puts_people_in_crisis_first_and_filters_by_program(
    client, clinic, fixed_clock
):
    make_enquiry(clinic.site_a, days_ago=9, family_name="Early")
    make_enquiry(clinic.site_a, days_ago=1, family_name="Crisis", suicidal_thoughts=True)
    make_enquiry(clinic.site_a, days_ago=5, family_name="Home", program="home_sublingual")
    client.force_login(clinic.front_desk)
    rows = client.get(reverse("enquiries:list")).context["rows"]
    assert [e.family_name for e, _days, _place in rows] == ["Crisis", "Early", "Home"]
    rows = client.get(reverse("enquiries:list"), {"program": "home_sublingual"}).context["rows"]
    assert [e.family_name for e, _days, _place in rows] == ["Home"]


@pytest.mark.django_db
def test_conversion_to_a_patient_carries_the_decrypted_details(client, clinic, fixed_clock):
    enquiry = make_enquiry(clinic.site_a)
    client.force_login(clinic.front_desk)
    url = reverse("enquiries:convert", args=[enquiry.pk])
    response = client.post(url, _form_as_the_browser_sends_it(client.get(url)))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.CONVERTED
    patient = enquiry.patient
    assert (patient.given_name, patient.family_name, patient.date_of_birth, patient.email) == (
        "Dana",
        "Ortiz",
        dt.date(1988, 7, 14),
        "dana.ortiz@example.com",
    )

"""The field keys: parsed strictly (a bad key names the variable and never echoes the key),
required in production, derived from the secret key in development; the CLI makes keys and
rotates them; the migration encrypts rows stored before it, and decrypts them going back."""

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from tests.enquiries.enquiry_data import make_enquiry
from tests.web.test_settings import _ketaclinic

from ketaclinic.cli import main
from ketaclinic.config.environment import (
    Environment,
    development_field_key,
    parse_field_keys,
)

GOOD = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # fixed: 32 bytes 0..31
OTHER = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="  # fixed: 32 bytes 32..63


def test_one_or_more_fernet_keys_are_accepted_in_order():
    assert parse_field_keys(f" {GOOD} , {OTHER} ") == [GOOD, OTHER]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",", "expected one or more Fernet keys"),
        ("short", "key 1 of 1 is not a Fernet key"),
        (f"{GOOD},{GOOD[:-2]}", "key 2 of 2 is not a Fernet key"),
        (f"{GOOD},{GOOD}", "a key is listed twice"),
        ("é" * 44, "key 1 of 1 is not a Fernet key"),
    ],
)
def test_a_bad_key_list_is_refused_naming_the_variable_but_not_the_key(text, message):
    with pytest.raises(ImproperlyConfigured) as caught:
        Environment({"KETACLINIC_FIELD_KEYS": text}).secret(
            "KETACLINIC_FIELD_KEYS", parse_field_keys, None
        )
    assert str(caught.value).startswith("KETACLINIC_FIELD_KEYS: ")
    assert message in str(caught.value)
    assert GOOD not in str(caught.value)


def test_the_development_key_is_a_fernet_key_fixed_by_the_secret_key():
    key = development_field_key("x" * 60)
    assert key == development_field_key("x" * 60)
    assert key != development_field_key("y" * 60)
    Fernet(key.encode())  # a valid key: raises otherwise


def test_a_bad_key_stops_the_command_with_one_line(tmp_path):
    result = _ketaclinic(["check"], {"KETACLINIC_FIELD_KEYS": "not-a-key"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ketaclinic: configuration error: KETACLINIC_FIELD_KEYS: key 1 of 1 is not a Fernet key "
        "(44 characters of url-safe base64; `ketaclinic enquiries new-key` makes one)"
    ]


def test_production_refuses_to_start_without_field_keys(tmp_path):
    env = {
        "KETACLINIC_ENV": "production",
        "KETACLINIC_SECRET_KEY": "s" * 60,
        "KETACLINIC_ALLOWED_HOSTS": "clinic.example.org",
        "KETACLINIC_TRUSTED_PROXIES": "1",
    }
    result = _ketaclinic(["check", "--deploy"], env, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ketaclinic: configuration error: KETACLINIC_FIELD_KEYS must be set in production "
        "(make a key with `ketaclinic enquiries new-key`)"
    ]


def test_new_key_prints_a_fernet_key():
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["enquiries", "new-key"]) == 0
    Fernet(out.getvalue().strip().encode())


@pytest.mark.django_db
def test_rotate_key_reencrypts_and_reports_json(clinic, settings):
    settings.KETACLINIC_FIELD_KEYS = [GOOD]
    make_enquiry(clinic.site_a)
    settings.KETACLINIC_FIELD_KEYS = [OTHER, GOOD]
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["enquiries", "rotate-key", "--json"]) == 0
    assert out.getvalue().strip() == '{"reencrypted": 1}'


@pytest.mark.django_db
def test_rotate_key_with_a_missing_key_exits_2_with_one_line(clinic, settings):
    settings.KETACLINIC_FIELD_KEYS = [GOOD]
    make_enquiry(clinic.site_a)
    settings.KETACLINIC_FIELD_KEYS = [OTHER]
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["enquiries", "rotate-key"]) == 2
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "KETACLINIC_FIELD_KEYS" in lines[0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_decrypts_them_going_back(clinic):
    from ketaclinic.apps.enquiries.models import Enquiry

    executor = MigrationExecutor(connection)
    before = [("enquiries", "0001_waitlist")]
    after = [("enquiries", "0002_encrypted_at_rest")]
    executor.migrate(before)
    old = MigrationExecutor(connection).loader.project_state(before).apps
    OldEnquiry = old.get_model("enquiries", "Enquiry")
    submitted = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    row = OldEnquiry.objects.create(
        site_id=clinic.site_a.pk,
        program="kap",
        given_name="Zelda",
        family_name="Quist",
        date_of_birth=dt.date(1980, 2, 3),
        email="zq@example.org",
        preferred_contact="email",
        condition="mdd",
        suicidal_thoughts=True,
        high_blood_pressure=True,
        consent_to_contact=True,
        note="after 5pm",
        submitted_at=submitted,
        status_changed_at=submitted,
    )
    MigrationExecutor(connection).migrate(after)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, date_of_birth, suicidal_thoughts, email, phone, call_first "
            "FROM enquiries_enquiry WHERE id = %s",
            [row.pk],
        )
        given, born, suicidal, email, phone, call_first = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in (given, born, suicidal, email))
    assert phone == ""
    assert bool(call_first) is True
    enquiry = Enquiry.objects.get(pk=row.pk)
    assert (enquiry.given_name, enquiry.date_of_birth, enquiry.email, enquiry.note) == (
        "Zelda",
        dt.date(1980, 2, 3),
        "zq@example.org",
        "after 5pm",
    )
    assert (enquiry.suicidal_thoughts, enquiry.high_blood_pressure, enquiry.psychosis_history) == (
        True,
        True,
        False,
    )
    MigrationExecutor(connection).migrate(before)
    back = MigrationExecutor(connection).loader.project_state(before).apps
    plain = back.get_model("enquiries", "Enquiry").objects.get(pk=row.pk)
    assert (plain.given_name, plain.date_of_birth, plain.suicidal_thoughts) == (
        "Zelda",
        dt.date(1980, 2, 3),
        True,
    )
    assert plain.psychosis_history is False
    MigrationExecutor(connection).migrate(
        MigrationExecutor(connection).loader.graph.leaf_nodes("enquiries")
    )

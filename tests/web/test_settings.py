"""Settings come from the environment, strictly: a bad value stops start-up, naming it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from ketaclinic.config.environment import (
    Environment,
    parse_bool,
    parse_database_url,
    parse_int_range,
    parse_timezone,
)


@pytest.mark.parametrize(
    ("name", "value", "parse", "message"),
    [
        ("KETACLINIC_DEBUG", "maybe", parse_bool, "expected one of true/false"),
        ("KETACLINIC_SESSION_IDLE_MINUTES", "0", parse_int_range(1, 720), "from 1 to 720"),
        ("KETACLINIC_SESSION_IDLE_MINUTES", "ten", parse_int_range(1, 720), "whole number"),
        ("KETACLINIC_TIME_ZONE", "Mars/Olympus", parse_timezone, "IANA time zone"),
        ("KETACLINIC_DATABASE_URL", "mysql://x", parse_database_url, "postgresql://"),
    ],
)
def test_a_bad_value_names_the_variable(name, value, parse, message):
    with pytest.raises(ImproperlyConfigured) as error:
        Environment({name: value}).get(name, parse, None)
    assert str(error.value).startswith(f"{name}={value!r}: ")
    assert message in str(error.value)


def test_an_empty_variable_means_the_default():
    assert Environment({"KETACLINIC_DEBUG": ""}).get("KETACLINIC_DEBUG", parse_bool, False) is False


def _ketaclinic(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    # A clean environment: no KETACLINIC_* settings, and not the browser tests' async switch.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KETACLINIC_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update({"KETACLINIC_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "ketaclinic", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_bad_setting_stops_the_command_with_one_line(tmp_path):
    result = _ketaclinic(["check"], {"KETACLINIC_SESSION_IDLE_MINUTES": "-5"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ketaclinic: configuration error: KETACLINIC_SESSION_IDLE_MINUTES='-5': "
        "expected a number from 1 to 720"
    ]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _ketaclinic(["check"], {"KETACLINIC_ENV": "production"}, tmp_path)
    assert result.returncode == 2
    assert "KETACLINIC_SECRET_KEY must be set in production" in result.stderr


PRODUCTION = {
    "KETACLINIC_ENV": "production",
    "KETACLINIC_SECRET_KEY": "x" * 20 + "9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e",
    "KETACLINIC_ALLOWED_HOSTS": "clinic.example.org",
    "KETACLINIC_TRUSTED_PROXIES": "1",
    "KETACLINIC_FIELD_KEYS": "9YpWNK9rJunaYY0CzMaCmarjnPKNXD_HnzQd1WAdAro=",
    "KETACLINIC_AUDIT_KEY": "q5X0cF3n9wGm4Yk0s8VtZ2bJr7LhPd1eUa6NoTiWfCg=",
    # `check` does not connect to the database; the URL only has to name PostgreSQL.
    "KETACLINIC_DATABASE_URL": "postgresql://ketaclinic@db.internal:5432/ketaclinic",
}


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _ketaclinic(["check", "--deploy"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_warns_on_any_host_and_on_sqlite_in_production(tmp_path):
    env = {**PRODUCTION, "KETACLINIC_ALLOWED_HOSTS": "clinic.example.org,*"}
    del env["KETACLINIC_DATABASE_URL"]
    result = _ketaclinic(["check", "--deploy"], env, tmp_path)
    assert result.returncode == 2
    assert "ketaclinic.W001" in result.stderr
    assert "KETACLINIC_ALLOWED_HOSTS contains *" in result.stderr
    assert "ketaclinic.W002" in result.stderr


def test_the_demo_clinic_is_refused_in_production(tmp_path):
    result = _ketaclinic(["demo", "--patients", "0"], PRODUCTION, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "ketaclinic: error: the demo clinic is refused with KETACLINIC_ENV=production: "
        "its staff accounts share a published password"
    ]


def test_the_readme_documents_every_setting():
    from pathlib import Path

    from ketaclinic.config.environment import SETTINGS_SPECS

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    missing = [spec.name for spec in SETTINGS_SPECS if f"| `{spec.name}` |" not in readme]
    assert missing == []


POSTGRES_URL = "postgresql://ketaclinic@db.internal:5432/ketaclinic"


def test_the_pool_is_opt_in_and_only_on_postgresql(tmp_path):
    from ketaclinic.config.settings import _database

    persistent = _database(POSTGRES_URL)
    assert "pool" not in persistent.get("OPTIONS", {})
    assert persistent["CONN_MAX_AGE"] == 60
    assert persistent["CONN_HEALTH_CHECKS"] is True

    pooled = _database(POSTGRES_URL, pool_size=8)
    assert pooled["OPTIONS"]["pool"]["max_size"] == 8
    assert pooled["OPTIONS"]["pool"]["min_size"] == 1
    # Django refuses a pool alongside persistent connections.
    assert pooled["CONN_MAX_AGE"] == 0
    assert pooled["CONN_HEALTH_CHECKS"] is True

    sqlite = _database(f"sqlite:///{tmp_path}/pool.sqlite3", pool_size=8)
    assert "pool" not in sqlite["OPTIONS"]
    assert sqlite["CONN_MAX_AGE"] == 60


@pytest.mark.parametrize("value", ["0", "101", "many"])
def test_a_bad_pool_size_stops_start_up_naming_it(value, tmp_path):
    result = _ketaclinic(
        ["check"],
        {"KETACLINIC_DATABASE_URL": POSTGRES_URL, "KETACLINIC_DATABASE_POOL_SIZE": value},
        tmp_path,
    )
    assert result.returncode != 0
    assert f"KETACLINIC_DATABASE_POOL_SIZE={value!r}: " in result.stderr

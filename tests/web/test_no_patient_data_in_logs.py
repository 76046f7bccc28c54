"""Searches carry names and dates of birth in query strings; logs must never keep them."""

from __future__ import annotations

import logging

from ketaclinic.config.logging_filters import NoPatientData
from ketaclinic.config.serving import ACCESS_LOG_FORMAT


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, message, args, None)


def test_query_strings_are_removed_from_log_lines():
    line = record("Not Found: %s", "/patients/?q=Rivera&date_of_birth=1984-06-02")
    assert NoPatientData().filter(line)
    assert line.getMessage() == "Not Found: /patients/?[redacted]"
    assert "Rivera" not in line.getMessage()


def test_lines_without_a_query_string_are_untouched():
    line = record("Not Found: %s", "/patients/12/")
    NoPatientData().filter(line)
    assert line.getMessage() == "Not Found: /patients/12/"


def test_the_configured_console_handler_applies_the_filter(settings):
    assert "no_patient_data" in settings.LOGGING["handlers"]["console"]["filters"]


def test_the_access_log_records_the_path_without_its_query():
    # gunicorn: %(U)s is the path without the query string; %(r)s and %(q)s would include it.
    assert "%(U)s" in ACCESS_LOG_FORMAT
    assert "%(r)s" not in ACCESS_LOG_FORMAT
    assert "%(q)s" not in ACCESS_LOG_FORMAT

"""Searches carry names and dates of birth in query strings; logs must never keep them."""

from __future__ import annotations

import logging

from ketaclinic.apps.web.logging_filters import NoPatientData
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


def test_private_link_tokens_are_replaced():
    line = record("Not Found: %s", "/r/abcDEF123_-xyz/")
    NoPatientData().filter(line)
    assert line.getMessage() == "Not Found: /r/[token]/"
    home = record("Forbidden: %s", "/home/Zz9-token/submit/")
    NoPatientData().filter(home)
    assert home.getMessage() == "Forbidden: /home/[token]/submit/"


def test_gunicorns_access_line_is_redacted():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from ketaclinic.config.serving import redacting_logger_class

    logger = redacting_logger_class()(Config())
    request = SimpleNamespace(
        headers=[],
        method="GET",
        uri="/r/secret-token/?q=Rivera",
        query="q=Rivera",
        path="/r/secret-token/",
        version=(1, 1),
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/r/secret-token/?q=Rivera",
        "PATH_INFO": "/r/secret-token/",
        "QUERY_STRING": "q=Rivera",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    import datetime as dt

    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=0.01))
    assert atoms["U"] == "/r/[token]/"
    assert "secret-token" not in atoms["r"]
    assert "Rivera" not in atoms["r"]
    assert atoms["q"] == ""

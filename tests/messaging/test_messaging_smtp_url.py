"""KETACLINIC_SMTP_URL is parsed strictly: what is not understood is refused, by name."""

from __future__ import annotations

import pytest

from ketaclinic.apps.messaging.smtp_url import SmtpConfig, parse_smtp_url


def test_a_starttls_url_gives_host_port_credentials_and_tls():
    config = parse_smtp_url("smtp://mailer:s%40cret@mail.example.org:587?tls=true")
    assert config == SmtpConfig(
        host="mail.example.org",
        port=587,
        username="mailer",
        password="s@cret",
        use_tls=True,
        use_ssl=False,
        timeout_seconds=20,
    )


def test_smtps_means_implicit_tls_on_port_465_by_default():
    config = parse_smtp_url("smtps://relay.example.org")
    assert (config.port, config.use_ssl, config.use_tls) == (465, True, False)


def test_plain_smtp_defaults_to_port_25_without_encryption():
    config = parse_smtp_url("smtp://localhost?timeout=5")
    assert (config.port, config.use_tls, config.use_ssl, config.timeout_seconds) == (
        25,
        False,
        False,
        5,
    )


def test_the_password_never_appears_in_the_repr():
    assert "hunter2" not in repr(parse_smtp_url("smtp://u:hunter2@h"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.org", "expected smtp://"),
        ("smtp://", "needs a host"),
        ("smtp://host:99999", "port"),
        ("smtp://host:abc", "port"),
        ("smtp://host/path", "no path"),
        ("smtp://:pw@host", "password needs a user"),
        ("smtp://host?tls=maybe", "tls: expected true or false"),
        ("smtp://host?ssl=true", "unknown parameter 'ssl'"),
        ("smtp://host?tls=true&tls=false", "give it once"),
        ("smtps://host?tls=true", "already encrypts"),
        ("smtp://host?timeout=0", "timeout"),
        ("smtp://host?timeout=soon", "timeout"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url, message):
    with pytest.raises(ValueError, match=message):
        parse_smtp_url(url)


def test_settings_refuse_a_bad_smtp_url_naming_the_variable():
    from django.core.exceptions import ImproperlyConfigured

    from ketaclinic.config.environment import Environment

    env = Environment({"KETACLINIC_SMTP_URL": "smtp://host?tls=perhaps"})
    with pytest.raises(ImproperlyConfigured, match="KETACLINIC_SMTP_URL"):
        env.get("KETACLINIC_SMTP_URL", parse_smtp_url, None)

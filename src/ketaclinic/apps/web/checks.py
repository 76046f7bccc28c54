"""Deployment checks of our own, run by ``ketaclinic check --deploy`` beside Django's.

``check --deploy`` exits non-zero on a warning, so a clinic that answers any host name
(``KETACLINIC_ALLOWED_HOSTS=*``, open to Host-header attacks on password-reset and patient
links) or keeps health records in SQLite in production (one file, one writer, no replicas)
hears about it before the first patient does.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def wildcard_allowed_hosts(app_configs, **kwargs) -> list[Warning]:
    wildcards = [host for host in settings.ALLOWED_HOSTS if "*" in host]
    if not wildcards:
        return []
    return [
        Warning(
            f"KETACLINIC_ALLOWED_HOSTS contains {', '.join(wildcards)}: any Host header is "
            "accepted.",
            hint="Name the clinic's host names, e.g. KETACLINIC_ALLOWED_HOSTS=clinic.example.org",
            id="ketaclinic.W001",
        )
    ]


@register(Tags.database, deploy=True)
def sqlite_in_production(app_configs, **kwargs) -> list[Warning]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if not settings.PRODUCTION or not engine.endswith("sqlite3"):
        return []
    return [
        Warning(
            "KETACLINIC_ENV=production with SQLite: one file on one machine, one writer at a "
            "time, no replicas.",
            hint="Set KETACLINIC_DATABASE_URL=postgresql://user@host:5432/name (see README).",
            id="ketaclinic.W002",
        )
    ]

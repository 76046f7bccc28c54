"""``check --deploy`` refuses a production chain keyed from SECRET_KEY."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def audit_key_configured(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "KETACLINIC_AUDIT_KEY_CONFIGURED", False):
        return []
    return [
        checks.Error(
            "KETACLINIC_AUDIT_KEY is not set: the audit chain is keyed from SECRET_KEY.",
            hint="Make a key with `ketaclinic audit new-key`; keep it outside the database.",
            id="audit.E001",
        )
    ]

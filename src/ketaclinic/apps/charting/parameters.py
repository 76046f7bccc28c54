"""The clinic's monitoring parameters: defaults from the core, overrides from settings.

``KETACLINIC_MONITORING_PARAMETERS`` (a dict, any subset of ``MonitoringParameters``'
fields) lets a clinic change a threshold without touching code; the core validates it.
"""

from __future__ import annotations

from django.conf import settings

from ketaclinic.clinical.monitoring import MonitoringParameters


def monitoring_parameters() -> MonitoringParameters:
    overrides = getattr(settings, "KETACLINIC_MONITORING_PARAMETERS", None)
    if not overrides:
        return MonitoringParameters()
    return MonitoringParameters.from_dict(overrides)

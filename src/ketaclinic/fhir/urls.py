"""/fhir/: the FHIR R4 REST API and Bulk Data export (see docs/fhir.md).

Every route here is exempt from the site's deny-by-default login redirect: the FHIR layer
authenticates each request itself (a staff session, or a SMART backend bearer token) and
answers an unauthenticated one with ``401`` and an ``OperationOutcome``, as FHIR clients
expect, never with a redirect to a login form.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path

from ketaclinic.fhir import bulk_views, import_views, smart_views, views

app_name = "fhir"

TYPE = r"(?P<type_name>[A-Z][A-Za-z]{1,63})"
ID = r"(?P<resource_id>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("", import_views.transaction_bundle, name="transaction"),
    path("metadata", views.metadata, name="metadata"),
    path(
        ".well-known/smart-configuration",
        smart_views.smart_configuration,
        name="smart-configuration",
    ),
    path("auth/token", smart_views.token, name="token"),
    path("$export", bulk_views.system_export, name="export"),
    path("Patient/$export", bulk_views.patient_export, name="patient-export"),
    re_path(
        r"^Group/(?P<group_id>[A-Za-z0-9\-.]{1,64})/\$export$",
        bulk_views.group_export,
        name="group-export",
    ),
    path("bulk/<uuid:job_id>", bulk_views.export_status, name="export-status"),
    re_path(
        r"^bulk/(?P<job_id>[0-9a-f-]{36})/(?P<file_name>[A-Za-z]+\.ndjson)$",
        bulk_views.export_file,
        name="export-file",
    ),
    re_path(rf"^Patient/{ID}/\$everything$", views.patient_everything, name="everything"),
    re_path(rf"^{TYPE}/{ID}$", views.read, name="read"),
    re_path(rf"^{TYPE}$", views.search, name="search"),
]

for _pattern in urlpatterns:
    _pattern.callback = login_not_required(_pattern.callback)

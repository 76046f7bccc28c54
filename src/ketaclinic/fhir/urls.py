"""/fhir/: the FHIR R4 REST API (see docs/fhir.md)."""

from django.urls import path, re_path

from ketaclinic.fhir import views

app_name = "fhir"

TYPE = r"(?P<type_name>[A-Z][A-Za-z]{1,63})"
ID = r"(?P<resource_id>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    re_path(rf"^Patient/{ID}/\$everything$", views.patient_everything, name="everything"),
    re_path(rf"^{TYPE}/{ID}$", views.read, name="read"),
    re_path(rf"^{TYPE}$", views.search, name="search"),
]

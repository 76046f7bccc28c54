from django.urls import path

from ketaclinic.apps.billing import views

app_name = "billing"
urlpatterns = [
    path("authorizations/lapsing/", views.lapsing, name="lapsing"),
    path(
        "courses/<int:course_id>/authorizations/",
        views.course_authorizations,
        name="course-authorizations",
    ),
    path(
        "authorizations/<int:authorization_id>/",
        views.authorization_edit,
        name="authorization",
    ),
    path(
        "authorizations/<int:authorization_id>/packet.pdf",
        views.packet_pdf,
        name="packet",
    ),
    path("patients/<int:patient_id>/trials/", views.trials, name="trials"),
    path("patients/<int:patient_id>/superbill/", views.superbill, name="superbill"),
    path("patients/<int:patient_id>/superbill.pdf", views.superbill_pdf, name="superbill-pdf"),
    path("claims.csv", views.claims_csv, name="claims-csv"),
]

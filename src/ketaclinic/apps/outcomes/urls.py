from django.urls import path

from ketaclinic.apps.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dataset.csv", views.export_dataset, name="dataset"),
    path("refresh", views.refresh, name="refresh"),
    path("patients/<int:patient_id>/report.pdf", views.progress_report, name="report"),
]

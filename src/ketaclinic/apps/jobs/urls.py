from django.urls import path

from ketaclinic.apps.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<uuid:job_id>/", views.progress, name="progress"),
    path("<uuid:job_id>/download/", views.download, name="download"),
]

from django.urls import path

from ketaclinic.apps.kap import views

app_name = "kap"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path(
        "programs/<int:program_id>/sessions/<int:session_id>/note/",
        views.write_note,
        name="write-note",
    ),
    path("programs/<int:program_id>/close/", views.close, name="close"),
    path("courses/<int:course_id>/start/", views.start, name="start"),
]

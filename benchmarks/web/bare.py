"""The ceiling: the least a Django view can do to serve one patient row.

Same Django, same database, same gunicorn settings as the product, but no middleware, no
session, no audit: one URL, one ``SELECT`` of one row by primary key, JSON out. What the
product serves per second is reported as a share of what this serves in the same run.
"""

from __future__ import annotations

import os

import dj_database_url
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only-not-a-secret",  # noqa: S106 - a throwaway benchmark server
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        DATABASES={
            "default": dj_database_url.parse(
                os.environ["KETACLINIC_DATABASE_URL"], conn_max_age=60, conn_health_checks=True
            )
        },
        USE_TZ=True,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
    )

from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.http import Http404, JsonResponse
from django.urls import path


def one_patient(request, patient_id: int) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, mrn, given_name, family_name, date_of_birth "
            "FROM patients_patient WHERE id = %s",
            [patient_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    keys = ("id", "mrn", "given_name", "family_name", "date_of_birth")
    return JsonResponse(dict(zip(keys, map(str, row), strict=True)))


urlpatterns = [path("bare/patients/<int:patient_id>", one_patient)]
application = get_wsgi_application()

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from ketaclinic.apps.api.edge import error_response
from ketaclinic.apps.today import views as today_views
from ketaclinic.apps.web import views as web_views
from ketaclinic.config.api import api

# The REST API and FHIR come first: Django tries patterns in order, and these two serve most
# requests (scripts, integrations), which otherwise walked every page's pattern, those of
# the prefix-less treatment include too, before reaching theirs. No pattern above them
# matched ``api/v1/`` or ``fhir/``, so no address changes hands.
urlpatterns = [
    path("api/v1/", api.urls),
    path("fhir/", include("ketaclinic.fhir.urls")),
    path("", today_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("accounts/", include("ketaclinic.apps.accounts.urls")),
    path("patients/", include("ketaclinic.apps.patients.urls")),
    path("audit/", include("ketaclinic.apps.auditpage.urls")),
    path("alerts/", include("ketaclinic.apps.alerts.urls")),
    path("ledger/", include("ketaclinic.apps.ledger.urls")),
    path("jobs/", include("ketaclinic.apps.jobs.urls")),
    path("pk/", include("ketaclinic.apps.pk.urls")),
    path("assessments/", include("ketaclinic.apps.assessments.urls")),
    path("r/", include("ketaclinic.apps.assessments.public_urls")),
    path("sessions/", include("ketaclinic.apps.charting.urls")),
    path("", include("ketaclinic.apps.treatment.urls")),
    path("waitlist/", include("ketaclinic.apps.enquiries.urls")),
    path("join/", include("ketaclinic.apps.enquiries.public_urls")),
    path("homeprogram/", include("ketaclinic.apps.homeprogram.urls")),
    path("home/", include("ketaclinic.apps.homeprogram.public_urls")),
    path("outcomes/", include("ketaclinic.apps.outcomes.urls")),
    path("kap/", include("ketaclinic.apps.kap.urls")),
    path("iop/", include("ketaclinic.apps.iop.urls")),
    path("reminders/", include("ketaclinic.apps.reminders.urls")),
    path("billing/", include("ketaclinic.apps.billing.urls")),
    path("stop/", include("ketaclinic.apps.reminders.public_urls")),
    path("hooks/sms/", include("ketaclinic.apps.reminders.hook_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "ketaclinic.apps.accounts.views.errors.permission_denied"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A page, or for an address under the REST API the API's error envelope."""
    if request.path_info.startswith("/api/"):
        return error_response(404, "No such API address.")
    return web_views.page_not_found(request, exception)


handler404 = not_found
handler500 = "ketaclinic.apps.web.views.server_error"

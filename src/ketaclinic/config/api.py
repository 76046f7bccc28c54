"""The REST API, versioned under ``/api/v1/``, documented at ``/api/v1/docs``.

Authentication is the staff member's session (with CSRF on writes); every error is JSON with
the field it concerns.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import SessionAuth

from ketaclinic.apps.alerts.api import router as alerts_router
from ketaclinic.apps.assessments.api import router as assessments_router
from ketaclinic.apps.assessments.api import scales_router
from ketaclinic.apps.billing.api import router as billing_router
from ketaclinic.apps.charting.api import router as charting_router
from ketaclinic.apps.enquiries.api import router as enquiries_router
from ketaclinic.apps.homeprogram.api import router as homeprogram_router
from ketaclinic.apps.iop.api import router as iop_router
from ketaclinic.apps.kap.api import router as kap_router
from ketaclinic.apps.ledger.api import router as ledger_router
from ketaclinic.apps.outcomes.api import router as outcomes_router
from ketaclinic.apps.patients.api import FieldErrors
from ketaclinic.apps.patients.api import router as patients_router
from ketaclinic.apps.reminders.api import router as reminders_router
from ketaclinic.apps.treatment.api import router as treatment_router
from ketaclinic.clinical.exceptions import InputError

api = NinjaAPI(
    title="Ketaclinic API",
    version="1",
    urls_namespace="api-v1",
    auth=SessionAuth(csrf=True),
    description="Ketamine-therapy clinic records, measurements and rules. Session-authenticated.",
)
api.add_router("/patients", patients_router)
api.add_router("/alerts", alerts_router)
api.add_router("/ledger", ledger_router)
api.add_router("/assessments", assessments_router)
api.add_router("/scales", scales_router)
api.add_router("/sessions", charting_router)
api.add_router("/enquiries", enquiries_router)
api.add_router("/homeprogram", homeprogram_router)
api.add_router("/outcomes", outcomes_router)
api.add_router("/kap", kap_router)
api.add_router("/billing", billing_router)
api.add_router("/iop", iop_router)
api.add_router("/reminders", reminders_router)
api.add_router("", treatment_router)


def _loc_to_field(loc: list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": _loc_to_field(e.get("loc", [])),
            "message": e.get("msg", "invalid"),
            "code": e.get("type", "invalid"),
        }
        for e in exc.errors
    ]
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(FieldErrors)
def field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
    return api.create_response(request, {"errors": exc.errors}, status=422)


@api.exception_handler(InputError)
def clinical_input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
    errors = [{"field": exc.field, "message": exc.message, "code": type(exc).__name__}]
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Log in first."}, status=401)

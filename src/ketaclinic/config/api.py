"""The REST API, versioned under ``/api/v1/``, documented at ``/api/v1/docs``.

A caller is a staff member's browser session (with CSRF on writes) or a script sending an API
token (``Authorization: Bearer ...``, ``accounts.api_auth``), narrowed to the token's
permissions and sites. Every refusal is the edge kit's envelope (``apps.api.edge``).
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import SessionAuth

from ketaclinic.apps.accounts.api_auth import ApiTokenAuth, schema_access
from ketaclinic.apps.alerts.api import router as alerts_router
from ketaclinic.apps.api import edge
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
from ketaclinic.apps.patients.api import router as patients_router
from ketaclinic.apps.reminders.api import router as reminders_router
from ketaclinic.apps.treatment.api import router as treatment_router

api = NinjaAPI(
    title="Ketaclinic API",
    version="1",
    urls_namespace="api-v1",
    auth=[ApiTokenAuth(), SessionAuth(csrf=True)],
    docs_decorator=schema_access,
    description=(
        "Ketamine-therapy clinic records, measurements and rules. Authenticated by the staff "
        "member's session or by an API token (Authorization: Bearer kc_...), made at "
        '/accounts/tokens/. Every 4xx answers {"errors": [{"field", "message", "code"}]}.'
    ),
)
edge.install(api)
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

"""Billing over the API: authorizations about to lapse, and the codes a session implies.

Read-only: nothing here sends a claim anywhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from ketaclinic.apps.accounts.scoping import restrict, site_ids_for
from ketaclinic.apps.api.edge import Page, Paging, page_body, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.billing.authorizations import lapsing_for_sites
from ketaclinic.apps.billing.superbills import bill
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import paginate

router = Router(tags=["billing"])


class LapseOut(Schema):
    authorization_id: int
    course_id: int
    patient_id: int
    site_id: int
    payer_name: str
    payer_kind: str
    authorization_number: str
    ends_on: dt.date
    days_left: int
    authorised_sessions: int
    sessions_used: int
    sessions_booked: int
    ends_soon: bool
    sessions_nearly_used: bool


class CodeLineOut(Schema):
    served_on: dt.date
    code: str
    system: str
    description: str
    units: int
    fee_per_unit: Decimal | None
    charge: Decimal | None
    diagnoses: list[str]
    place_of_service: str
    rendering_provider_npi: str
    payer_kind: str
    authorization_number: str


class SessionCodesOut(Schema):
    session_id: int
    lines: list[CodeLineOut]
    not_coded: str


@router.get(
    "/authorizations/lapsing",
    response=responses(Page[LapseOut]),
    summary="Authorizations about to lapse, soonest first",
)
@requires("billing.view_priorauthorization", "billing.view_lapsing_authorizations")
def lapsing_authorizations(request: HttpRequest, paging: Query[Paging]) -> dict:
    lapses = lapsing_for_sites(
        site_ids_for(
            request.user, "billing.view_priorauthorization", "billing.view_lapsing_authorizations"
        ),
        clock.today(),
    )
    result = paginate(lapses, paging.page, paging.page_size)
    record_listing(
        request,
        "prior_authorization",
        [lapse.authorization.course.patient_id for lapse in result.items],
        page=result.number,
    )
    return page_body(result, _lapse_row)


def _lapse_row(lapse) -> dict:
    a = lapse.authorization
    return {
        "authorization_id": a.pk,
        "course_id": a.course_id,
        "patient_id": a.course.patient_id,
        "site_id": a.course.site_id,
        "payer_name": a.payer_name,
        "payer_kind": a.payer_kind,
        "authorization_number": a.authorization_number,
        "ends_on": a.ends_on,
        "days_left": lapse.days_left,
        "authorised_sessions": a.authorised_sessions,
        "sessions_used": lapse.sessions_used,
        "sessions_booked": lapse.sessions_booked,
        "ends_soon": lapse.by_date,
        "sessions_nearly_used": lapse.by_count,
    }


@router.get(
    "/sessions/{session_id}/codes",
    response=responses(SessionCodesOut),
    summary="The billing codes a delivered session implies",
)
@requires("billing.print_superbill")
def session_codes(request: HttpRequest, session_id: int) -> dict:
    sessions = restrict(Session, request.user, "billing.print_superbill").filter(pk=session_id)
    session = sessions.select_related("patient").first()
    if session is None:
        raise HttpError(404, "No such session")
    result = bill(sessions)
    record_event(
        request,
        Action.VIEW,
        object_type="session_codes",
        object_id=session.pk,
        patient=session.patient,
    )
    return {
        "session_id": session.pk,
        "lines": [
            {
                "served_on": line.served_on,
                "code": line.code.code,
                "system": line.code.system,
                "description": line.code.description,
                "units": line.code.units,
                "fee_per_unit": line.fee_per_unit,
                "charge": line.charge,
                "diagnoses": [code for code, _title in line.diagnoses],
                "place_of_service": line.place_of_service,
                "rendering_provider_npi": line.provider_npi,
                "payer_kind": line.payer_kind,
                "authorization_number": line.authorization_number,
            }
            for line in result.lines
        ],
        "not_coded": "; ".join(u.reason for u in result.unbillable),
    }

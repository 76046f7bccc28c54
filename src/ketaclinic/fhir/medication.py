"""MedicationAdministration (each session's dose) and AdverseEvent.

The medication is a contained Medication: RxNorm code of the drug, the NDC of the product
given (when the dose came from a ledger container), and the lot (``batch``) — R4's
MedicationAdministration has no lot of its own. Dose, route and rate come from the dose
order and the nurse's charting.
"""

from __future__ import annotations

from ketaclinic.apps.charting.models import Administration, AdverseEvent
from ketaclinic.fhir import codes
from ketaclinic.fhir.elements import day, instant, meta, pruned, quantity, reference


def _medication(administration: Administration) -> dict:
    order = administration.order
    rx_code, rx_display = codes.RXNORM_DRUG[order.drug]
    coding = [codes.coding(codes.RXNORM, rx_code, rx_display)]
    batch: dict = {"lotNumber": administration.lot}
    container = administration.container
    if container is not None:
        coding.append(codes.coding(codes.NDC, container.product.ndc, container.product.name))
        batch = {
            "lotNumber": container.lot.lot_number,
            "expirationDate": day(container.lot.expires_on),
        }
    return {
        "resourceType": "Medication",
        "id": "med",
        "code": {"coding": coding, "text": administration.product},
        "batch": batch,
    }


def medication_administration_resource(administration: Administration) -> dict:
    """``order``, ``session`` and ``container`` (with product and lot) should be loaded."""
    order = administration.order
    dose_mg = (
        administration.dose_given_mg if administration.dose_given_mg is not None else order.dose_mg
    )
    route_code, route_display = codes.ROUTE_SNOMED[order.route]
    dosage = {
        "text": f"{dose_mg.normalize():f} mg {order.get_route_display()}",
        "route": {
            "coding": [codes.coding(codes.SNOMED, route_code, route_display)],
            "text": order.get_route_display(),
        },
        "dose": quantity(dose_mg, "mg"),
    }
    if order.rate_ml_per_h is not None:
        dosage["rateQuantity"] = quantity(order.rate_ml_per_h, "mL/h")
    return pruned(
        {
            "resourceType": "MedicationAdministration",
            "id": str(administration.pk),
            "meta": meta(administration.stopped_at or administration.started_at),
            "contained": [_medication(administration)],
            "status": "completed" if administration.stopped_at else "in-progress",
            "medicationReference": {"reference": "#med"},
            "subject": reference("Patient", administration.session.patient_id),
            "context": reference("Encounter", administration.session_id),
            "effectivePeriod": pruned(
                {
                    "start": instant(administration.started_at),
                    "end": instant(administration.stopped_at),
                }
            ),
            "performer": [{"actor": reference("Practitioner", administration.started_by_id)}],
            "request": None,
            "dosage": dosage,
        }
    )


def adverse_event_resource(event: AdverseEvent) -> dict:
    """``event.session`` should be loaded."""
    return pruned(
        {
            "resourceType": "AdverseEvent",
            "id": str(event.pk),
            "meta": meta(event.recorded_at),
            "actuality": "actual",
            "event": {
                "coding": [
                    codes.coding(codes.LOCAL_ADVERSE_EVENTS, event.kind, event.get_kind_display())
                ],
                "text": event.description or event.get_kind_display(),
            },
            "subject": reference("Patient", event.session.patient_id),
            "encounter": reference("Encounter", event.session_id),
            "date": instant(event.onset_at),
            "recordedDate": instant(event.recorded_at),
            "recorder": reference("Practitioner", event.recorded_by_id),
            "severity": {
                "coding": [
                    codes.coding(codes.AE_SEVERITY, event.severity, event.get_severity_display())
                ]
            },
            "suspectEntity": [
                {"instance": reference("MedicationAdministration", event.session.administration.pk)}
            ]
            if _has_administration(event)
            else [],
        }
    )


def _has_administration(event: AdverseEvent) -> bool:
    try:
        return event.session.administration is not None
    except Administration.DoesNotExist:
        return False

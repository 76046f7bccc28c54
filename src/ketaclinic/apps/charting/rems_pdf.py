"""The REMS form as a PDF that reproduces the printed Patient Monitoring Form, box for box.

The layout follows the 11/2021 form (``clinical.rems_form.FORM_VERSION``): the same five
sections in the same order, each printed field with its label, asterisk and Yes/No or
56 mg / 84 mg / Other boxes; the values come from the stored record through the core's
field names (``rems.core_values``), so the PDF and the completeness check read one mapping.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.template.loader import render_to_string

from ketaclinic.apps.charting.models import RemsHealthcareSetting, RemsRecord
from ketaclinic.apps.charting.models.rems import REMS_FAX_NUMBER
from ketaclinic.apps.charting.rems import core_values, record_values
from ketaclinic.clinical.rems_form import FORM_VERSION, SECTIONS, field_named

# The printed form's rows: field names side by side (None: a blank cell).
LAYOUT: dict[str, tuple[tuple[str, ...], ...]] = {
    "patient": (
        ("patient_first_name", "patient_middle_initial", "patient_last_name"),
        ("patient_birth_date", "patient_sex"),
        ("first_treatment", "patient_enrolled"),
    ),
    "medication": (
        ("benzodiazepines", "non_benzodiazepine_hypnotics"),
        ("psychostimulants", "maois"),
        ("opioids",),
    ),
    "provider": (
        ("clinician_first_name", "clinician_last_name"),
        ("clinician_phone", "clinician_email"),
    ),
    "setting": (
        ("setting_name",),
        ("setting_address_1", "setting_address_2"),
        ("setting_city", "setting_state", "setting_zip"),
    ),
    "session": (
        ("treatment_date",),
        ("dose", "lot_number"),
        ("total_minutes",),
        ("ready_to_leave_minutes",),
        ("vitals_ok_before", "vitals_ok_at_completion"),
        ("bp_before", "bp_40min", "bp_end"),
        ("sedation", "dissociation", "respiratory_depression"),
        ("pulse_oximetry",),
        ("serious_adverse_event", "serious_adverse_event_description"),
    ),
}
GRID_COLUMNS = 6
"""Rows of one, two or three boxes share a six-column grid, so each row fills the width."""
BP_LABELS = {
    "bp_before": "Blood pressure prior to administration",
    "bp_40min": "Blood pressure 40 mins post-administration",
    "bp_end": "Blood pressure prior to treatment session completion",
}


def _printed(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%m/%d/%Y}"
    return "" if value is None else str(value)


def _cell(name: str, values: dict, span: int) -> dict:
    if name in BP_LABELS:
        systolic, diastolic = values.get(f"{name}_systolic"), values.get(f"{name}_diastolic")
        value = f"{_printed(systolic)} / {_printed(diastolic)} mmHg"
        return {"label": BP_LABELS[name], "required": True, "value": value, "span": span}
    spec = field_named(name)
    value = values.get(name)
    cell = {"label": spec.label, "required": spec.required, "span": span, "value": ""}
    if spec.kind == "yesno":
        cell["boxes"] = [
            {"label": "Yes", "ticked": value is True},
            {"label": "No", "ticked": value is False},
        ]
    elif spec.kind == "choice":
        cell["boxes"] = [{"label": label, "ticked": value == code} for code, label in spec.choices]
        if name == "dose" and value == "other":
            cell["value"] = f"{values.get('dose_other_mg')} mg"
    else:
        cell["value"] = _printed(value)
    return cell


def form_sections(values: dict) -> list[dict]:
    """The printed sections with their rows of cells, filled from ``values`` (core names)."""
    sections = []
    for code, title in SECTIONS:
        rows = []
        for row in LAYOUT[code]:
            rows.append([_cell(name, values, GRID_COLUMNS // len(row)) for name in row])
        sections.append({"code": code, "title": title, "rows": rows})
    return sections


def render_form_pdf(record: RemsRecord) -> bytes:
    """The PDF of one form (WeasyPrint; fonts are the system's DejaVu)."""
    from weasyprint import HTML

    session = record.session
    setting = RemsHealthcareSetting.objects.filter(site_id=session.patient.site_id).first()
    html = render_to_string(
        "charting/rems_form_pdf.html",
        {
            "sections": form_sections(core_values(record_values(record))),
            "form_version": record.form_version or FORM_VERSION,
            "reference": document_reference(record),
            "fax_number": setting.fax_number if setting else REMS_FAX_NUMBER,
            "mrn": session.patient.mrn,
            "prepared_by": record.prepared_by.get_full_name() or record.prepared_by.username,
            "prepared_at": f"{record.prepared_at:%m/%d/%Y %H:%M %Z}",
        },
    )
    return HTML(string=html).write_pdf()


def document_reference(record: RemsRecord) -> str:
    return f"KC-REMS-{record.session_id}"


def sha256_of(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()

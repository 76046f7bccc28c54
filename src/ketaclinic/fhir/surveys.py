"""Questionnaires, QuestionnaireResponses and scale-total Observations (category ``survey``).

Every self-report instrument of the clinical core is a Questionnaire (``Questionnaire/phq9``)
with its items, their LOINC codes where verified (PHQ-9, GAD-7) and answer options carrying
the scored value (``ordinalValue``). A self-report assessment is a QuestionnaireResponse
(``QuestionnaireResponse/<assessment id>``); every assessment's total is an Observation
(``Observation/as-<id>``) ``derivedFrom`` that response. In-session observer scales (MOAA/S,
CADSS) are Observations ``se-<id>``. Only versions in force are exported; a correction is
``amended``.
"""

from __future__ import annotations

from typing import Any

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.clinical.scales import INSTRUMENTS, Instrument, Rater
from ketaclinic.fhir import codes
from ketaclinic.fhir.elements import instant, meta, pruned, reference

US_CORE_SCREENING = (
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-screening-assessment"
)
SURVEY_CATEGORY = {
    "coding": [codes.coding(codes.OBSERVATION_CATEGORY, "survey", "Survey")],
    "text": "Survey",
}

SELF_REPORT_INSTRUMENTS: tuple[str, ...] = tuple(
    key for key, instrument in INSTRUMENTS.items() if instrument.rater is Rater.SELF
)


def questionnaire_id(instrument_id: str) -> str:
    return codes.fhir_id(instrument_id)


def instrument_for_questionnaire(questionnaire: str) -> str | None:
    """``phq9``, ``qids-sr16`` or a canonical URL ending in one, to the instrument id."""
    tail = questionnaire.rstrip("/").rsplit("/", 1)[-1].split("|", 1)[0]
    for key in SELF_REPORT_INSTRUMENTS:
        if questionnaire_id(key) == tail:
            return key
    return None


def total_codings(instrument_id: str) -> list[dict]:
    """The code of an instrument's total: its LOINC total (or, for a triage screener with no
    total, its LOINC panel), else the local code ``<id>-total``."""
    instrument = INSTRUMENTS[instrument_id]
    if instrument.loinc_total:
        return [codes.coding(codes.LOINC, instrument.loinc_total, f"{instrument.title} total")]
    if instrument.loinc_panel and instrument.max_total is None:
        return [codes.coding(codes.LOINC, instrument.loinc_panel, instrument.title)]
    return [codes.coding(codes.LOCAL_SCALES, f"{instrument_id}-total", f"{instrument.title} total")]


def answer_coding(instrument_id: str, item_key: str, value: int, label: str) -> dict:
    if item_key in codes.FREQUENCY_ITEMS.get(instrument_id, ()):
        code, display = codes.FREQUENCY_ANSWERS[value]
        return codes.coding(codes.LOINC, code, display)
    return codes.coding(codes.LOCAL_ANSWERS, str(value), label or str(value))


def _item_codes(instrument_id: str, item_key: str) -> list[dict]:
    code = codes.ITEM_LOINC.get(instrument_id, {}).get(item_key)
    return [codes.coding(codes.LOINC, code)] if code else []


def _computable_name(title: str) -> str:
    name = "".join(ch for ch in title if ch.isascii() and ch.isalnum())
    return name[:1].upper() + name[1:]


def questionnaire_resource(instrument: Instrument) -> dict:
    items = []
    for item in instrument.items:
        options = [
            {
                "extension": [{"url": codes.ORDINAL_VALUE, "valueDecimal": option.value}],
                "valueCoding": answer_coding(instrument.id, item.key, option.value, option.label),
            }
            for option in item.options
        ]
        entry = {
            "linkId": item.key,
            "code": _item_codes(instrument.id, item.key),
            "prefix": str(item.number),
            "text": item.text or item.label,
            "type": "choice",
            "required": item.required and item.asked_if is None,
            "answerOption": options,
        }
        if item.asked_if is not None:
            condition_item = next(i for i in instrument.items if i.key == item.asked_if.item)
            label = next(
                (o.label for o in condition_item.options if o.value == item.asked_if.value), ""
            )
            entry["enableWhen"] = [
                {
                    "question": item.asked_if.item,
                    "operator": "=",
                    "answerCoding": answer_coding(
                        instrument.id, item.asked_if.item, item.asked_if.value, label
                    ),
                }
            ]
        items.append(pruned(entry))
    qid = questionnaire_id(instrument.id)
    return pruned(
        {
            "resourceType": "Questionnaire",
            "id": qid,
            "url": f"{codes.QUESTIONNAIRE_BASE}/{qid}",
            "version": instrument.version,
            "name": _computable_name(instrument.title),
            "title": instrument.title,
            "status": "active",
            "subjectType": ["Patient"],
            "description": instrument.recall_period,
            "copyright": instrument.licence,
            "code": (
                [codes.coding(codes.LOINC, instrument.loinc_panel, instrument.title)]
                if instrument.loinc_panel
                else []
            ),
            "item": items,
        }
    )


def _author(assessment: Assessment) -> dict:
    if assessment.entered_by_id is not None:
        return reference("Practitioner", assessment.entered_by_id)
    return reference("Patient", assessment.patient_id)


# Each answered item of a QuestionnaireResponse, by (instrument, item, the answer's type and
# value): what it renders depends on nothing else, and an export renders every response of
# a clinic (never mutated: the de-identifier copies what it changes).
_ANSWERED_ITEMS: dict[tuple, dict] = {}
MAX_ANSWERED_ITEMS = 20_000  # every item of every instrument at every value, many times over


def _answered_item(instrument: Instrument, item: Any, value: Any) -> dict:
    key = (instrument.id, item.key, type(value), value)
    try:
        found, cacheable = _ANSWERED_ITEMS.get(key), True
    except TypeError:  # an answer that is no scalar: rendered afresh
        found, cacheable = None, False
    if found is None:
        label = {option.value: option.label for option in item.options}.get(value, "")
        found = {
            "linkId": item.key,
            "text": item.text or item.label,
            "answer": [{"valueCoding": answer_coding(instrument.id, item.key, value, label)}],
        }
        if cacheable and len(_ANSWERED_ITEMS) < MAX_ANSWERED_ITEMS:
            _ANSWERED_ITEMS[key] = found
    return found


def questionnaire_response_resource(assessment: Assessment) -> dict:
    instrument = INSTRUMENTS[assessment.instrument]
    answers = assessment.answers
    items = []
    for item in instrument.items:
        value = answers.get(item.key)
        if value is not None:
            items.append(_answered_item(instrument, item, value))
    return pruned(
        {
            "resourceType": "QuestionnaireResponse",
            "id": str(assessment.pk),
            "meta": meta(assessment.created_at),
            "questionnaire": f"{codes.QUESTIONNAIRE_BASE}/{questionnaire_id(instrument.id)}",
            "status": "amended" if assessment.corrects_id else "completed",
            "subject": reference("Patient", assessment.patient_id),
            "encounter": (
                reference("Encounter", assessment.session_id) if assessment.session_id else None
            ),
            "authored": instant(assessment.taken_at),
            "author": _author(assessment),
            "source": _author(assessment),
            "item": items,
        }
    )


def assessment_observation(assessment: Assessment) -> dict:
    resource = {
        "resourceType": "Observation",
        "id": f"as-{assessment.pk}",
        "meta": meta(assessment.created_at, US_CORE_SCREENING),
        "status": "amended" if assessment.corrects_id else "final",
        "category": [SURVEY_CATEGORY],
        "code": {
            "coding": total_codings(assessment.instrument),
            "text": INSTRUMENTS[assessment.instrument].title,
        },
        "subject": reference("Patient", assessment.patient_id),
        "encounter": (
            reference("Encounter", assessment.session_id) if assessment.session_id else None
        ),
        "effectiveDateTime": instant(assessment.taken_at),
        "issued": instant(assessment.created_at),
        "performer": [_author(assessment)],
    }
    if assessment.total is not None:
        resource["valueInteger"] = assessment.total
        if assessment.band_label:
            resource["interpretation"] = [{"text": assessment.band_label}]
    else:
        resource["valueCodeableConcept"] = {
            "coding": [
                codes.coding(
                    codes.LOCAL_SCALE_BANDS,
                    f"{assessment.instrument}-{assessment.band}",
                    assessment.band_label,
                )
            ],
            "text": assessment.band_label,
        }
    if assessment.instrument in SELF_REPORT_INSTRUMENTS:
        resource["derivedFrom"] = [reference("QuestionnaireResponse", assessment.pk)]
    return pruned(resource)


def scale_entry_observation(entry) -> dict:
    """An in-session MOAA/S or CADSS; ``entry``: a row of its source's columns."""
    resource = {
        "resourceType": "Observation",
        "id": f"se-{entry.pk}",
        "meta": meta(entry.taken_at),
        "status": "final",
        "category": [SURVEY_CATEGORY],
        "code": {"coding": total_codings(entry.scale), "text": INSTRUMENTS[entry.scale].title},
        "subject": reference("Patient", entry.patient_id),
        "encounter": reference("Encounter", entry.session_id),
        "effectiveDateTime": instant(entry.taken_at),
        "performer": [reference("Practitioner", entry.entered_by_id)],
        "valueInteger": entry.total,
    }
    if entry.band_label:
        resource["interpretation"] = [{"text": entry.band_label}]
    return resource

"""Importing QuestionnaireResponses completed in another app: PHQ-9, GAD-7 and PCL-5.

A response becomes an assessment scored by the clinical core and stored as a self-report,
through ``assessments.recording.record_assessment`` — the same path as the patient's own
link, so the same alerts are raised (a positive PHQ-9 item 9 reaches a clinician) in the
same transaction. Items are matched by our link ids (``item1``...), by their LOINC codes
(PHQ-9, GAD-7), or by a link id ending in that code; answers may be ``valueInteger``, a
LOINC answer code (LA6568-5 ... LA6571-9) or one of our answer codes.
"""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.patients.models import Patient
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.fhir import codes, surveys

IMPORTABLE = ("phq9", "gad7", "pcl5")
PANELS = {"44249-1": "phq9", "69737-5": "gad7"}
PERMISSION = "assessments.add_assessment"


class ImportProblem(ValueError):
    """A response we cannot import: the FHIRPath-like location and what is wrong (HTTP 422)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


def _instrument(resource: dict) -> str:
    questionnaire = resource.get("questionnaire")
    if not isinstance(questionnaire, str) or not questionnaire:
        raise ImportProblem("QuestionnaireResponse.questionnaire", "is required")
    tail = questionnaire.rstrip("/").rsplit("/", 1)[-1].split("|", 1)[0]
    instrument = PANELS.get(tail) or surveys.instrument_for_questionnaire(questionnaire)
    if instrument not in IMPORTABLE:
        raise ImportProblem(
            "QuestionnaireResponse.questionnaire",
            f"{questionnaire!r} is not importable (PHQ-9, GAD-7 or PCL-5)",
        )
    return instrument


def _item_key(instrument: str, item: dict, where: str) -> str:
    keys = {i.key for i in surveys.INSTRUMENTS[instrument].items}
    by_loinc = {code: key for key, code in codes.ITEM_LOINC.get(instrument, {}).items()}
    link_id = str(item.get("linkId", ""))
    if link_id in keys:
        return link_id
    tail = link_id.rstrip("/").rsplit("/", 1)[-1]
    if tail in by_loinc:
        return by_loinc[tail]
    raise ImportProblem(f"{where}.linkId", f"{link_id!r} is not an item of {instrument}")


def _value(instrument: str, key: str, answer: dict, where: str) -> int:
    if isinstance(answer.get("valueInteger"), int):
        return answer["valueInteger"]
    coding = answer.get("valueCoding")
    if isinstance(coding, dict):
        code = str(coding.get("code", ""))
        if coding.get("system") == codes.LOINC:
            for value, (loinc_code, _display) in codes.FREQUENCY_ANSWERS.items():
                if loinc_code == code and key in codes.FREQUENCY_ITEMS.get(instrument, ()):
                    return value
        if coding.get("system") == codes.LOCAL_ANSWERS and code.isdecimal():
            return int(code)
    raise ImportProblem(f"{where}.answer", "give valueInteger or a known answer code")


def _flat_items(items: list, where: str):
    for index, item in enumerate(items):
        path = f"{where}.item[{index}]"
        if not isinstance(item, dict):
            raise ImportProblem(path, "must be an object")
        if item.get("item"):
            yield from _flat_items(item["item"], path)
        if item.get("answer"):
            yield item, path


def answers_from(resource: dict) -> tuple[str, dict[str, int]]:
    instrument = _instrument(resource)
    answers: dict[str, int] = {}
    for item, where in _flat_items(resource.get("item") or [], "QuestionnaireResponse"):
        key = _item_key(instrument, item, where)
        answer = item["answer"]
        if not isinstance(answer, list) or len(answer) != 1 or not isinstance(answer[0], dict):
            raise ImportProblem(f"{where}.answer", "give exactly one answer")
        if key in answers:
            raise ImportProblem(f"{where}.linkId", f"{key} is answered twice")
        answers[key] = _value(instrument, key, answer[0], where)
    return instrument, answers


def import_response(request: Any, resource: Any) -> Assessment:
    """Check, score and store one QuestionnaireResponse; raises ``ImportProblem`` or 404."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
        raise ImportProblem("resourceType", "must be QuestionnaireResponse")
    if resource.get("status") != "completed":
        raise ImportProblem("QuestionnaireResponse.status", "only completed responses")
    subject = (resource.get("subject") or {}).get("reference", "")
    kind, _slash, ident = str(subject).rpartition("/")
    if not kind.endswith("Patient") or not ident.isdecimal():
        raise ImportProblem("QuestionnaireResponse.subject", "give Patient/<id>")
    patient = get_for_user_or_404(
        Patient, request.user, PERMISSION, pk=int(ident)
    )  # 404 for another site
    authored = resource.get("authored")
    taken_at = parse_datetime(authored) if isinstance(authored, str) else None
    if taken_at is None or taken_at.tzinfo is None:
        raise ImportProblem("QuestionnaireResponse.authored", "give a dateTime with a time zone")
    instrument, answers = answers_from(resource)
    try:
        return record_assessment(
            patient=patient,
            instrument=instrument,
            answers=answers,
            taken_at=taken_at,
            request=request,
        )
    except InputError as problem:
        raise ImportProblem(
            f"QuestionnaireResponse.item ({problem.field})", problem.message
        ) from None

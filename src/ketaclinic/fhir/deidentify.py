"""De-identifying exported resources for researchers (the HIPAA Safe Harbor identifiers).

What changes, and the manifest says so (``DEIDENTIFICATION``):
- Patients lose names, contacts, addresses, identifiers (MRN) and free text; the birth date
  keeps only its year (none at all from 90 years of age, which Safe Harbor pools).
- Ids of patient records (the patient, encounters, observations...) become pseudonyms (16
  hex digits, a keyed hash of type, id and the export's key), and every reference follows,
  so records still link up; the clinic, its sites and the questionnaires keep their ids.
- Every date and time of a patient's records moves by the same whole number of days,
  between -182 and +182, drawn per patient from the same keyed hash: intervals within a
  patient's record (days between sessions, minutes of a session) are kept exactly.
- Free text (descriptions, notes, event text) is removed; codes stay.
- Staff (Practitioner, PractitionerRole) are not exported; references to them are dropped.
  Provenance (who recorded what: staff by name) is not exported either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

MAX_SHIFT_DAYS = 182
DATE_KEYS = frozenset(
    {
        "effectiveDateTime",
        "issued",
        "authored",
        "date",
        "recordedDate",
        "onsetDateTime",
        "start",
        "end",
        "created",
        "lastUpdated",
    }
)
FREE_TEXT_KEYS = frozenset({"description", "note"})
PATIENT_ONLY_KEYS = ("name", "telecom", "address", "contact", "identifier", "extension")
STAFF_TYPES = frozenset({"Practitioner", "PractitionerRole"})
NOT_EXPORTED = STAFF_TYPES | {"Provenance"}
KEPT_IDS = frozenset({"Organization", "Location", "Questionnaire"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DEIDENTIFICATION = {
    "method": "HIPAA Safe Harbor identifiers removed (45 CFR 164.514(b)(2))",
    "ids": (
        "ids of patients and their records are pseudonyms (keyed hash), consistent within "
        "this export only; Organization, Location and Questionnaire ids are kept"
    ),
    "dateShift": (
        f"each patient's dates and times shifted by one whole number of days between "
        f"-{MAX_SHIFT_DAYS} and +{MAX_SHIFT_DAYS}, the same for all of that patient's "
        "resources; intervals within a patient's record are exact"
    ),
    "birthDate": "year only; removed for ages 90 and over",
    "removed": [
        "names",
        "telecom",
        "addresses",
        "contacts",
        "identifiers",
        "free text",
        "staff (Practitioner, PractitionerRole and references to them)",
        "Provenance (it names the staff who recorded each record)",
    ],
}


class Deidentifier:
    """Turns one export's resources into their de-identified form, with the export's key."""

    def __init__(self, key: bytes, today: dt.date) -> None:
        self.key = key
        self.today = today

    def _digest(self, patient_id: str) -> bytes:
        return hmac.new(self.key, patient_id.encode(), hashlib.sha256).digest()

    def pseudonym(self, resource_type: str, resource_id: str) -> str:
        if resource_type in KEPT_IDS:
            return resource_id
        return self._digest(f"{resource_type}/{resource_id}").hex()[:16]

    def shift_days(self, patient_id: str) -> int:
        number = int.from_bytes(self._digest(patient_id)[16:20], "big")
        return number % (2 * MAX_SHIFT_DAYS + 1) - MAX_SHIFT_DAYS

    def resource(self, resource: dict, patient_id: int | None) -> dict | None:
        """The de-identified copy, or ``None`` for a resource that is not exported."""
        if resource["resourceType"] in NOT_EXPORTED:
            return None
        shift = dt.timedelta(days=self.shift_days(str(patient_id))) if patient_id else None
        out = self._walk(resource, shift)
        out["id"] = self.pseudonym(resource["resourceType"], resource["id"])
        if resource["resourceType"] == "Patient":
            for key in PATIENT_ONLY_KEYS:
                out.pop(key, None)
            birth = resource.get("birthDate")
            out.pop("birthDate", None)
            if birth:
                born = dt.date.fromisoformat(birth)
                age = (
                    self.today.year
                    - born.year
                    - ((self.today.month, self.today.day) < (born.month, born.day))
                )
                if age < 90:
                    out["birthDate"] = str(born.year)
        return out

    def _walk(self, value, shift):
        if isinstance(value, list):
            items = [self._walk(v, shift) for v in value]
            return [i for i in items if i not in (None, {}, [])]
        if not isinstance(value, dict):
            return value
        if isinstance(value.get("reference"), str):
            kind, slash, ident = value["reference"].partition("/")
            if kind in STAFF_TYPES:
                return None
            if not slash:  # a contained resource ("#med")
                return {"reference": value["reference"]}
            return {"reference": f"{kind}/{self.pseudonym(kind, ident)}"}
        out = {}
        for key, item in value.items():
            if key in FREE_TEXT_KEYS or (key == "text" and isinstance(item, str)):
                continue
            if key in DATE_KEYS and isinstance(item, str) and shift is not None:
                out[key] = _shifted(item, shift)
                continue
            walked = self._walk(item, shift)
            if walked not in (None, {}, []):
                out[key] = walked
        return out


def _shifted(value: str, shift: dt.timedelta) -> str:
    if _DATE.match(value):
        return (dt.date.fromisoformat(value) + shift).isoformat()
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment + shift).isoformat()

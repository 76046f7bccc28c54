"""``record_listing``: the one audit event for a page of a list that shows patients.

A list page or API list shows many patients at once (names, dates of birth, MRNs, vitals), so
each page read is one event naming the patients shown, in ``detail["patients"]``. The ids come
from the rows the page already fetched, so auditing adds no query per row. A search is recorded
as a search, but never what was typed (a name in a query is patient data): only its length and
which other filters were used. An empty page still leaves its event, with an empty list: the
read (and the search that found nothing) happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event

if TYPE_CHECKING:
    from django.http import HttpRequest


def record_listing(
    request: HttpRequest,
    object_type: str,
    patient_ids: Iterable[int | None],
    *,
    page: int | str = 1,
    search_text: str | None = None,
    filters: dict[str, Any] | None = None,
    site: Any = None,
    object_id: object = "",
) -> Any:
    """Record one event for one page of ``object_type`` rows showing ``patient_ids``.

    ``search_text`` is what a person typed to find patients: when given (even empty, with other
    ``filters``) the event is a search, storing ``query_length`` instead of the text.
    ``filters`` are the page's other, non-identifying choices (a state, a date, a flag);
    ``object_id`` names the one object whose rows these are (a container's history), if any.
    ``page`` is a number, or for a list paged by sort key "after"/"before" (past the first).
    """
    shown = list(dict.fromkeys(pid for pid in patient_ids if pid is not None))
    detail: dict[str, Any] = {"patients": shown, "page": page}
    if filters:
        detail["filters"] = filters
    action = Action.VIEW
    if search_text is not None:
        action = Action.SEARCH
        detail["query_length"] = len(search_text)
    return record_event(
        request, action, object_type=object_type, object_id=object_id, site=site, detail=detail
    )

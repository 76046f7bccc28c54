"""``{% load clinical_labels %}``: the names people read for the clinical core's codes.

Protocol ids (``iv-depression-induction``) and source keys (``outcomes_elekt_d_anand2023``)
are for machines; pages and PDFs show the protocol's title and a short citation. An id the
core does not know is shown as it is, so nothing disappears from a page.
"""

from __future__ import annotations

import re

from django import template

from ketaclinic.clinical.protocols import PROTOCOLS
from ketaclinic.clinical.sources import SOURCES

register = template.Library()

_YEAR = re.compile(r"\b(19|20)\d{2}\b")


@register.filter
def protocol_title(protocol_id: str) -> str:
    protocol = PROTOCOLS.get(str(protocol_id))
    return protocol.title if protocol is not None else str(protocol_id)


def short_citation(key: str) -> str:
    """``outcomes_elekt_d_anand2023`` -> "Anand A et al., 2023"; an unknown key unchanged."""
    source = SOURCES.get(str(key))
    if source is None:
        return str(key)
    authors = source.citation.split(". ", 1)[0]
    names = [name.strip() for name in authors.split(",") if name.strip()]
    first = names[0] if names else source.citation[:40]
    more = len(names) > 1
    year = _YEAR.search(source.citation)
    return f"{first}{' et al.' if more else ''}{', ' + year.group() if year else ''}"


@register.filter
def source_citation(key: str) -> str:
    return short_citation(key)

"""Who sees which KAP programs, and who reads or writes their notes: the assignment rules.

- therapist: sees the programs it is therapist or co-therapist of, reads their notes and
  writes notes on their held sessions;
- prescriber, medical director: see every program at their sites, read the notes, start
  and close programs (they do not write psychotherapy notes);
- nurse: sees every program at its sites as a schedule: sessions, statuses and that a note
  exists, never the goals or what a note says;
- front desk, administrator: no KAP page at all.

Which sites is ``accounts.scoping``'s answer, permission by permission (a role may be held at
one site only): another site's program is a 404, and so is a program at one's own site that
a therapist is not assigned to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, holds_at, restrict
from ketaclinic.apps.kap.models import KapProgram

if TYPE_CHECKING:
    from django.db.models import QuerySet

VIEW = "kap.view_kapprogram"
VIEW_SITE = "kap.view_site_kap_programs"
READ_NOTES = "kap.read_kap_note"
WRITE_NOTE = "kap.add_kapnote"
START = "kap.add_kapprogram"
CLOSE = "kap.close_kapprogram"


def programs_for(user) -> QuerySet[KapProgram]:
    """The programs ``user`` may see: every one at the sites where they see KAP programs
    site-wide, their own at the sites where they see programs at all."""
    site_wide = restrict(KapProgram, user, VIEW, VIEW_SITE)
    own = restrict(KapProgram, user, VIEW).filter(Q(therapist=user) | Q(co_therapist=user))
    return site_wide | own


def program_for(user, program_id: int) -> KapProgram:
    """One program the user may see, or 404 (whether it exists elsewhere is not disclosed)."""
    programs = programs_for(user).select_related(
        "patient__site", "course", "therapist", "co_therapist", "prescriber"
    )
    return get_for_user_or_404(programs, user, VIEW, pk=program_id)


def can_read_notes(user, program: KapProgram) -> bool:
    """Therapists read the notes of the programs they see (their own); prescribers and the
    director read every program's at their sites; nurses see only that a note exists."""
    return holds_at(user, READ_NOTES, program.site_id)


def can_write_notes(user, program: KapProgram) -> bool:
    return holds_at(user, WRITE_NOTE, program.site_id) and program.is_therapist(user)

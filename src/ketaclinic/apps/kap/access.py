"""Who sees which KAP programs, and who reads or writes their notes: the one table.

- therapist: sees the programs it is therapist or co-therapist of, reads their notes and
  writes notes on their held sessions;
- prescriber, medical director: see every program at their sites, read the notes, start
  and close programs (they do not write psychotherapy notes);
- nurse: sees every program at its sites as a schedule: sessions, statuses and that a note
  exists, never the goals or what a note says;
- front desk, administrator: no KAP page at all.

Site scoping goes through ``accounts.access.patients_for``: another site's program is a 404,
and so is a program at one's own site that a therapist is not assigned to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.kap.models import KapProgram
from ketaclinic.apps.patients.models import Patient

if TYPE_CHECKING:
    from django.db.models import QuerySet

VIEW = "kap.view_kapprogram"
VIEW_SITE = "kap.view_site_kap_programs"
READ_NOTES = "kap.read_kap_note"
WRITE_NOTE = "kap.add_kapnote"
START = "kap.add_kapprogram"
CLOSE = "kap.close_kapprogram"


def programs_for(user) -> QuerySet[KapProgram]:
    """The programs ``user`` may see: at their sites, and their own unless site-wide."""
    if not user.has_perm(VIEW):
        return KapProgram.objects.none()
    programs = KapProgram.objects.filter(
        patient__in=restrict(Patient, user, "patients.view_patient")
    )
    if user.has_perm(VIEW_SITE):
        return programs
    return programs.filter(Q(therapist=user) | Q(co_therapist=user))


def program_for(user, program_id: int) -> KapProgram:
    """One program the user may see, or 404 (whether it exists elsewhere is not disclosed)."""
    try:
        return (
            programs_for(user)
            .select_related(
                "patient__site", "site", "course", "therapist", "co_therapist", "prescriber"
            )
            .get(pk=program_id)
        )
    except (KapProgram.DoesNotExist, ValueError, TypeError):
        raise Http404("No such program") from None


def can_read_notes(user, program: KapProgram) -> bool:
    """Therapists read the notes of the programs they see (their own); prescribers and the
    director read every program's at their sites; nurses see only that a note exists."""
    return user.has_perm(READ_NOTES)


def can_write_notes(user, program: KapProgram) -> bool:
    return user.has_perm(WRITE_NOTE) and program.is_therapist(user)

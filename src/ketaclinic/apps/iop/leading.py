"""Which IOP groups, sessions and notes a member of staff may see: the leading rules.

Which sites is ``accounts.scoping``'s answer, permission by permission (another site's group
is a 404, like a patient). Leading a group is what lets a therapist take its attendance and
read or write its notes; prescribers and the medical director read every group's notes at the
sites where they hold that role.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, holds_at, restrict
from ketaclinic.apps.iop.models import GroupSession, IopGroup

if TYPE_CHECKING:
    from django.db.models import QuerySet

VIEW = "iop.view_iopgroup"
RUN = "iop.change_iopgroup"
ADD = "iop.add_iopgroup"
ROSTER = "iop.manage_roster"
SCHEDULE = "iop.add_groupsession"
SEE_ATTENDANCE = "iop.view_attendance"
TAKE_ATTENDANCE = "iop.take_attendance"
WRITE_NOTE = "iop.write_iop_note"
READ_NOTE = "iop.read_iop_note"
READ_ALL_NOTES = "iop.read_all_iop_notes"


def groups_for(user: Any) -> QuerySet[IopGroup]:
    """The groups at the user's sites, if their role may see IOP groups at all."""
    return restrict(IopGroup, user, VIEW)


def group_for(user: Any, group_id: int) -> IopGroup:
    """One group the user may see, or 404."""
    return get_for_user_or_404(IopGroup, user, VIEW, pk=group_id)


def session_for(user: Any, session_id: int) -> GroupSession:
    """One session of a group the user may see, or 404."""
    sessions = GroupSession.objects.select_related("facilitator")
    return get_for_user_or_404(sessions, user, VIEW, pk=session_id)


def leads(user: Any, group: IopGroup, session: GroupSession | None = None) -> bool:
    """Whether the user facilitates the group (or this session of it)."""
    if session is not None and session.facilitator_id == user.pk:
        return True
    return group.facilitators.filter(pk=user.pk).exists()


def may_take_attendance(user: Any, group: IopGroup, session: GroupSession | None = None) -> bool:
    return holds_at(user, TAKE_ATTENDANCE, group.site_id) and leads(user, group, session)


def may_write_notes(user: Any, group: IopGroup, session: GroupSession | None = None) -> bool:
    return holds_at(user, WRITE_NOTE, group.site_id) and leads(user, group, session)


def may_read_notes(user: Any, group: IopGroup) -> bool:
    if holds_at(user, READ_ALL_NOTES, group.site_id):
        return True
    return holds_at(user, READ_NOTE, group.site_id) and leads(user, group)


def note_groups_for(user: Any) -> QuerySet[IopGroup]:
    """The groups whose notes the user may read (for a patient's page across groups)."""
    led = IopGroup.objects.filter(facilitators=user).values("pk")
    every = restrict(IopGroup, user, VIEW, READ_ALL_NOTES)
    return every | restrict(IopGroup, user, VIEW, READ_NOTE).filter(pk__in=led)

"""Which IOP groups, sessions and notes a member of staff may see.

Groups are site-scoped through ``accounts.access`` (another site's group is a 404, like a
patient). Leading a group is what lets a therapist take its attendance and read or write its
notes; prescribers and the medical director read every group's notes at their sites.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from ketaclinic.apps.accounts.scoping import site_ids_for
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
    if not user.has_perm(VIEW):
        return IopGroup.objects.none()
    return IopGroup.objects.filter(site_id__in=site_ids_for(user))


def group_for(user: Any, group_id: int) -> IopGroup:
    """One group the user may see, or 404."""
    try:
        return groups_for(user).select_related("site").get(pk=group_id)
    except (IopGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No such group") from None


def session_for(user: Any, session_id: int) -> GroupSession:
    """One session of a group the user may see, or 404."""
    try:
        return GroupSession.objects.select_related("group__site", "facilitator").get(
            pk=session_id, group__in=groups_for(user)
        )
    except (GroupSession.DoesNotExist, ValueError, TypeError):
        raise Http404("No such session") from None


def leads(user: Any, group: IopGroup, session: GroupSession | None = None) -> bool:
    """Whether the user facilitates the group (or this session of it)."""
    if session is not None and session.facilitator_id == user.pk:
        return True
    return group.facilitators.filter(pk=user.pk).exists()


def may_take_attendance(user: Any, group: IopGroup, session: GroupSession | None = None) -> bool:
    return user.has_perm(TAKE_ATTENDANCE) and leads(user, group, session)


def may_write_notes(user: Any, group: IopGroup, session: GroupSession | None = None) -> bool:
    return user.has_perm(WRITE_NOTE) and leads(user, group, session)


def may_read_notes(user: Any, group: IopGroup) -> bool:
    if user.has_perm(READ_ALL_NOTES):
        return True
    return user.has_perm(READ_NOTE) and leads(user, group)


def note_groups_for(user: Any) -> QuerySet[IopGroup]:
    """The groups whose notes the user may read (for a patient's page across groups)."""
    groups = groups_for(user)
    if user.has_perm(READ_ALL_NOTES):
        return groups
    if user.has_perm(READ_NOTE):
        return groups.filter(facilitators=user)
    return IopGroup.objects.none()

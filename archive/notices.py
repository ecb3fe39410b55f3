"""The archive's notices (written through the outbox, liaison.notifications)."""
from django.utils.translation import gettext as _

from infoflow import notices as item_notices
from infoflow.people import people_with_role
from liaison import notifications
from officers.models import RoleAssignment


@item_notices.in_notify_language
def archive_due(item, due_at) -> list:
    """A completed item not archived when its archiving fell due → the secretariat."""
    out = item_notices.rows(
        people_with_role(RoleAssignment.Role.SECRETARIAT, RoleAssignment.Role.SECRETARIAT_LEAD), item=item,
        key="archive:%d" % item.pk, kind="archive_due", due=due_at,
        subject=_("待归档：信息 %(number)s") % {"number": item.number},
        body=_("%(what)s 已于 %(completed)s 办结，应于 %(due)s 前归档，目前尚未归档，请处理。")
        % {"what": item_notices.what(item), "completed": item_notices.fmt(item.completed_at),
           "due": item_notices.fmt(due_at)},
    )
    notifications.write(out)
    return out

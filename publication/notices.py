"""The notices of publication, one named function per occasion, called
inside the service's transaction; rows go through the outbox
(liaison.notifications). Texts are built in the notify language; a
restricted item's subject never appears (infoflow.notices.what)."""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from infoflow.notices import in_notify_language, item_url, name_of, what
from liaison import notifications


def _rows(users, *, item, key, kind, subject, body, url, actor=None) -> list:
    return [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url,
                            item=item, confidentiality=item.confidentiality)
        for user in users if user is not None and getattr(actor, "pk", None) != user.pk
    ]


@in_notify_language
def item_edited(item, edits, *, actor) -> list:
    """A reviewer changed the submitter's text: the submitter is told what and by whom."""
    fields = "、".join(dict.fromkeys(str(e.get_field_display()) for e in edits))
    out = _rows(
        [item.initiator], item=item, actor=actor, kind="other", url=item_url(item.pk),
        key="publication:edit:%d" % edits[-1].pk,
        subject=_("审核人修改了%(item)s") % {"item": what(item)},
        body=_("%(who)s 在审核中修改了%(fields)s，修改对照见信息的处理记录。") % {"who": name_of(actor), "fields": fields},
    )
    notifications.write(out)
    return out


@in_notify_language
def item_released(record, *, actor) -> list:
    """An item went out on a channel: its submitter is told where."""
    item = record.release.item
    out = _rows(
        [item.initiator], item=item, actor=actor, kind="other", url=item_url(item.pk),
        key="publication:record:%d" % record.pk,
        subject=_("%(item)s已发布") % {"item": what(item)},
        body=_("已在“%(channel)s”发布（发布人：%(who)s）。") % {"channel": record.channel_name, "who": name_of(actor)},
    )
    notifications.write(out)
    return out


@in_notify_language
def plan_assigned(plan, *, actor) -> list:
    """A release plan names a person in charge: they are told the date."""
    item = plan.release.item
    out = _rows(
        [plan.person_in_charge], item=item, actor=actor, kind="task", url=reverse("publication:calendar"),
        key="publication:plan:%d:%s" % (plan.pk, plan.planned_on.isoformat()),
        subject=_("发布方案：%(item)s") % {"item": what(item)},
        body=_("您是该信息发布的负责人，计划发布日期 %(date)s，请做好发布前准备。") % {"date": plan.planned_on.isoformat()},
    )
    notifications.write(out)
    return out


@in_notify_language
def correction_linked(correction, *, actor) -> list:
    """A correction or retraction was registered: the original's submitter is told."""
    original = correction.original
    out = _rows(
        [original.initiator], item=original, actor=actor, kind="other", url=item_url(correction.item_id),
        key="publication:correction:%d" % correction.pk,
        subject=_("%(kind)s：%(item)s") % {"kind": correction.get_kind_display(), "item": what(original)},
        body=_("%(who)s 登记了对该信息的%(kind)s。") % {"who": name_of(actor), "kind": correction.get_kind_display()},
    )
    notifications.write(out)
    return out

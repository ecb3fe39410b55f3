"""Release (seed 002 §三(四) 信息发布): the re-check, a release record per
channel, the e-mail release, release plans and view counts.

Who: the secretariat (信息发布中心) releases on any channel; a channel's
manager (管理员, seed 002 §四) records releases on that channel.
What: an approved item (after every stage of its route, including a re-check
stage when the route has one). Public items go anywhere; internal items only
by e-mail and then as a link, never their text; restricted items are never
released (domain: confidentiality; seed 002 §五(三)).
Races: the item row is locked first, so two publishers releasing one item on
one channel at once give one record; the (release, channel) unique
constraint is the backstop.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import extensions
from infoflow.files import inspect_upload
from infoflow.models import Confidentiality, Item, ReviewStep, StageKind
from infoflow.notices import item_url
from infoflow.services import lock_item, not_allowed, save_with_history
from infoflow.visibility import can_view
from liaison.errors import InvalidInput, StateConflict

from .. import notices
from ..models import BulletinCategory, Channel, Release, ReleasePlan, ReleaseRecord
from ..selectors import is_publisher, may_record_on

# After the route: approved, and the states it goes on to.
RELEASABLE_STATES = (Item.State.APPROVED, Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)
# Item kinds that are published (信息发布; 通知 go on the bulletin's 通知公告).
RELEASABLE_KINDS = ("publication", "notice")


def recheck_required(item: Item) -> bool:
    """True when the item's route (as frozen at submission) has a re-check stage."""
    return any(stage.get("kind") == StageKind.RECHECK for stage in (item.route_snapshot or []))


def recheck_done(item: Item) -> bool:
    """True when every re-check stage of the item's last review round was approved."""
    indexes = [i for i, stage in enumerate(item.route_snapshot or []) if stage.get("kind") == StageKind.RECHECK]
    if not indexes:
        return True
    approved = ReviewStep.objects.filter(item=item, review_round=item.review_round, stage_index__in=indexes,
                                         state=ReviewStep.State.APPROVED).count()
    return approved == len(indexes)


def release_refusal(item: Item, channel: Channel | None = None) -> str:
    """Why ``item`` cannot be released (on ``channel``), in words; "" when it can."""
    if item.kind not in RELEASABLE_KINDS:
        return _("只有信息发布类和通知类信息可以发布。")
    if item.state not in RELEASABLE_STATES:
        return _("信息审核通过后才能发布（当前状态：%(state)s）。") % {"state": item.get_state_display()}
    if recheck_required(item) and not recheck_done(item):
        return _("该信息的审核路线要求发布前复核，复核通过后才能发布。")
    if item.confidentiality == Confidentiality.RESTRICTED:
        return _("限定范围的信息不能发布。")
    if channel is not None and channel.kind != Channel.Kind.EMAIL and item.confidentiality != Confidentiality.PUBLIC:
        return _("内部信息只能以邮件链接方式发布，不能发布到“%(channel)s”。") % {"channel": channel.name}
    return ""


def _release_for(item: Item, actor, category=None) -> Release:
    release = Release.objects.select_for_update().filter(item=item).first()
    if release is None:
        release = Release(item=item, category=category, created_by=actor)
        save_with_history(release, actor, "create")
    elif category is not None and release.category_id != category.pk:
        release.category = category
        save_with_history(release, actor, "category", update_fields=["category"])
    return release


def email_content(item: Item) -> tuple[str, str]:
    """(subject, body) of the e-mail release: a public item's text; an internal
    item's number and link only (domain: e-mail carries no internal content)."""
    link = settings.SITE_URL.rstrip("/") + item_url(item.pk)
    if item.confidentiality == Confidentiality.PUBLIC:
        # One line: a line break in a header makes EmailMessage raise BadHeaderError in on_commit (trial 16).
        return " ".join(item.subject.split()), "%s\n\n%s" % (item.summary, link)
    number = item.number or str(item.pk)
    return (_("内部信息 %(number)s") % {"number": number},
            _("内部信息 %(number)s 已发布，请登录平台查看：%(link)s") % {"number": number, "link": link})


@transaction.atomic
def record_release(*, actor, item: Item, channel: Channel, category: BulletinCategory | None = None,
                   link: str = "", evidence=None, note: str = "", released_at: datetime.datetime | None = None
                   ) -> ReleaseRecord:
    """Release ``item`` on ``channel`` and keep the record (time, link,
    publisher, evidence file; the channel's name and kind as they are now).
    A bulletin release needs a category; an e-mail release sends to the
    channel's distribution list after commit. Raises NotAllowed (not a
    publisher of this channel, or the item not visible), StateConflict
    (not releasable now, or already released on this channel), InvalidInput."""
    item = lock_item(item)
    channel = Channel.objects.select_related("distribution_list").get(pk=channel.pk)
    if not (may_record_on(actor, channel) and can_view(actor, item)):
        raise not_allowed()
    if not channel.is_active:
        raise InvalidInput(_("发布渠道“%(channel)s”已停用。") % {"channel": channel.name})
    refusal = release_refusal(item, channel)
    if refusal:
        raise StateConflict(refusal)
    release = _release_for(item, actor, category)
    if channel.kind == Channel.Kind.BULLETIN and release.category_id is None:
        raise InvalidInput(_("发布到门户公告栏须选择栏目。"))
    if ReleaseRecord.objects.filter(release=release, channel=channel).exists():
        raise StateConflict(_("该信息已在“%(channel)s”发布过。") % {"channel": channel.name})
    now = timezone.now()
    released_at = released_at or now
    if released_at > now:
        raise InvalidInput(_("发布时间不能晚于现在。"))
    record = ReleaseRecord(release=release, channel=channel, channel_name=channel.name, channel_kind=channel.kind,
                           released_at=released_at, released_by=actor, link=link.strip(), note=note.strip())
    if evidence is not None:
        inspect_upload(evidence)  # the portal's file check (type, size); raises AttachmentRejected
        record.evidence_name = (getattr(evidence, "name", "") or "file")[-255:]
        record.evidence.save("upload", evidence, save=False)
    if channel.kind == Channel.Kind.EMAIL:
        addresses = channel.distribution_list.address_list if channel.distribution_list.is_active else []
        if not addresses:
            raise InvalidInput(_("邮件分发列表“%(name)s”没有可用的邮件地址。") % {"name": channel.distribution_list.name})
        record.recipients = len(addresses)
        subject, body = email_content(item)
        message = EmailMessage(subject=subject, body=body, to=[settings.DEFAULT_FROM_EMAIL], bcc=addresses)
        transaction.on_commit(lambda: message.send(fail_silently=True))
    save_with_history(record, actor, "release")
    if release.first_released_at is None or released_at < release.first_released_at:
        release.first_released_at = released_at
        save_with_history(release, actor, "release", update_fields=["first_released_at"])
    _close_plan(release, actor)
    notices.item_released(record, actor=actor)
    extensions.item_finished(item, actor=actor, how="released")  # information needs (library, issue 19)
    return record


def _close_plan(release: Release, actor) -> None:
    plan = ReleasePlan.objects.select_for_update().filter(release=release, state=ReleasePlan.State.PLANNED).first()
    if plan is None:
        return
    done = set(ReleaseRecord.objects.filter(release=release).values_list("channel_id", flat=True))
    if set(plan.channels.values_list("pk", flat=True)) <= done:
        plan.state = ReleasePlan.State.DONE
        save_with_history(plan, actor, "done", update_fields=["state"])


@transaction.atomic
def plan_release(*, actor, item: Item, planned_on: datetime.date, channels, person_in_charge,
                 preparation: str = "", category: BulletinCategory | None = None) -> ReleasePlan:
    """A release plan for an important item (seed 002 §三(四)3: 提前制定发布方案):
    date, channels, person in charge, preparation. Replaces the item's open
    plan. Raises NotAllowed (not the secretariat), StateConflict, InvalidInput."""
    item = lock_item(item)
    if not (is_publisher(actor) and can_view(actor, item)):
        raise not_allowed()
    channels = list(channels)
    if not channels:
        raise InvalidInput(_("请至少选择一个发布渠道。"))
    if planned_on < timezone.localdate():
        raise InvalidInput(_("计划发布日期不能早于今天。"))
    if item.kind not in RELEASABLE_KINDS or item.confidentiality == Confidentiality.RESTRICTED:
        raise StateConflict(release_refusal(item) or _("该信息不能发布。"))
    for channel in channels:
        if channel.kind != Channel.Kind.EMAIL and item.confidentiality != Confidentiality.PUBLIC:
            raise InvalidInput(release_refusal(item, channel) or _("该信息不能发布到该渠道。"))
    release = _release_for(item, actor, category)
    plan = ReleasePlan.objects.select_for_update().filter(release=release).first()
    if plan is not None and plan.state == ReleasePlan.State.DONE:
        raise StateConflict(_("该信息的发布方案已执行完毕。"))
    plan = plan or ReleasePlan(release=release, created_by=actor)
    plan.planned_on = planned_on
    plan.person_in_charge = person_in_charge
    plan.preparation = preparation.strip()
    plan.state = ReleasePlan.State.PLANNED
    save_with_history(plan, actor, "plan")
    plan.channels.set(channels)
    notices.plan_assigned(plan, actor=actor)
    return plan


@transaction.atomic
def cancel_plan(*, actor, plan: ReleasePlan) -> ReleasePlan:
    """Cancel a planned release. Raises NotAllowed, StateConflict."""
    plan = ReleasePlan.objects.select_for_update().get(pk=plan.pk)
    if not is_publisher(actor):
        raise not_allowed()
    if plan.state != ReleasePlan.State.PLANNED:
        raise StateConflict(_("该发布方案已不在计划中。"))
    plan.state = ReleasePlan.State.CANCELLED
    save_with_history(plan, actor, "cancel", update_fields=["state"])
    return plan


def count_view(*, record: ReleaseRecord) -> None:
    """One more view of a bulletin release (an atomic UPDATE; no history)."""
    ReleaseRecord.objects.filter(pk=record.pk).update(views=F("views") + 1)

"""Notices for the moves of an item, hooked to ``item_event`` (framework glue:
the signal is sent after the service's commit; the business rule of who is
told lives here, in plain functions).

step opened → its assignees; transmitted → each receiver's head and officers
(or the receiving person); returned, review done, answered → the initiator;
question raised → the responsible unit's head and officers. Keys are per
event, so a repeated signal writes nothing twice. A failure is logged, never
raised: the user's action has already committed.
"""
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from officers.models import Officer

from ..models import Item, Question, Receiver, ReviewStep, StepAssignee

log = logging.getLogger(__name__)


def _unit_people(unit):
    ids = [unit.head_id] if unit and unit.head_id else []
    if unit:
        ids += list(Officer.objects.filter(unit=unit, status=Officer.Status.ACTIVE).values_list("user_id", flat=True))
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=ids, is_active=True).in_bulk()
    return [users[i] for i in dict.fromkeys(ids) if i in users]


def _what(item):
    if item.confidentiality == "restricted":
        return _("信息 %(number)s") % {"number": item.number}
    return _("信息 %(number)s“%(subject)s”") % {"number": item.number, "subject": item.subject}


def notices_for(event, item, extra) -> list:
    from liaison.notifications import notify

    url = reverse("infoflow:item-detail", args=[item.pk])
    common = {"url": url, "item": item, "confidentiality": item.confidentiality}
    sent = []

    def send(users, key, kind, subject, body, due=None):
        for user in users:
            n = notify(recipient=user, key=key, kind=kind, subject=subject, body=body, due=due, **common)
            if n is not None:
                sent.append(n)

    what = _what(item)
    if event == "step_opened":
        step = ReviewStep.objects.filter(pk=extra.get("step_id")).first()
        if step is None:
            return sent
        for a in step.assignees.filter(decision=StepAssignee.Decision.PENDING).select_related("user"):
            send([a.user], "step:%d:opened" % a.pk, "task",
                 _("待审核：信息 %(number)s") % {"number": item.number},
                 _("%(what)s 已进入“%(stage)s”环节，请在期限前审核。") % {"what": what, "stage": step.name},
                 due=step.due_at)
    elif event == "transmitted":
        for r in item.receivers.filter(state__in=(Receiver.State.SENT,)).select_related("unit", "user"):
            users = _unit_people(r.unit) if r.kind == Receiver.Kind.UNIT else ([r.user] if r.user_id else [])
            send(users, "receiver:%d:sent" % r.pk, "task",
                 _("请签收：信息 %(number)s") % {"number": item.number},
                 _("您收到%(what)s，请签收并按期反馈。") % {"what": what}, due=r.answer_due_at or r.response_due_at)
    elif event == "returned":
        send([item.initiator], "item:%d:returned:%s" % (item.pk, extra.get("step_id")), "other",
             _("已退回：信息 %(number)s") % {"number": item.number},
             _("%(what)s 被退回修改，请查看退回理由后修改并重新提交。") % {"what": what})
    elif event == "review_done":
        send([item.initiator], "item:%d:approved:%d" % (item.pk, item.review_round), "other",
             _("审核通过：信息 %(number)s") % {"number": item.number},
             _("%(what)s 已审核通过，请及时传递。") % {"what": what})
    elif event == "answered":
        receiver = Receiver.objects.filter(pk=extra.get("receiver_id")).first()
        if receiver is not None:
            send([item.initiator], "receiver:%d:answered" % receiver.pk, "other",
                 _("已反馈：信息 %(number)s") % {"number": item.number},
                 _("%(receiver)s 已反馈%(what)s 的处理结果。") % {"receiver": receiver.label, "what": what})
    elif event == "question_raised":
        question = Question.objects.filter(pk=extra.get("question_id")).select_related("responsible_unit").first()
        if question is not None:
            send(_unit_people(question.responsible_unit), "question:%d:raised" % question.pk, "task",
                 _("待答复：信息 %(number)s") % {"number": item.number},
                 _("关于%(what)s 的%(kind)s需要贵部门答复。") % {"what": what, "kind": question.get_kind_display()},
                 due=question.due_at)
    return sent


def on_item_event(sender, item_id, event, actor_id=None, extra=None, **kwargs):
    from django.conf import settings

    try:
        item = Item.objects.select_related("initiator").filter(pk=item_id).first()
        if item is None:
            return
        with transaction.atomic(), translation.override(getattr(settings, "NOTIFY_LANGUAGE", None)):
            notices_for(event, item, extra or {})
    except Exception:
        log.exception("could not write the notices of %s on item %s", event, item_id)

"""The notices of the information flow, one named function per occasion.

A service calls these inside its transaction, right where the change
happens (``approve_step`` → ``open_stage`` → ``notices.step_opened(step)``),
so a notice is committed with the change it reports or not at all. Each
function decides who is told (``infoflow.people``) and what they read, and
inserts the rows through ``liaison.notifications.write`` (the outbox);
delivery by e-mail and group robot follows after commit.

A sweep's notices are claimed by the case's ``notice_at`` cursor
(liaison.sweeps): a sweep running twice, or two at once, hands nothing twice
to the insert. The key, unique per recipient, is only a backstop. Nobody is
told of their own action.

Texts are built in settings.NOTIFY_LANGUAGE whatever language the acting
user reads; restricted items never show their subject.
"""
from __future__ import annotations

import functools
import threading
from contextlib import contextmanager

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation

from liaison import notifications

from .models import Confidentiality, Receiver, StepAssignee
from .people import receiver_people, unit_people, with_deputies, without


_local = threading.local()


def _(message: str) -> str:
    """gettext; inside ``texts()`` each message is looked up once per batch."""
    # Called with the literal msgids below only (makemessages reads ``_``).
    memo = getattr(_local, "texts", None)
    if memo is None:
        return translation.gettext(message)
    try:
        return memo[message]
    except KeyError:
        memo[message] = text = translation.gettext(message)
        return text


@contextmanager
def texts():
    """A sweep batch: the notify language activated once, each message
    translated once (thousands of notices share a handful of texts)."""
    if getattr(_local, "texts", None) is not None:
        yield
        return
    with translation.override(settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE):
        # Tuple keys beside the msgids: the zone and the link, looked up once.
        _local.texts = {("zone",): timezone.get_current_timezone(), ("url",): _item_url_template(
            get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)}
        try:
            yield
        finally:
            _local.texts = None


def in_notify_language(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if getattr(_local, "texts", None) is not None:  # a sweep batch set it once
            return func(*args, **kwargs)
        language = settings.NOTIFY_LANGUAGE or settings.LANGUAGE_CODE
        if translation.get_language() == language:  # a sweep batch set it once
            return func(*args, **kwargs)
        with translation.override(language):
            return func(*args, **kwargs)

    return wrapper


def fmt(moment) -> str:
    memo = getattr(_local, "texts", None)
    if memo is not None and moment.tzinfo is not None:
        key = ("fmt", moment)  # a batch's cases mostly share their deadlines
        try:
            return memo[key]
        except KeyError:
            memo[key] = text = moment.astimezone(memo[("zone",)]).strftime("%Y-%m-%d %H:%M")
            return text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


_MARK = 918273645  # an id no item has: reversed once, then replaced
_MARK_TEXT = str(_MARK)


@functools.lru_cache(maxsize=8)
def _item_url_template(prefix: str, urlconf) -> str:
    return reverse("infoflow:item-detail", args=[_MARK], urlconf=urlconf)


def item_url(item_id) -> str:
    """The item's page. Reversed once per script prefix and URLconf, then
    filled in: a sweep batch links thousands of notices."""
    memo = getattr(_local, "texts", None)
    if memo is not None:
        template = memo[("url",)]
    else:
        template = _item_url_template(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return template.replace(_MARK_TEXT, str(item_id))


def what(item, stage=None) -> str:
    """Which item, without its subject when it is restricted."""
    number = item.number or item.pk
    if item.confidentiality == Confidentiality.RESTRICTED:
        base = _("信息 %(number)s") % {"number": number}
    else:
        base = _("信息 %(number)s“%(subject)s”") % {"number": number, "subject": item.subject}
    if stage:
        return _("%(item)s的“%(stage)s”环节") % {"item": base, "stage": stage}
    return base


def name_of(user) -> str:
    return user.get_full_name() or user.username


def rows(users, *, item, key, kind, subject, body, due=None, actor=None) -> list:
    """Unsaved rows of one notice for each of ``users`` but the actor."""
    return [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=item_url(item.pk),
                            item=item, confidentiality=item.confidentiality, due=due)
        for user in without(users, actor)
    ]


_receiver_people = receiver_people


# --- the moves of an item ----------------------------------------------------------


@in_notify_language
def step_opened(step, *, actor=None) -> list:
    """A review stage opened: each pending assignee (and their deputies in
    force) is asked to review before the step's due time."""
    item = step.item
    out = []
    assignees = step.assignees.filter(decision=StepAssignee.Decision.PENDING).order_by("pk")
    for a in assignees:
        out += rows(
            with_deputies([a.user_id]), item=item, key="step:%d:opened" % a.pk, kind="task", due=step.due_at,
            actor=actor,
            subject=_("待审核：信息 %(number)s") % {"number": item.number},
            body=_("%(what)s 已进入“%(stage)s”环节，请在期限前审核。") % {"what": what(item), "stage": step.name},
        )
    notifications.write(out)
    return out


@in_notify_language
def review_done(item, *, actor=None) -> list:
    """The last stage approved: the initiator may transmit."""
    out = rows(
        [item.initiator], item=item, key="item:%d:approved:%d" % (item.pk, item.review_round), kind="other",
        actor=actor,
        subject=_("审核通过：信息 %(number)s") % {"number": item.number},
        body=_("%(what)s 已审核通过，请及时传递。") % {"what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def returned(step, *, actor=None) -> list:
    item = step.item
    out = rows(
        [item.initiator], item=item, key="item:%d:returned:%d" % (item.pk, step.pk), kind="other", actor=actor,
        subject=_("已退回：信息 %(number)s") % {"number": item.number},
        body=_("%(what)s 被退回修改，请查看退回理由后修改并重新提交。") % {"what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def receivers_sent(item, receivers, *, actor=None) -> list:
    """Transmitted: each receiver that has to sign is asked to sign and answer."""
    out = []
    for r in receivers:
        if r.state != Receiver.State.SENT:
            continue
        out += rows(
            _receiver_people(r), item=item, key="receiver:%d:sent" % r.pk, kind="task", actor=actor,
            due=r.answer_due_at or r.response_due_at,
            subject=_("请签收：信息 %(number)s") % {"number": item.number},
            body=_("您收到%(what)s，请签收并按期反馈。") % {"what": what(item)},
        )
    notifications.write(out)
    return out


@in_notify_language
def answered(receiver, *, actor=None) -> list:
    item = receiver.item
    out = rows(
        [item.initiator], item=item, key="receiver:%d:answered" % receiver.pk, kind="other", actor=actor,
        subject=_("已反馈：信息 %(number)s") % {"number": item.number},
        body=_("%(receiver)s 已反馈%(what)s 的处理结果。") % {"receiver": receiver.label, "what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def question_raised(question, *, actor=None) -> list:
    item = question.item
    out = rows(
        unit_people(question.responsible_unit), item=item, key="question:%d:raised" % question.pk, kind="task",
        actor=actor, due=question.due_at,
        subject=_("待答复：信息 %(number)s") % {"number": item.number},
        body=_("关于%(what)s 的%(kind)s需要贵部门答复。") % {"what": what(item), "kind": question.get_kind_display()},
    )
    notifications.write(out)
    return out


# --- chases and delegations -----------------------------------------------------------


@in_notify_language
def step_chased(chase, step, people, *, actor) -> list:
    """The item's handler chases an overdue review step: its reviewers."""
    item = step.item
    values = {"sender": name_of(actor), "number": item.number or "", "stage": step.name, "due": fmt(step.due_at)}
    out = []
    for person in without(people, actor):
        out += rows(
            [person], item=item, key="chase:%d:%d" % (chase.pk, person.pk), kind="chase", due=step.due_at,
            subject=_("催办：信息 %(number)s 的审核已超期") % values,
            body=_("%(sender)s 催办信息 %(number)s 的“%(stage)s”环节，审核时限 %(due)s 已过，请尽快审核。") % values,
        )
    notifications.write(out)
    return out


@in_notify_language
def receiver_chased(chase, receiver, people, *, actor) -> list:
    """The item's handler chases an overdue receiver: who answers for it."""
    item = receiver.item
    due = receiver.answer_due_at or receiver.response_due_at
    out = []
    for person in without(people, actor):
        out += rows(
            [person], item=item, key="chase:%d:%d" % (chase.pk, person.pk), kind="chase", due=due,
            subject=_("催办：信息 %(number)s 的反馈已超期") % {"number": item.number or ""},
            body=_("%(sender)s 催办信息 %(number)s（接收方：%(receiver)s），反馈时限 %(due)s 已过，请尽快签收并反馈处理结果。")
            % {"sender": name_of(actor), "number": item.number or "", "receiver": receiver.label,
               "due": fmt(due) if due else "—"},
        )
    notifications.write(out)
    return out


@in_notify_language
def deputy_named(delegation) -> list:
    """A reviewer named a deputy: the deputy learns the period."""
    principal = name_of(delegation.principal)
    period = {"start": fmt(delegation.start), "end": fmt(delegation.end), "principal": principal}
    out = [notifications.build(
        recipient=delegation.deputy, key="delegation:%d" % delegation.pk, kind="delegation",
        subject=_("您被指定为 %(principal)s 的审核代理人") % {"principal": principal},
        body=_("%(start)s 至 %(end)s 期间，您可代 %(principal)s 审核其待办环节，审核记录将显示“代理人代审”。") % period,
        url=reverse("infoflow:delegations"),
    )]
    notifications.write(out)
    return out


# --- deadlines (the sweeps in infoflow.sweeps) ------------------------------------------


@in_notify_language
def step_reminder(step, assignees) -> list:
    item = step.item
    due = fmt(step.due_at)
    out = []
    for a in assignees:
        out += rows(
            with_deputies([a.user_id]), item=item, key="step:%d:reminder" % a.pk, kind="reminder", due=step.due_at,
            subject=_("审核提醒：信息 %(number)s 将于 %(due)s 到期") % {"number": item.number, "due": due},
            body=_("您有一项审核将于 %(due)s 到期：%(what)s。请在期限前审核。") % {"due": due, "what": what(item, step.name)},
        )
    notifications.write(out)
    return out


@in_notify_language
def step_overdue(step, assignees) -> list:
    item = step.item
    due = fmt(step.due_at)
    out = []
    for a in assignees:
        out += rows(
            with_deputies([a.user_id]), item=item, key="step:%d:overdue" % a.pk, kind="overdue", due=step.due_at,
            subject=_("审核超期：信息 %(number)s") % {"number": item.number},
            body=_("%(what)s 已于 %(due)s 超过审核期限，请尽快审核。") % {"what": what(item, step.name), "due": due},
        )
    notifications.write(out)
    return out


@in_notify_language
def step_escalated(step, assignee, superiors, *, days: int, day: str) -> list:
    """The assignee's step is ``days`` working days overdue: their superiors
    (the escalation ladder, infoflow.ladder) are asked to follow it up, once
    per working day (``day`` in the key)."""
    item = step.item
    out = rows(
        [u for u in superiors if u.pk != assignee.user_id], item=item,
        key="step:%d:escalate:%s" % (assignee.pk, day), kind="escalation", due=step.due_at,
        subject=_("审核超期督办：信息 %(number)s") % {"number": item.number},
        body=_("%(name)s 负责的%(what)s 已于 %(due)s 超期，已超期 %(days)s 个工作日，请督促处理。")
        % {"name": name_of(assignee.user), "what": what(item, step.name), "due": fmt(step.due_at), "days": days},
    )
    notifications.write(out)
    return out


def _overdue_receiver_people(receiver) -> list:
    """Initiator plus who answers for the receiver: officers and head alike."""
    return [receiver.item.initiator, *_receiver_people(receiver)]


@in_notify_language
def receipt_overdue(receiver) -> list:
    item = receiver.item
    out = rows(
        _overdue_receiver_people(receiver), item=item, key="receiver:%d:response" % receiver.pk, kind="overdue",
        due=receiver.response_due_at,
        subject=_("签收超期：信息 %(number)s") % {"number": item.number},
        body=_("%(receiver)s 未在 %(due)s 前签收%(what)s，请跟进签收。")
        % {"receiver": receiver.label, "due": fmt(receiver.response_due_at), "what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def answer_overdue(receiver) -> list:
    item = receiver.item
    out = rows(
        _overdue_receiver_people(receiver), item=item, key="receiver:%d:answer" % receiver.pk, kind="overdue",
        due=receiver.answer_due_at,
        subject=_("反馈超期：信息 %(number)s") % {"number": item.number},
        body=_("%(receiver)s 未在 %(due)s 前反馈%(what)s 的处理结果，请督促反馈。")
        % {"receiver": receiver.label, "due": fmt(receiver.answer_due_at), "what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def question_overdue(question) -> list:
    item = question.item
    unit = question.responsible_unit
    out = rows(
        unit_people(unit), item=item, key="question:%d:overdue" % question.pk, kind="overdue", due=question.due_at,
        subject=_("答复超期：信息 %(number)s") % {"number": item.number},
        body=_("%(unit)s 负责答复的%(kind)s（%(what)s）已于 %(due)s 超期，请尽快答复。")
        % {"unit": unit.name, "kind": question.get_kind_display(), "what": what(item), "due": fmt(question.due_at)},
    )
    notifications.write(out)
    return out



# --- 加签 and 转办 (infoflow.services.signers, .transfer) ----------------------------------


def _reason(change, item) -> str:
    """The reason, except on a restricted item (it may quote the text; the item page shows it)."""
    return _("见信息页") if item.confidentiality == Confidentiality.RESTRICTED else change.reason


@in_notify_language
def signer_added(change, *, actor=None) -> list:
    """A signer added to a review (加签): told now, before or with the stage
    they sign; the stage's own "please review" follows when it opens."""
    item = change.item
    out = rows(
        with_deputies([change.person_id]), item=item, key="stepchange:%d:added" % change.pk, kind="other",
        actor=actor,
        subject=_("加签：信息 %(number)s") % {"number": item.number},
        body=_("%(actor)s 请您审核%(what)s（%(kind)s）。理由：%(reason)s") % {
            "actor": name_of(change.actor), "what": what(item, change.stage_name), "kind": change.get_kind_display(),
            "reason": _reason(change, item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def signer_removed(change, *, actor=None) -> list:
    """An added signer removed before acting (减签)."""
    item = change.item
    out = rows(
        [change.person], item=item, key="stepchange:%d:removed" % change.pk, kind="other", actor=actor,
        subject=_("减签：信息 %(number)s") % {"number": item.number},
        body=_("%(actor)s 已取消请您审核%(what)s。理由：%(reason)s") % {
            "actor": name_of(change.actor), "what": what(item, change.stage_name), "reason": _reason(change, item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def step_transferred(change, step, *, actor=None) -> list:
    """A step handed to another person (转办): the new assignee decides."""
    item = step.item
    out = rows(
        with_deputies([change.person_id]), item=item, key="stepchange:%d:transferred" % change.pk, kind="task",
        actor=actor, due=step.due_at,
        subject=_("转办待审核：信息 %(number)s") % {"number": item.number},
        body=_("%(actor)s 将%(what)s转给您审核，请在期限前审核。理由：%(reason)s") % {
            "actor": name_of(change.actor), "what": what(item, step.name), "reason": _reason(change, item)},
    )
    notifications.write(out)
    return out


# --- the closed loop's small operations (issue 19 §8) ---------------------------------
# Free text (the 呈报 note, a task, a unit's study note) stays on the item
# page: a notice names the item and the occasion only.


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@in_notify_language
def escalated(escalation, superiors, *, actor) -> list:
    """呈报: each superior (with deputies) is asked to look at the item."""
    item = escalation.item
    out = rows(
        with_deputies([u.pk for u in superiors]), item=item, key="escalation:%d" % escalation.pk, kind="task",
        actor=actor,
        subject=_("呈报：信息 %(number)s") % {"number": item.number},
        body=_("%(who)s 将%(what)s呈报给您，请查看呈报说明并作出指示。") % {"who": name_of(actor), "what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def follow_task_given(task, *, actor) -> list:
    """An answer's next step made a task: its owner."""
    item = task.item
    out = rows(
        with_deputies([task.owner_id]), item=item, key="followtask:%d:given" % task.pk, kind="task", actor=actor,
        due=task.due_at,
        subject=_("落实任务：信息 %(number)s") % {"number": item.number},
        body=_("%(who)s 就%(what)s交给您一项落实任务，请在 %(due)s 前完成。") % {
            "who": name_of(actor), "what": what(item), "due": _fmt(task.due_at)},
    )
    notifications.write(out)
    return out


@in_notify_language
def follow_task_reminder(task) -> list:
    item = task.item
    out = rows(
        with_deputies([task.owner_id]), item=item, key="followtask:%d:reminder" % task.pk, kind="reminder",
        due=task.due_at,
        subject=_("即将到期：落实任务（信息 %(number)s）") % {"number": item.number},
        body=_("%(what)s的落实任务将于 %(due)s 到期。") % {"what": what(item), "due": _fmt(task.due_at)},
    )
    notifications.write(out)
    return out


@in_notify_language
def follow_task_overdue(task) -> list:
    """Late: the owner and who gave the task."""
    item = task.item
    out = rows(
        with_deputies([task.owner_id, task.created_by_id]), item=item, key="followtask:%d:overdue" % task.pk,
        kind="overdue", due=task.due_at,
        subject=_("已逾期：落实任务（信息 %(number)s）") % {"number": item.number},
        body=_("%(owner)s 的落实任务已超过期限 %(due)s（%(what)s）。") % {
            "owner": name_of(task.owner), "due": _fmt(task.due_at), "what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def follow_task_done(task, *, actor) -> list:
    """Done: who gave the task and the item's initiator."""
    item = task.item
    out = rows(
        with_deputies([task.created_by_id, item.initiator_id]), item=item, key="followtask:%d:done" % task.pk,
        kind="other", actor=actor,
        subject=_("落实任务已完成：信息 %(number)s") % {"number": item.number},
        body=_("%(who)s 已完成%(what)s的落实任务。") % {"who": name_of(actor), "what": what(item)},
    )
    notifications.write(out)
    return out


@in_notify_language
def study_required(confirmation, *, actor) -> list:
    """A unit is asked to confirm study and implementation: its head and officers."""
    item = confirmation.item
    out = rows(
        unit_people(confirmation.unit), item=item, key="study:%d:required" % confirmation.pk, kind="task",
        actor=actor, due=confirmation.due_at,
        subject=_("学习落实确认：信息 %(number)s") % {"number": item.number},
        body=_("请组织学习%(what)s并落实相关要求，于 %(due)s 前确认学习落实情况。") % {
            "what": what(item), "due": _fmt(confirmation.due_at)},
    )
    notifications.write(out)
    return out


@in_notify_language
def study_reminder(confirmation) -> list:
    item = confirmation.item
    out = rows(
        unit_people(confirmation.unit), item=item, key="study:%d:reminder" % confirmation.pk, kind="reminder",
        due=confirmation.due_at,
        subject=_("即将到期：学习落实确认（信息 %(number)s）") % {"number": item.number},
        body=_("%(unit)s 尚未确认%(what)s的学习落实情况，期限 %(due)s。") % {
            "unit": confirmation.unit.name, "what": what(item), "due": _fmt(confirmation.due_at)},
    )
    notifications.write(out)
    return out


@in_notify_language
def study_overdue(confirmation) -> list:
    """Late: the unit's head and officers, and who asked for it."""
    item = confirmation.item
    out = rows(
        list({u.pk: u for u in [*unit_people(confirmation.unit), *with_deputies([confirmation.required_by_id])]}
             .values()), item=item,
        key="study:%d:overdue" % confirmation.pk, kind="overdue", due=confirmation.due_at,
        subject=_("已逾期：学习落实确认（信息 %(number)s）") % {"number": item.number},
        body=_("%(unit)s 未在 %(due)s 前确认%(what)s的学习落实情况。") % {
            "unit": confirmation.unit.name, "due": _fmt(confirmation.due_at), "what": what(item)},
    )
    notifications.write(out)
    return out

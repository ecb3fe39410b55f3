"""The notices of circulation and instructions, one named function per
occasion (the pattern of infoflow.notices): services and sweeps call them
inside their transaction and they write rows through
``liaison.notifications.write`` (the outbox), with the item's links and its
confidentiality (a restricted item never shows its subject). Who is told comes
from ``infoflow.people`` (with deputies in force); nobody is told of their own
action. Sweep notices are claimed by the case's ``notice_at`` cursor."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from infoflow import people
from infoflow.notices import _, in_notify_language, name_of, rows, what
from liaison import notifications


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _task_rows(users, task, *, key, kind, subject, body, actor=None) -> list:
    """Rows linking to the task's page (its item's level of confidentiality)."""
    url = reverse("followup:task", args=[task.pk])
    item = task.item
    return [
        notifications.build(recipient=user, key=key, kind=kind, subject=subject, body=body, url=url, item=item,
                            confidentiality=item.confidentiality, due=task.due_at)
        for user in people.without(users, actor)
    ]


# --- circulation ---------------------------------------------------------------------


@in_notify_language
def circulated(circulation, readers, *, actor) -> list:
    """Each new reader: an item to read (待阅)."""
    item = circulation.item
    out = []
    for reader in readers:
        out += rows(
            people.with_deputies([reader.user_id]), item=item, key="followup:reader:%d:sent" % reader.pk,
            kind="task", actor=actor,
            subject=_("待阅：信息 %(number)s") % {"number": item.number},
            body=_("%(who)s 传阅%(what)s，请阅知。") % {"who": name_of(actor), "what": what(item)},
        )
    notifications.write(out)
    return out


@in_notify_language
def reading_reminder(reader) -> list:
    """Still unread after the circulation's set time: the reader once more."""
    item = reader.item
    out = rows(
        people.with_deputies([reader.user_id]), item=item, key="followup:reader:%d:reminder" % reader.pk,
        kind="reminder",
        subject=_("尚未阅读：信息 %(number)s") % {"number": item.number},
        body=_("%(what)s 传阅给您已超过 %(days)s 个工作日，请尽快阅知。") % {
            "what": what(item), "days": reader.circulation.remind_after_days},
    )
    notifications.write(out)
    return out


# --- instructions and their tasks ------------------------------------------------------


@in_notify_language
def proposal_written(proposal, leaders, *, actor) -> list:
    """拟办 written: the leaders who may give the instruction."""
    item = proposal.item
    out = rows(
        leaders, item=item, key="followup:proposal:%d:%d" % (proposal.pk, proposal.history.count()), kind="task",
        actor=actor,
        subject=_("待批示：信息 %(number)s") % {"number": item.number},
        body=_("%(what)s 已拟办：%(text)s 请批示。") % {"what": what(item), "text": proposal.text[:100]},
    )
    notifications.write(out)
    return out


@in_notify_language
def instruction_written(instruction, *, actor) -> list:
    """The handlers of the item read the instruction; each task's owner is
    given the task."""
    item = instruction.item
    handlers = people.with_deputies([item.initiator_id, *people.unit_user_ids(item.unit, people.OFFICERS)])
    out = rows(
        handlers, item=item, key="followup:instruction:%d" % instruction.pk, kind="other", actor=actor,
        subject=_("领导批示：信息 %(number)s") % {"number": item.number},
        body=_("%(who)s 对%(what)s作出批示：%(text)s") % {"who": name_of(instruction.author), "what": what(item),
                                                        "text": instruction.text[:200]},
    )
    for task in instruction.tasks.all():
        out += _task_rows(
            people.with_deputies([task.owner_id]), task, key="followup:task:%d:given" % task.pk, kind="task",
            actor=actor,
            subject=_("批示任务：信息 %(number)s") % {"number": item.number},
            body=_("请在 %(due)s 前完成：%(what)s") % {"due": _fmt(task.due_at), "what": task.what[:200]},
        )
    notifications.write(out)
    return out


@in_notify_language
def task_reminder(task) -> list:
    out = _task_rows(
        people.with_deputies([task.owner_id]), task, key="followup:task:%d:reminder" % task.pk, kind="reminder",
        subject=_("即将到期：批示任务（信息 %(number)s）") % {"number": task.item.number},
        body=_("批示任务将于 %(due)s 到期：%(what)s") % {"due": _fmt(task.due_at), "what": task.what[:200]},
    )
    notifications.write(out)
    return out


@in_notify_language
def task_overdue(task) -> list:
    """Late: the owner and the head of the owner's unit."""
    head = [task.unit.head_id] if task.unit_id and task.unit.head_id else []
    out = _task_rows(
        people.with_deputies([task.owner_id, *head]), task, key="followup:task:%d:overdue" % task.pk,
        kind="overdue",
        subject=_("已逾期：批示任务（信息 %(number)s）") % {"number": task.item.number},
        body=_("%(owner)s 的批示任务已超过期限 %(due)s：%(what)s") % {
            "owner": name_of(task.owner), "due": _fmt(task.due_at), "what": task.what[:200]},
    )
    notifications.write(out)
    return out


@in_notify_language
def task_escalated(task) -> list:
    """Still late a working day on: the leader who gave the instruction."""
    out = _task_rows(
        people.with_deputies([task.instruction.author_id]), task, key="followup:task:%d:escalated" % task.pk,
        kind="escalation",
        subject=_("逾期未完成：批示任务（信息 %(number)s）") % {"number": task.item.number},
        body=_("%(owner)s 逾期一个工作日仍未完成批示任务：%(what)s") % {
            "owner": name_of(task.owner), "what": task.what[:200]},
    )
    notifications.write(out)
    return out


@in_notify_language
def task_chased(task, chase, *, actor) -> list:
    out = _task_rows(
        people.with_deputies([task.owner_id]), task, key="followup:task:%d:chase:%d" % (task.pk, chase.pk),
        kind="chase", actor=actor,
        subject=_("催办：批示任务（信息 %(number)s）") % {"number": task.item.number},
        body=_("%(who)s 催办批示任务（期限 %(due)s）：%(what)s") % {
            "who": name_of(actor), "due": _fmt(task.due_at), "what": task.what[:200]},
    )
    notifications.write(out)
    return out


@in_notify_language
def task_closed(task, *, actor) -> list:
    """Done or cancelled: the leader who gave the instruction and the item's initiator."""
    state = task.get_state_display()
    out = _task_rows(
        people.with_deputies([task.instruction.author_id, task.item.initiator_id]), task,
        key="followup:task:%d:%s" % (task.pk, task.state), kind="other", actor=actor,
        subject=_("批示任务%(state)s：信息 %(number)s") % {"state": state, "number": task.item.number},
        body=_("%(who)s：%(what)s —— %(result)s") % {
            "who": name_of(actor), "what": task.what[:100], "result": (task.result or task.cancel_reason)[:200]},
    )
    notifications.write(out)
    return out

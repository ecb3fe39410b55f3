"""The incident register's state changes (issue 19 §6; seed 002 五.(一)2
信息安全应急预案 — handle an incident in time; seed 003 篇三 信息安全联络员制度 —
report incidents to the authorities and keep the record).

Each service takes the acting user, runs in one transaction, re-reads the
incident under a row lock, checks its state (``Incident.MOVES``) and the
actor (incidents.selectors), writes with history (the actor named on the
history row), and writes its notices in the same transaction
(incidents.notices). Refusals raise ``IncidentError`` subclasses carrying
the user's message.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Item
from infoflow.visibility import items_visible_to
from liaison.workdays import add_working_days

from . import notices
from .errors import IncidentInvalid, IncidentNotAllowed, IncidentStateConflict
from .models import Entry, Incident, IncidentItem, Severity
from .selectors import handles, incidents_visible_to, manages_incidents, may_reopen

State = Incident.State


def _text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise IncidentInvalid(message)
    return value


def _not_future(moment: dt.datetime, now: dt.datetime, message: str) -> dt.datetime:
    if moment is None:
        raise IncidentInvalid(message)
    if moment > now + dt.timedelta(minutes=5):  # a clock a little ahead is not a mistake
        raise IncidentInvalid(message)
    return moment


def _locked(incident: Incident, actor) -> Incident:
    """The incident re-read under a row lock, through the actor's visibility (404 otherwise)."""
    row = incidents_visible_to(actor).select_for_update(of=("self",)).filter(pk=incident.pk).first()
    if row is None:
        raise PermissionDenied
    return row


def _save(incident: Incident, actor, reason: str, fields: list[str]) -> None:
    incident._history_user = actor
    incident._change_reason = reason
    incident.save(update_fields=fields)


def _move(incident: Incident, state: str) -> None:
    if not incident.may_move_to(state):
        raise IncidentStateConflict(_("安全事件 %(number)s 当前为“%(state)s”，不能进行此操作，请刷新后查看。") % {
            "number": incident.number, "state": incident.get_state_display()})
    incident.state = state


def due_for(start: dt.datetime, severity: Severity) -> dt.datetime:
    """The time limit of a round: ``severity.limit_days`` working days after ``start`` (liaison.workdays)."""
    return add_working_days(start, severity.limit_days)


def find_items(actor, references: Iterable[str]) -> list[Item]:
    """The items named by ``references`` (numbers such as NX-2026-001, or ids), each one the actor may
    see. Raises ``IncidentInvalid`` naming the first reference that is missing or not visible — the same
    words for both, so nothing is revealed about an item the actor may not see."""
    found = []
    visible = items_visible_to(actor)
    for reference in references:
        reference = (reference or "").strip()
        if not reference:
            continue
        lookup = {"pk": int(reference)} if reference.isdigit() else {"number": reference}
        item = visible.filter(**lookup).first()
        if item is None:
            raise IncidentInvalid(_("没有找到信息“%(ref)s”，或您无权查看该信息。请核对信息编号。") % {"ref": reference})
        if item not in found:
            found.append(item)
    return found


@transaction.atomic
def report_incident(*, actor, title: str, description: str, found_at: dt.datetime, found_by: str,
                    severity: Severity, system: str = "", item_refs: Iterable[str] = (),
                    now: dt.datetime | None = None) -> Incident:
    """Register an incident (any active user; they become its reporter and see it). ``item_refs``:
    numbers or ids of items it concerns, each visible to the actor. Tells the secretariat and
    supervision. Raises IncidentInvalid for empty text, a found time in the future, an inactive
    severity or an item the actor may not see."""
    if not (actor and actor.is_authenticated and actor.is_active):
        raise PermissionDenied
    now = now or timezone.now()
    title = _text(title, _("请填写事件概要。"))
    description = _text(description, _("请填写事件经过。"))
    found_by = _text(found_by, _("请填写发现人。"))
    found_at = _not_future(found_at, now, _("发现时间不能晚于现在。"))
    if severity is None or not severity.active:
        raise IncidentInvalid(_("请选择事件等级。"))
    items = find_items(actor, item_refs)
    incident = Incident(title=title[:200], description=description, found_at=found_at, found_by=found_by[:100],
                        system=(system or "").strip()[:200], severity=severity, reporter=actor, created_at=now,
                        round_started_at=now, due_at=due_for(now, severity))
    incident._history_user = actor
    incident._change_reason = "report"
    incident.save()
    incident.number = "AQ-%d-%04d" % (timezone.localtime(now).year, incident.pk)
    _save(incident, actor, "number", ["number"])
    for item in items:
        IncidentItem.objects.create(incident=incident, item=item, added_by=actor, added_at=now)
    notices.registered(incident, actor=actor)
    return incident


@transaction.atomic
def assign_handler(*, incident: Incident, actor, handler, now: dt.datetime | None = None) -> Incident:
    """The secretariat names (or changes) the handler; an open incident moves to handling. The handler
    is told. Raises IncidentNotAllowed for anyone but the secretariat, IncidentStateConflict when closed."""
    now = now or timezone.now()
    incident = _locked(incident, actor)
    if not manages_incidents(actor):
        raise IncidentNotAllowed(_("只有秘书处可以指派处置人。"))
    if handler is None or not handler.is_active:
        raise IncidentInvalid(_("请选择处置人。"))
    _move(incident, State.HANDLING)
    incident.handler = handler
    _save(incident, actor, "assign", ["state", "handler"])
    name = handler.get_full_name() or handler.username
    Entry.objects.create(incident=incident, kind=Entry.Kind.ASSIGN, at=now, by=actor, recorded_at=now,
                         text=_("指派处置人：%(name)s") % {"name": name})
    # The new handler's reminders count from now: the cursor moves to now (nothing earlier is repeated).
    Incident.objects.filter(pk=incident.pk).update(notice_at=now)
    notices.assigned(incident, actor=actor, stamp="%d" % incident.history.count())
    return incident


@transaction.atomic
def set_severity(*, incident: Incident, actor, severity: Severity, now: dt.datetime | None = None) -> Incident:
    """The secretariat changes the severity of an open incident: its time limit is recomputed from the
    start of the round. Raises IncidentNotAllowed, IncidentStateConflict (closed), IncidentInvalid."""
    now = now or timezone.now()
    incident = _locked(incident, actor)
    if not manages_incidents(actor):
        raise IncidentNotAllowed(_("只有秘书处可以调整事件等级。"))
    if not incident.is_open:
        raise IncidentStateConflict(_("安全事件已结案，不能调整等级。"))
    if severity is None or not severity.active:
        raise IncidentInvalid(_("请选择事件等级。"))
    incident.severity = severity
    incident.due_at = due_for(incident.round_started_at, severity)
    _save(incident, actor, "severity", ["severity", "due_at"])
    # Reminders already due are not repeated; an escalation still owed is sent at the next sweep.
    Incident.objects.filter(pk=incident.pk).update(notice_at=now)
    return incident


@transaction.atomic
def add_entry(*, incident: Incident, actor, kind: str, text: str, at: dt.datetime, reported_to: str = "",
              now: dt.datetime | None = None) -> Entry:
    """A measure taken or a report made (to whom, when) on an open incident, by its handler or the
    secretariat; the first one moves an open incident to handling. Raises IncidentNotAllowed,
    IncidentStateConflict (closed), IncidentInvalid (empty text, no addressee, a time in the future or
    before the incident was found)."""
    now = now or timezone.now()
    incident = _locked(incident, actor)
    if not handles(actor, incident):
        raise IncidentNotAllowed(_("只有处置人和秘书处可以记录处置情况。"))
    if not incident.is_open:
        raise IncidentStateConflict(_("安全事件已结案，不能再添加记录；如需继续处置请先重新打开。"))
    if kind not in (Entry.Kind.MEASURE, Entry.Kind.REPORT):
        raise IncidentInvalid(_("请选择记录类型。"))
    text = _text(text, _("请填写内容。"))
    at = _not_future(at, now, _("时间不能晚于现在。"))
    if at < incident.found_at:  # a measure or report before the incident was found is a typing mistake
        raise IncidentInvalid(_("时间不能早于事件的发现时间（%(found)s）。") % {
            "found": timezone.localtime(incident.found_at).strftime("%Y-%m-%d %H:%M")})
    reported_to = (reported_to or "").strip()
    if kind == Entry.Kind.REPORT and not reported_to:
        raise IncidentInvalid(_("请填写上报对象。"))
    if incident.state == State.OPEN:
        _move(incident, State.HANDLING)
        _save(incident, actor, "handling", ["state"])
    entry = Entry(incident=incident, kind=kind, at=at, text=text, reported_to=reported_to[:200], by=actor,
                  recorded_at=now)
    entry._history_user = actor
    entry.save()
    return entry


@transaction.atomic
def link_items(*, incident: Incident, actor, item_refs: Iterable[str], now: dt.datetime | None = None) -> list:
    """Link more items (numbers or ids, each visible to the actor) to an incident the actor reported,
    handles or manages. Returns the new links."""
    now = now or timezone.now()
    incident = _locked(incident, actor)
    if not (handles(actor, incident) or incident.reporter_id == actor.pk):
        raise IncidentNotAllowed(_("只有登记人、处置人和秘书处可以关联信息。"))
    items = find_items(actor, item_refs)
    if not items:
        raise IncidentInvalid(_("请填写信息编号。"))
    links = []
    existing = set(incident.item_links.values_list("item_id", flat=True))
    for item in items:
        if item.pk not in existing:
            link = IncidentItem(incident=incident, item=item, added_by=actor, added_at=now)
            link._history_user = actor
            link.save()
            links.append(link)
    return links


@transaction.atomic
def close_incident(*, incident: Incident, actor, conclusion: str, now: dt.datetime | None = None) -> Incident:
    """Close with the conclusion (handler or secretariat); the reporter is told and the reminders
    stop. Raises IncidentNotAllowed, IncidentStateConflict (already closed), IncidentInvalid."""
    now = now or timezone.now()
    incident = _locked(incident, actor)
    if not handles(actor, incident):
        raise IncidentNotAllowed(_("只有处置人和秘书处可以结案。"))
    conclusion = _text(conclusion, _("请填写结案结论。"))
    _move(incident, State.CLOSED)
    incident.conclusion = conclusion
    incident.closed_at = now
    incident.closed_by = actor
    _save(incident, actor, "close", ["state", "conclusion", "closed_at", "closed_by"])
    Entry.objects.create(incident=incident, kind=Entry.Kind.CLOSE, at=now, by=actor, recorded_at=now, text=conclusion)
    notices.closed(incident, actor=actor)
    return incident


@transaction.atomic
def reopen_incident(*, incident: Incident, actor, reason: str, now: dt.datetime | None = None) -> Incident:
    """Reopen a closed incident with a reason (secretariat or supervision): a new round starts, with its
    own time limit, reminders and escalation. Raises IncidentNotAllowed, IncidentStateConflict (not
    closed), IncidentInvalid (no reason)."""
    now = now or timezone.now()
    incident = _locked(incident, actor)
    if not may_reopen(actor):
        raise IncidentNotAllowed(_("只有秘书处和监督人员可以重新打开安全事件。"))
    reason = _text(reason, _("请填写重新打开的理由。"))
    if incident.state != State.CLOSED:
        raise IncidentStateConflict(_("安全事件 %(number)s 尚未结案，无需重新打开。") % {"number": incident.number})
    _move(incident, State.HANDLING)
    incident.round += 1
    incident.round_started_at = now
    incident.due_at = due_for(now, incident.severity)
    incident.closed_at = None
    incident.closed_by = None
    _save(incident, actor, "reopen", ["state", "round", "round_started_at", "due_at", "closed_at", "closed_by"])
    Incident.objects.filter(pk=incident.pk).update(notice_at=None, escalated_at=None)
    Entry.objects.create(incident=incident, kind=Entry.Kind.REOPEN, at=now, by=actor, recorded_at=now, text=reason)
    notices.reopened(incident, actor=actor)
    return incident

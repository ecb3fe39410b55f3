"""The outside obligations calendar (issue 19 §4; seed 003 工商联络员制度 第五条
(三): 办理企业年度报告; 协会联络员工作制度 第六条(四): 每年1月底前交纳年度会费;
registrations and filings to renew). An obligation recurs yearly, quarterly,
monthly or once; each due date is an ``Occurrence`` done with a proof file and
a note, and completing one opens the next."""
from __future__ import annotations

import calendar
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import AlreadyDone, InvalidInput, NotAllowed
from ..models import PROOF_EXTENSIONS, Obligation, Occurrence
from ..permissions import can_complete_occurrence, manages_obligations

MONTHS = {Obligation.Recurrence.MONTHLY: 1, Obligation.Recurrence.QUARTERLY: 3, Obligation.Recurrence.YEARLY: 12}
MAX_PROOF_BYTES = 20 * 1024 * 1024


def next_due_on(due_on: dt.date, recurrence: str, anchor_day: int) -> dt.date | None:
    """The due date one period after ``due_on`` on the anchor day of the
    month (clamped to the month's last day: 31 January → 28/29 February →
    31 March); None for a one-off obligation."""
    months = MONTHS.get(recurrence)
    if months is None:
        return None
    index = due_on.month - 1 + months
    year, month = due_on.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def _check(obligation: Obligation) -> None:
    if obligation.owner_unit_id is None and obligation.owner_user_id is None:
        raise InvalidInput(_("请指定责任部门或责任人。"))
    if not (obligation.title or "").strip():
        raise InvalidInput(_("请填写事项名称。"))


@transaction.atomic
def create_obligation(*, actor, obligation: Obligation) -> Obligation:
    """Save a new obligation (unsaved instance) and open its first due date.
    Raises NotAllowed (not the secretariat), InvalidInput (no owner, no title)."""
    if not manages_obligations(actor):
        raise NotAllowed
    _check(obligation)
    obligation.created_by = actor
    obligation._history_user = actor
    obligation._change_reason = "create"
    obligation.save()
    occurrence = Occurrence(obligation=obligation, due_on=obligation.first_due_on)
    occurrence._history_user = actor
    occurrence.save()
    return obligation


@transaction.atomic
def update_obligation(*, actor, obligation: Obligation) -> Obligation:
    """Save the secretariat's edit of an obligation (owner, reminder days,
    text, active). Open due dates keep their dates. Raises NotAllowed, InvalidInput."""
    if not manages_obligations(actor):
        raise NotAllowed
    Obligation.objects.select_for_update().get(pk=obligation.pk)
    _check(obligation)
    obligation._history_user = actor
    obligation._change_reason = "edit"
    obligation.save()
    return obligation


@transaction.atomic
def complete_occurrence(*, actor, occurrence: Occurrence, proof, note: str,
                        now: dt.datetime | None = None) -> tuple[Occurrence, Occurrence | None]:
    """Mark a due date done with its proof (an uploaded file) and a note, and
    open the next one of a recurring active obligation. Answers (the done
    occurrence, the next or None). Raises AlreadyDone (done already, by
    someone else perhaps), NotAllowed (not who does it nor the secretariat),
    InvalidInput (no proof, no note, a file too large)."""
    now = now or timezone.now()
    # Locked: two people completing at once would both pass the check and
    # open the next due date twice (the unique constraint would then fail one).
    occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.done_at is not None:
        raise AlreadyDone(_("该事项已办结，请刷新后查看。"))
    obligation = Obligation.objects.select_related("owner_unit").get(pk=occurrence.obligation_id)
    occurrence.obligation = obligation
    if not can_complete_occurrence(actor, occurrence):
        raise NotAllowed
    if not proof:
        raise InvalidInput(_("请上传办理凭证（回执、缴费票据或公示截图）。"))
    extension = (getattr(proof, "name", "") or "").rsplit(".", 1)[-1].lower()
    if extension not in PROOF_EXTENSIONS:
        raise InvalidInput(_("凭证应为 PDF、图片、Office 文件或 ZIP。"))
    if getattr(proof, "size", 0) > MAX_PROOF_BYTES:
        raise InvalidInput(_("凭证文件不能超过 20 MB。"))
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写办理说明。"))
    occurrence.done_at, occurrence.done_by, occurrence.note = now, actor, note
    occurrence.proof = proof
    occurrence._history_user = actor
    occurrence._change_reason = "done"
    occurrence.save()
    following = None
    due = next_due_on(occurrence.due_on, obligation.recurrence, obligation.first_due_on.day)
    if due is not None and obligation.is_active:
        following = Occurrence.objects.filter(obligation=obligation, due_on=due).first()
        if following is None:
            following = Occurrence(obligation=obligation, due_on=due)
            following._history_user = actor
            following._change_reason = "next"
            following.save()
    return occurrence, following

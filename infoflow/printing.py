"""The item as the paper communication form (信息交流记录表, seed 004), for
``/items/<id>/print/`` and ``/items/<id>/print.pdf`` (issue 15 §8).

``print_context(item, user)`` answers what the form shows: the form's fields
in the seed's column order (信息编号 … 归档编号), then every review opinion
with the reviewer's name and time (all rounds), the transmissions, the
receivers' receipts (签收) and answers (反馈). The caller fetched the item
through the visibility selector; the queries here are a fixed handful
whatever the number of steps or receivers.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.data_labels import label

from . import compiled, selectors
from .models import Item, StepAssignee


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def form_fields(item: Item, receivers: list) -> list[tuple[str, str]]:
    """``[(label, value), ...]``: the 15 columns of seed 004's 信息交流记录表, in its order."""
    unit_receivers = [r.label for r in receivers if r.kind in ("unit", "external", "all_staff")]
    people = [r.label for r in receivers if r.kind == "user"]
    people += [r.contact.name for r in receivers if r.kind == "external" and r.contact_id]
    return [
        (_("信息编号"), item.number or _("草稿")),
        (_("发起部门"), item.unit.name),
        (_("发起人"), _name(item.initiator)),
        (_("接收部门/单位"), "、".join(unit_receivers) or "—"),
        (_("接收人"), "、".join(people) or "—"),
        (_("信息主题"), item.subject),
        (_("内容摘要"), item.summary),
        (_("紧急程度"), item.get_urgency_display()),
        (_("传递方式"), item.methods_display or "—"),
        (_("发起时间"), _when(item.submitted_at)),
        (_("预计反馈时间"), _when(item.expected_feedback_at)),
        (_("实际反馈时间"), _when(item.actual_feedback_at)),
        (_("处理状态"), item.get_state_display()),
        (_("备注"), item.remarks or "—"),
        (_("归档编号"), item.archive_number or "—"),
    ]


def _opinion_assignees(item_id):
    return (StepAssignee.objects.filter(step__item_id=item_id).select_related("step", "user", "decided_by")
            .order_by("step__review_round", "step__stage_index", "step_id", "pk"))


def opinions(item: Item) -> list[dict]:
    """Every decided review, oldest first: ``{"round", "stage", "name", "by", "decision", "opinion", "at"}``.
    ``by`` names the deputy when one decided for the assignee."""
    rows = []
    # The assignees with their steps and people in one query: the form shows
    # no checklist, so the steps, assignees and ticks are not read apart
    # (selectors.item_steps: three queries; issue 12).
    # Its SQL compiled once per process (infoflow.compiled), as the page's other reads.
    for assignee in compiled.rows(_opinion_assignees, item.pk):
        step = assignee.step
        if assignee.decision == StepAssignee.Decision.PENDING and not assignee.opinion:
            continue
        deputy = assignee.decided_by if assignee.decided_by_id not in (None, assignee.user_id) else None
        rows.append({
            "round": step.review_round,
            "stage": label(step.name),
            "name": _name(assignee.user),
            "by": _name(deputy) if deputy else "",
            "decision": assignee.get_decision_display(),
            "opinion": assignee.opinion,
            "at": _when(assignee.decided_at),
            "sort": (assignee.decided_at or step.closed_at or timezone.now(), step.review_round, step.stage_index),
        })
    rows.sort(key=lambda row: row["sort"])
    return rows


def print_context(item: Item, user) -> dict:
    """Template context of ``infoflow/item_print.html`` for ``user`` (who has already been allowed to see it)."""
    # The form shows no attachments: the receivers and transmissions without
    # their files' queries; each read through SQL compiled once per process,
    # as on the item page (issue 12).
    receivers = selectors.item_receivers_read(item)
    return {
        "item": item,
        "fields": form_fields(item, receivers),
        "opinions": opinions(item),
        "transmissions": selectors.item_rows_read(item, "transmissions"),
        "receivers": receivers,
        "updates": selectors.item_rows_read(item, "updates"),
        "printed_by": _name(user),
        "printed_at": _when(timezone.now()),
    }

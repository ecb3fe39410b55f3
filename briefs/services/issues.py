"""Compiling and publishing an issue of the information bulletin (信息简报 /
会刊, issue 16 §5; seed 002 三(五): 信息发布完成后及时存档; 四: 统一的格式).

Every change locks the issue row first (SELECT … FOR UPDATE), checks it is
still a draft, checks the actor is the secretariat, and writes with history.
``publish_issue`` takes the year's next number from infoflow's gapless
NumberSequence (prefix ``JB``) under its row lock, so two publishers never
share a 第N期 (and the unique (year, number) constraint backs it).
"""
from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Confidentiality, Item
from infoflow.services.numbering import next_sequence

from .. import notices
from ..errors import BriefInvalid, BriefStateConflict
from ..models import AdoptionLevel, BulletinEntry, BulletinIssue
from ..permissions import can_compile
from ..selectors import ADOPTED_STATES
from .adoption import raise_adoption
from .archiving import seal_issue

NUMBER_PREFIX = "JB"  # 简报: the issue numbers' sequence in infoflow.NumberSequence
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_ENTRIES = 50


def _check_actor(actor) -> None:
    if not can_compile(actor):
        raise PermissionDenied


def _locked_draft(issue: BulletinIssue) -> BulletinIssue:
    issue = BulletinIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.state != BulletinIssue.State.DRAFT:
        raise BriefStateConflict(_("该期简报已发布，不能再修改。"))
    return issue


def _clean_fields(title: str, period: str) -> tuple[str, str]:
    title = (title or "").strip()
    period = (period or "").strip()
    errors = []
    if not title:
        errors.append(_("请填写刊名。"))
    if not PERIOD.match(period):
        errors.append(_("所属月份格式应为 YYYY-MM，例如 2026-03。"))
    if errors:
        raise BriefInvalid(" ".join(errors))
    return title[:100], period


@transaction.atomic
def create_issue(*, actor, period: str, title: str = "信息简报", foreword: str = "") -> BulletinIssue:
    """A new draft issue for ``period`` (YYYY-MM). Raises PermissionDenied (not
    the secretariat), BriefInvalid (empty title, bad month)."""
    _check_actor(actor)
    title, period = _clean_fields(title, period)
    issue = BulletinIssue(title=title, period=period, foreword=(foreword or "").strip(), created_by=actor)
    issue._history_user = actor
    issue._change_reason = "create"
    issue.save()
    return issue


@transaction.atomic
def edit_issue(*, issue: BulletinIssue, actor, title: str, period: str, foreword: str) -> BulletinIssue:
    """Change a draft's title, month and foreword (编者按). Raises
    BriefStateConflict (published), PermissionDenied, BriefInvalid."""
    _check_actor(actor)
    issue = _locked_draft(issue)
    issue.title, issue.period = _clean_fields(title, period)
    issue.foreword = (foreword or "").strip()
    issue._history_user = actor
    issue._change_reason = "edit"
    issue.save(update_fields=["title", "period", "foreword"])
    return issue


@transaction.atomic
def add_item(*, issue: BulletinIssue, item: Item, actor) -> BulletinEntry:
    """Put an adopted public item at the end of a draft, its subject and
    summary copied as the entry's title and text. Raises BriefStateConflict,
    PermissionDenied, BriefInvalid (not adopted, not public, already in the
    issue, issue full)."""
    _check_actor(actor)
    issue = _locked_draft(issue)
    item = Item.objects.select_related("unit").get(pk=item.pk)
    if item.state not in ADOPTED_STATES:
        raise BriefInvalid(_("信息 %(number)s 尚未审核通过，不能编入简报。") % {"number": item.number or "—"})
    if item.confidentiality != Confidentiality.PUBLIC:
        raise BriefInvalid(_("只有公开信息可以编入简报。"))
    if issue.entries.filter(item=item).exists():
        raise BriefInvalid(_("信息 %(number)s 已在本期简报中。") % {"number": item.number})
    count_and_last = issue.entries.aggregate(last=Max("position"))
    if issue.entries.count() >= MAX_ENTRIES:
        raise BriefInvalid(_("一期简报最多编入 %(n)s 条信息。") % {"n": MAX_ENTRIES})
    entry = BulletinEntry(issue=issue, item=item, position=(count_and_last["last"] or 0) + 1,
                          item_number=item.number or "", unit_name=item.unit.name, title=item.subject,
                          text=item.summary)
    entry._history_user = actor
    entry._change_reason = "add"
    entry.save()
    return entry


@transaction.atomic
def edit_entry(*, entry: BulletinEntry, actor, title: str, text: str) -> BulletinEntry:
    """Edit an entry's title and text for this issue only (the item is not
    changed). Raises BriefStateConflict, PermissionDenied, BriefInvalid (empty)."""
    _check_actor(actor)
    _locked_draft(entry.issue)
    entry = BulletinEntry.objects.select_for_update().get(pk=entry.pk)
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise BriefInvalid(_("标题和正文都不能为空。"))
    entry.title, entry.text = title[:200], text
    entry._history_user = actor
    entry._change_reason = "edit"
    entry.save(update_fields=["title", "text"])
    return entry


@transaction.atomic
def remove_entry(*, entry: BulletinEntry, actor) -> None:
    """Take an entry out of a draft; the later entries move up one place."""
    _check_actor(actor)
    issue = _locked_draft(entry.issue)
    entry = BulletinEntry.objects.select_for_update().get(pk=entry.pk)
    entry._history_user = actor
    entry._change_reason = "remove"
    entry.delete()
    _renumber(issue, actor)


def _renumber(issue, actor) -> None:
    for position, row in enumerate(issue.entries.select_for_update().order_by("position", "pk"), 1):
        if row.position != position:
            row.position = position
            row._history_user = actor
            row._change_reason = "order"
            row.save(update_fields=["position"])


@transaction.atomic
def move_entry(*, entry: BulletinEntry, actor, up: bool) -> BulletinEntry:
    """Swap an entry with the one before (``up``) or after it; at either end
    nothing moves. Raises BriefStateConflict, PermissionDenied."""
    _check_actor(actor)
    issue = _locked_draft(entry.issue)
    rows = list(issue.entries.select_for_update().order_by("position", "pk"))
    index = next(i for i, row in enumerate(rows) if row.pk == entry.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, 1):
        if row.position != position:
            row.position = position
            row._history_user = actor
            row._change_reason = "order"
            row.save(update_fields=["position"])
    return next(row for row in rows if row.pk == entry.pk)


@transaction.atomic
def publish_issue(*, issue: BulletinIssue, actor) -> BulletinIssue:
    """Publish a draft: the year's next number (第N期), the cover date (today),
    the published state; its items' adoption raised to 公司采用; the issue
    sealed with its PDF (services.archiving.seal_issue); the items'
    submitters told. Raises BriefStateConflict (published already, e.g. by a
    concurrent request), PermissionDenied, BriefInvalid (no entries),
    liaison.pdf.PdfUnavailable (no CJK font: nothing is published)."""
    _check_actor(actor)
    issue = _locked_draft(issue)
    entries = list(issue.entries.select_related("item", "item__initiator").order_by("position", "pk"))
    if not entries:
        raise BriefInvalid(_("请先编入至少一条信息再发布。"))
    now = timezone.now()
    year = timezone.localtime(now).year
    issue.year = year
    issue.number = next_sequence(NUMBER_PREFIX, year)
    issue.issue_date = timezone.localdate(now)
    issue.state = BulletinIssue.State.PUBLISHED
    issue.published_by = actor
    issue.published_at = now
    issue._history_user = actor
    issue._change_reason = "publish"
    issue.save(update_fields=["year", "number", "issue_date", "state", "published_by", "published_at"])
    note = _("编入%(title)s%(number)s") % {"title": issue.title, "number": issue.number_label}
    for entry in sorted(entries, key=lambda e: e.item_id):  # lock order: items by primary key
        raise_adoption(item=entry.item, level=AdoptionLevel.ORGANISATION, actor=actor, note=note)
    seal_issue(issue=issue, entries=entries, actor=actor)
    notices.issue_published(issue, entries, actor=actor)
    return issue

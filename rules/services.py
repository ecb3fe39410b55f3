"""The rules' state changes (issue 19 §5): draft a document and its versions,
publish a version (it supersedes the one in force; officers are asked to
confirm it), confirm having read it, ask a new officer at induction, and keep
a document in force for another period without a new version.

Each change: lock, check state, check the actor, write with history, write
the notices in the same transaction. Sources: seed 001 制度1 "六、本制度每年修订
一次", 制度5 "本制度由…负责解释和修订"; seed 003 第六条(一) "认真学习…规章制度",
第七条 (training of new officers).
"""
from __future__ import annotations

import calendar
import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from liaison.sweeps import NEVER
from liaison.workdays import add_working_days
from officers.models import Officer, OrgUnit

from . import notices
from .errors import RulesInvalid, RulesNotAllowed, RulesStateConflict
from .models import ReadConfirmation, RuleDocument, RuleVersion
from .selectors import manages_rules

State = RuleVersion.State


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` later, on the same day of the month or the month's last."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _require_manager(actor) -> None:
    if not manages_rules(actor):
        raise RulesNotAllowed(_("只有秘书处可以维护制度。"))


def _text(value) -> str:
    return (value or "").strip()


def _attach(version: RuleVersion, upload) -> None:
    if upload:
        version.file_name = (getattr(upload, "name", "") or "rules")[:255]
        version.file.save(version.file_name, upload, save=False)


def _check_version_input(*, number: str, effective_on, text: str, upload, keeps_file: bool = False) -> None:
    if not number:
        raise RulesInvalid(_("请填写版本号。"))
    if effective_on is None:
        raise RulesInvalid(_("请填写生效日期。"))
    if not text and not upload and not keeps_file:
        raise RulesInvalid(_("请填写制度正文或上传制度文件。"))


@transaction.atomic
def create_document(*, actor, code: str, title: str, number: str, effective_on: dt.date, text: str = "",
                    upload=None, changes: str = "", owner_unit: OrgUnit | None = None, description: str = "",
                    revise_every_months: int = 12, confirm_within_days: int = 5) -> RuleVersion:
    """A new rules document with its first version as a draft (published
    with ``publish_version``). Raises RulesNotAllowed (not the secretariat),
    RulesInvalid (a missing field, a code in use, no text and no file)."""
    _require_manager(actor)
    code, title, number = _text(code), _text(title), _text(number)
    if not code or not title:
        raise RulesInvalid(_("请填写制度编号和名称。"))
    if RuleDocument.objects.filter(code=code).exists():
        raise RulesInvalid(_("制度编号 %(code)s 已被使用。") % {"code": code})
    if not 1 <= int(revise_every_months) <= 60 or not 1 <= int(confirm_within_days) <= 60:
        raise RulesInvalid(_("修订周期和确认期限须在 1 到 60 之间。"))
    _check_version_input(number=number, effective_on=effective_on, text=_text(text), upload=upload)
    doc = RuleDocument(code=code, title=title, owner_unit=owner_unit, description=_text(description),
                       revise_every_months=revise_every_months, confirm_within_days=confirm_within_days,
                       created_by=actor)
    doc._history_user = actor
    doc._change_reason = "create"
    doc.save()
    return _new_version(doc, actor=actor, number=number, effective_on=effective_on, text=_text(text), upload=upload,
                        changes=_text(changes))


def _new_version(doc, *, actor, number, effective_on, text, upload, changes) -> RuleVersion:
    version = RuleVersion(document=doc, number=number, text=text, effective_on=effective_on, changes=changes,
                          created_by=actor)
    _attach(version, upload)
    version._history_user = actor
    version._change_reason = "draft"
    version.save()
    return version


@transaction.atomic
def draft_version(*, actor, document: RuleDocument, number: str, effective_on: dt.date, text: str = "",
                  upload=None, changes: str = "") -> RuleVersion:
    """A new draft version of ``document`` (the revision). ``changes`` — the
    summary of what changed — is required once a version has been in force.
    Raises RulesNotAllowed, RulesInvalid (missing input, a number in use, a
    draft already open)."""
    _require_manager(actor)
    doc = RuleDocument.objects.select_for_update().get(pk=document.pk)
    number, text, changes = _text(number), _text(text), _text(changes)
    _check_version_input(number=number, effective_on=effective_on, text=text, upload=upload)
    if doc.versions.filter(number=number).exists():
        raise RulesInvalid(_("版本号 %(number)s 已存在。") % {"number": number})
    if doc.versions.filter(state=State.DRAFT).exists():
        raise RulesInvalid(_("该制度已有一份草稿，请先发布或修改该草稿。"))
    if doc.versions.exclude(state=State.DRAFT).exists() and not changes:
        raise RulesInvalid(_("请填写修订说明：本版本修改了什么。"))
    return _new_version(doc, actor=actor, number=number, effective_on=effective_on, text=text, upload=upload,
                        changes=changes)


@transaction.atomic
def update_draft(*, actor, version: RuleVersion, number: str, effective_on: dt.date, text: str = "",
                 upload=None, changes: str = "") -> RuleVersion:
    """Change a draft (a published version is never changed: a new version
    supersedes it). Raises RulesStateConflict, RulesNotAllowed, RulesInvalid."""
    _require_manager(actor)
    version = RuleVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    if version.state != State.DRAFT:
        raise RulesStateConflict(_("已发布的版本不能修改，请起草新版本。"))
    number, text = _text(number), _text(text)
    _check_version_input(number=number, effective_on=effective_on, text=text, upload=upload,
                         keeps_file=bool(version.file))
    if version.document.versions.filter(number=number).exclude(pk=version.pk).exists():
        raise RulesInvalid(_("版本号 %(number)s 已存在。") % {"number": number})
    version.number, version.effective_on, version.text, version.changes = number, effective_on, text, _text(changes)
    _attach(version, upload)
    version._history_user = actor
    version._change_reason = "edit_draft"
    version.save()
    return version


def _ask(users, version: RuleVersion, *, reason: str, now: dt.datetime) -> list[ReadConfirmation]:
    """New confirmation rows for those of ``users`` not yet asked about ``version``."""
    asked = set(ReadConfirmation.objects.filter(version=version, user__in=users).values_list("user_id", flat=True))
    remind_at = add_working_days(now, version.document.confirm_within_days)
    rows = [ReadConfirmation(version=version, user=user, reason=reason, requested_at=now, remind_at=remind_at)
            for user in users if user.pk not in asked]
    if rows:
        bulk_create_with_history(rows, ReadConfirmation, default_change_reason="ask")
    return rows


def _officer_users() -> list:
    """Everyone holding an active officer post, each once (domain: the officers read the rules)."""
    ids = Officer.objects.filter(status=Officer.Status.ACTIVE, user__is_active=True).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def publish_version(*, actor, version: RuleVersion, now: dt.datetime | None = None) -> RuleVersion:
    """Put a draft in force: the current version (if any) is superseded and
    stays readable, the next revision falls due ``revise_every_months`` after
    the effective date, and every active officer is asked to read and confirm
    it within the document's working days (a notice each). Raises
    RulesStateConflict (not a draft — a second publish), RulesNotAllowed."""
    _require_manager(actor)
    now = now or timezone.now()
    # Lock the document first, then its versions: two publishes of the same
    # document (or of two drafts) queue here.
    doc = RuleDocument.objects.select_for_update().get(pk=version.document_id)
    version = RuleVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != State.DRAFT:
        raise RulesStateConflict(_("该版本已发布（%(state)s），不能重复发布。") % {"state": version.get_state_display()})
    for old in doc.versions.select_for_update().filter(state=State.CURRENT):
        old.state, old.superseded_at = State.SUPERSEDED, now
        old._history_user = actor
        old._change_reason = "supersede"
        old.save(update_fields=["state", "superseded_at"])
        # The old version's open requests have nothing more to remind (the
        # cursor is not a tracked field).
        ReadConfirmation.objects.filter(version=old, confirmed_at__isnull=True).update(notice_at=NEVER)
    version.state, version.published_by, version.published_at = State.CURRENT, actor, now
    version._history_user = actor
    version._change_reason = "publish"
    version.save(update_fields=["state", "published_by", "published_at"])
    doc.revision_due_on = add_months(version.effective_on, doc.revise_every_months)
    doc.notice_at = None
    doc._history_user = actor
    doc._change_reason = "publish"
    doc.save(update_fields=["revision_due_on", "notice_at"])
    version.document = doc
    if doc.is_active:
        users = _officer_users()
        _ask(users, version, reason=ReadConfirmation.Reason.PUBLISHED, now=now)
        notices.version_published(version, users)
    return version


@transaction.atomic
def keep_in_force(*, actor, document: RuleDocument, note: str) -> RuleDocument:
    """The yearly revision found nothing to change: the current version stays
    in force and the next revision falls due one period later. ``note``
    (required) says why; it is kept in the document's history. Raises
    RulesNotAllowed, RulesInvalid, RulesStateConflict (no version in force)."""
    _require_manager(actor)
    doc = RuleDocument.objects.select_for_update().get(pk=document.pk)
    if doc.revision_due_on is None:
        raise RulesStateConflict(_("该制度尚无现行版本。"))
    note = _text(note)
    if not note:
        raise RulesInvalid(_("请说明本次无需修订的理由。"))
    base = max(doc.revision_due_on, timezone.localdate())
    doc.revision_due_on = add_months(base, doc.revise_every_months)
    doc.notice_at = None
    doc._history_user = actor
    doc._change_reason = ("keep_in_force: " + note)[:100]
    doc.save(update_fields=["revision_due_on", "notice_at"])
    return doc


@transaction.atomic
def confirm_reading(*, actor, version: RuleVersion, now: dt.datetime | None = None) -> ReadConfirmation:
    """``actor`` confirms having read ``version`` (the read receipt). Only the
    version in force is confirmed; an officer asked about it (or any active
    officer, should the request be missing) may confirm. Raises
    RulesStateConflict (already confirmed, a draft or superseded version),
    RulesNotAllowed (nobody asked this user)."""
    now = now or timezone.now()
    version = RuleVersion.objects.select_related("document").get(pk=version.pk)
    if version.state != State.CURRENT:
        raise RulesStateConflict(_("该版本已不是现行版本，请阅读并确认现行版本。"))
    row = ReadConfirmation.objects.select_for_update().filter(version=version, user=actor).first()
    if row is None:
        if not Officer.objects.filter(user=actor, status=Officer.Status.ACTIVE).exists():
            raise RulesNotAllowed(_("该制度无需您确认阅读。"))
        row = _ask([actor], version, reason=ReadConfirmation.Reason.PUBLISHED, now=now)[0]
        row = ReadConfirmation.objects.select_for_update().get(pk=row.pk)
    if row.confirmed_at is not None:
        raise RulesStateConflict(_("您已于 %(when)s 确认阅读该版本。")
                                 % {"when": timezone.localtime(row.confirmed_at).strftime("%Y-%m-%d %H:%M")})
    row.confirmed_at = now
    row._history_user = actor
    row._change_reason = "confirm"
    row.save(update_fields=["confirmed_at"])
    return row


def ask_new_officer(*, officer: Officer, actor) -> list[ReadConfirmation]:
    """Induction (registered with officers.extensions): the new officer is
    asked to confirm every version in force they have not confirmed yet, with
    one notice listing them. Runs inside the appointing transaction."""
    versions = list(RuleVersion.objects.filter(state=State.CURRENT, document__is_active=True)
                    .select_related("document").order_by("document__code"))
    if not versions or not officer.user.is_active:
        return []
    now = timezone.now()
    rows = []
    for version in versions:
        rows += _ask([officer.user], version, reason=ReadConfirmation.Reason.INDUCTION, now=now)
    if rows:
        asked = {r.version_id for r in rows}
        notices.induction(officer, [v for v in versions if v.pk in asked])
    return rows

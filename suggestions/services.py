"""Writes of the suggestion box (issue 17). Each is one transaction: lock
the case (``select_for_update``), check its state (Case.MOVES), check the
actor, write with history (``_history_user``, ``_change_reason``), tell the
people concerned through notices.py.

Confidentiality (§3): ``submit_case`` writes the case with no user on it and
its history row with no user (``_history_user = None``: the history
middleware would otherwise name the logged-in writer); a signed case's
writer goes to Identity (suggestions.identity) and nowhere else. No audit row
and no notice is written about a submission's writer.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.models import ArchiveCounter
from infoflow.files import IMAGE_TYPES, inspect_upload
from liaison.errors import AttachmentRejected, SuggestionInvalid, SuggestionNotAllowed, SuggestionStateConflict
from liaison.workdays import add_working_days
from officers.models import OrgUnit

from . import identity, notices, receipts, sealing, selectors
from .models import Box, Case, CaseFile, Category, Note, Reward

MAX_PHOTOS = 5
MAX_TEXT = 5000
MAX_DAYS = 30  # the longest deadline a handler may give, in working days
# Seed 001 六.3: a founded complaint earns its writer 200 yuan.
FOUNDED_COMPLAINT_REWARD = Decimal("200")
_PHOTO_EXT = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/tiff": ".tif"}


def _save(obj, actor, reason, fields=None):
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=fields) if fields else obj.save()


def _next_number(now) -> str:
    """YJ-<year>-<0001…>: the year's counter row locked, so two submissions never share a number."""
    year = timezone.localtime(now).year
    counter, _created = ArchiveCounter.objects.select_for_update().get_or_create(key="YJ-%d" % year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return "YJ-%d-%04d" % (year, counter.last)


def _check_photos(photos) -> list[dict]:
    checked = []
    if len(photos) > MAX_PHOTOS:
        raise SuggestionInvalid(_("最多可附 %(n)s 张照片。") % {"n": MAX_PHOTOS})
    for upload in photos:
        try:
            info = inspect_upload(upload)
        except AttachmentRejected as e:
            raise SuggestionInvalid(e.message) from e
        if info["content_type"] not in IMAGE_TYPES:
            raise SuggestionInvalid(_("“%(name)s”不是照片：只能附 JPG、PNG、GIF 或 TIFF 图片。") % {
                "name": getattr(upload, "name", "")})
        checked.append(info)
    return checked


@transaction.atomic
def submit_case(*, actor, box: str, kind: str, category: Category, text: str, signed: bool,
                contact_allowed: bool, contact: str = "", photos=()) -> tuple[Case, str]:
    """File a case from a logged-in employee; answers (case, receipt code).
    The code is shown once and only its hash is stored. Anonymous
    (``signed`` False): nothing on the case, its files or its history names
    ``actor``, and ``contact`` must be empty. Raises SuggestionInvalid (empty
    or long text, unknown box/kind, inactive category, a refused photo, a
    contact on an anonymous case)."""
    text = (text or "").strip()
    contact = (contact or "").strip()
    if not text:
        raise SuggestionInvalid(_("请填写内容。"))
    if len(text) > MAX_TEXT:
        raise SuggestionInvalid(_("内容不能超过 %(n)s 字。") % {"n": MAX_TEXT})
    if box not in Box.values or kind not in Case.Kind.values:
        raise SuggestionInvalid(_("请选择信箱和类型。"))
    if category is None or not category.active:
        raise SuggestionInvalid(_("请选择类别。"))
    if not signed and contact:
        raise SuggestionInvalid(_("匿名提交不能留联系方式；如希望被联系，请选择署名。"))
    photos = list(photos or [])
    checked = _check_photos(photos)

    now = timezone.now()
    shown, digest = receipts.new_code()
    case = Case(number=_next_number(now), box=box, kind=kind, category=category, text=text, signed=bool(signed),
                contact_allowed=bool(contact_allowed), receipt_hash=digest, submitted_at=now)
    _save(case, None, "submit")  # no user: not even a signed writer appears in the history
    for n, (upload, info) in enumerate(zip(photos, checked), start=1):
        upload.seek(0)
        # Never the uploaded file's name: "张三_IMG_0412.jpg" would name the writer (issue 17 §3).
        row = CaseFile(case=case, original_name="photo-%d%s" % (n, _PHOTO_EXT.get(info["content_type"], "")),
                       content_type=info["content_type"], size=info["size"], sha256=info["sha256"])
        row.file.save("photo", upload, save=False)
        row.save()
    if signed:
        identity.record_identity(case=case, user=actor, contact=contact)
    notices.case_received(case)
    return case, shown


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("category", "unit").get(pk=case.pk)


def _require_handler(actor, case):
    if not selectors.handled_by(actor, case):
        raise SuggestionNotAllowed(_("只有本信箱的办理人可以这样做。"))


@transaction.atomic
def assign_case(*, case: Case, actor, unit: OrgUnit, days: int) -> Case:
    """Assign (or reassign) an open case to ``unit`` with a deadline ``days``
    working days from now (liaison.workdays: holidays and 调休 Saturdays
    counted as the calendar says). Raises SuggestionNotAllowed (not a
    handler), SuggestionStateConflict (answered or closed), SuggestionInvalid
    (no unit, days outside 1–MAX_DAYS)."""
    case = _locked(case)
    _require_handler(actor, case)
    if not case.may_move_to(Case.State.ASSIGNED):
        raise SuggestionStateConflict(_("事项 %(number)s 已答复或办结，不能再分派。") % {"number": case.number})
    if unit is None:
        raise SuggestionInvalid(_("请选择承办单位。"))
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise SuggestionInvalid(_("办理期限须为 1 至 %(n)s 个工作日。") % {"n": MAX_DAYS})
    now = timezone.now()
    case.unit = unit
    case.assigned_at = now
    case.assigned_by = actor
    case.due_at = add_working_days(now, days)
    case.state = Case.State.ASSIGNED
    case.notice_at = None  # the sweep looks at the new deadline
    _save(case, actor, "assign", ["unit", "assigned_at", "assigned_by", "due_at", "state", "notice_at"])
    notices.case_assigned(case, actor=actor)
    return case


@transaction.atomic
def add_note(*, case: Case, actor, kind: str, text: str) -> Note:
    """A 督办 note (handlers) or an investigation record (handlers and the
    assigned unit) on an open case. Raises SuggestionNotAllowed,
    SuggestionStateConflict (closed), SuggestionInvalid (empty text)."""
    case = _locked(case)
    text = (text or "").strip()
    if kind not in Note.Kind.values:
        raise SuggestionInvalid(_("请选择记录类型。"))
    handler = selectors.handled_by(actor, case)
    if kind == Note.Kind.SUPERVISION and not handler:
        raise SuggestionNotAllowed(_("只有本信箱的办理人可以督办。"))
    if kind == Note.Kind.INVESTIGATION and not (handler or selectors.works_on(actor, case)):
        raise SuggestionNotAllowed(_("只有办理人或承办单位可以记录调查情况。"))
    if not case.is_open:
        raise SuggestionStateConflict(_("事项 %(number)s 已办结，不能再添加记录。") % {"number": case.number})
    if not text:
        raise SuggestionInvalid(_("请填写内容。"))
    note = Note.objects.create(case=case, kind=kind, text=text[:MAX_TEXT], by=actor, at=timezone.now())
    if kind == Note.Kind.SUPERVISION:
        notices.case_supervised(case, actor=actor)
    elif not handler:
        notices.investigation_recorded(case, actor=actor)
    return note


@transaction.atomic
def record_finding(*, case: Case, actor, finding: str, answer: str) -> Case:
    """The handler's finding and the answer to the writer (shown on the
    receipt page and, if signed, in the writer's portal). Once: a second
    handler deciding at the same moment finds the case answered. Raises
    SuggestionNotAllowed, SuggestionStateConflict, SuggestionInvalid."""
    case = _locked(case)
    _require_handler(actor, case)
    if not case.may_move_to(Case.State.ANSWERED):
        raise SuggestionStateConflict(_("事项 %(number)s 已由他人答复，请刷新后查看。") % {"number": case.number})
    answer = (answer or "").strip()
    if finding not in Case.Finding.values:
        raise SuggestionInvalid(_("请选择处理结论。"))
    if not answer:
        raise SuggestionInvalid(_("请填写给提交人的答复。"))
    case.finding = finding
    case.answer = answer[:MAX_TEXT]
    case.answered_at = timezone.now()
    case.answered_by = actor
    case.state = Case.State.ANSWERED
    _save(case, actor, "answer", ["finding", "answer", "answered_at", "answered_by", "state"])
    return case


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise SuggestionInvalid(_("请填写奖励金额（元）。"))
    if amount <= 0 or amount > Decimal("100000"):
        raise SuggestionInvalid(_("奖励金额须大于 0 且不超过 100000 元。"))
    return amount


def suggested_amount(case: Case) -> Decimal | None:
    """The seed's amount for a founded complaint (200 yuan); None otherwise."""
    if case.kind == Case.Kind.COMPLAINT and case.finding == Case.Finding.FOUNDED:
        return FOUNDED_COMPLAINT_REWARD
    return None


@transaction.atomic
def propose_reward(*, case: Case, actor, amount, reason: str) -> Reward:
    """Propose a reward for an answered case whose finding is founded or
    adopted (seed 001 六.2–3); one per case. Raises SuggestionNotAllowed,
    SuggestionStateConflict, SuggestionInvalid."""
    case = _locked(case)
    _require_handler(actor, case)
    if case.state != Case.State.ANSWERED or case.finding not in Case.REWARDABLE:
        raise SuggestionStateConflict(_("只有已答复且结论为属实或采纳的事项可以提议奖励。"))
    if Reward.objects.filter(case=case).exists():
        raise SuggestionStateConflict(_("事项 %(number)s 已有奖励提议。") % {"number": case.number})
    reason = (reason or "").strip()
    if not reason:
        raise SuggestionInvalid(_("请填写奖励理由。"))
    reward = Reward(case=case, amount=_amount(amount), reason=reason[:MAX_TEXT], proposed_by=actor,
                    proposed_at=timezone.now())
    _save(reward, actor, "propose")
    case.reward = reward
    notices.reward_proposed(case, actor=actor)
    return reward


@transaction.atomic
def decide_reward(*, reward: Reward, actor, approve: bool, note: str = "") -> Reward:
    """Approve or refuse a proposed reward. The proposer may not decide
    their own proposal (four eyes); the decider must be a named person of
    the case's box. Raises SuggestionNotAllowed, SuggestionStateConflict
    (decided already)."""
    reward = Reward.objects.select_for_update(of=("self",)).select_related("case").get(pk=reward.pk)
    if not selectors.approves_for(actor, reward.case):
        raise SuggestionNotAllowed(_("只有本信箱的办理人或奖励审批人可以审批奖励。"))
    if reward.proposed_by_id == actor.pk:
        raise SuggestionNotAllowed(_("奖励须由提议人以外的人审批。"))
    if reward.state != Reward.State.PROPOSED:
        raise SuggestionStateConflict(_("该奖励已审批，请刷新后查看。"))
    note = (note or "").strip()
    if not approve and not note:
        raise SuggestionInvalid(_("不批准时请写明理由。"))
    reward.state = Reward.State.APPROVED if approve else Reward.State.REFUSED
    reward.decided_by = actor
    reward.decided_at = timezone.now()
    reward.decision_note = note[:MAX_TEXT]
    _save(reward, actor, "approve" if approve else "refuse", ["state", "decided_by", "decided_at", "decision_note"])
    return reward


@transaction.atomic
def close_case(*, case: Case, actor) -> Case:
    """Close an answered case (its reward, if any, decided) and seal it
    (suggestions.sealing). Raises SuggestionNotAllowed,
    SuggestionStateConflict."""
    case = _locked(case)
    _require_handler(actor, case)
    if not case.may_move_to(Case.State.CLOSED):
        raise SuggestionStateConflict(_("事项 %(number)s 尚未答复或已办结。") % {"number": case.number})
    if Reward.objects.filter(case=case, state=Reward.State.PROPOSED).exists():
        raise SuggestionStateConflict(_("奖励尚未审批，不能办结。"))
    case.closed_at = timezone.now()
    case.state = Case.State.CLOSED
    _save(case, actor, "close", ["closed_at", "state"])
    sealing.seal_case(case=case, actor=actor)
    return case

"""Replacement flags (issue 14 §4; seed 003: "报送信息、推荐稿件任务连续两次未
报送者或无故两次以上不参加协会举办的联络员会议者…提出更换人选"): one
``ReplacementFlag`` per case whatever rule raised it, with its evidence,
shown to the head of the officer's unit and to HR, who keep the officer (with
a reason) or replace them (which ends the appointment and opens the change
filings, officers.services.end_appointment).

Every rule goes through ``raise_flag``: the case key makes a repeated sweep
find the flag it raised (the unique (officer, rule, case_key) is the backstop).

* data calls: ``flag_missed_calls`` (for datacalls' two-miss rule);
* meetings: ``check_meeting_rule`` takes the absences, ``meeting_absences``
  reads them from the meeting invitations, ``sweep_meeting_absences`` runs it
  for every active officer (daily task, officers.tasks);
* assessment: ``flag_failed_assessment``, called by the assessment.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import notices
from .models import Invitation, Meeting, Officer, ReplacementFlag
from .roles import roles_of
from .services import end_appointment
from .work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

Rule = ReplacementFlag.Rule


def meeting_absence_limit() -> int:
    """Absences without leave in a year that raise the flag (seed 003: "两次以上")."""
    return max(1, int(getattr(settings, "REPLACEMENT_MEETING_ABSENCES", 2)))


@transaction.atomic
def raise_flag(*, officer: Officer, rule: str, case_key: str, summary: str, evidence: dict,
               now: dt.datetime | None = None, notify: bool = True) -> tuple[ReplacementFlag, bool]:
    """The flag of this case, raised if it is new: (flag, created). A new flag
    tells the head of the officer's unit and HR (in this transaction) unless
    ``notify`` is False (the caller has told them already). An open
    flag found again takes the newer ``evidence`` (a third miss joins the
    case). ``evidence``: {"records": [{"label": str, "date": "YYYY-MM-DD"}]}."""
    if rule not in Rule.values:
        raise WorkInvalid(_("未知的更换规则：%(rule)s。") % {"rule": rule})
    flag = ReplacementFlag.objects.select_for_update().filter(officer=officer, rule=rule, case_key=case_key).first()
    if flag is None:
        flag = ReplacementFlag(officer=officer, unit_id=officer.unit_id, rule=rule, case_key=case_key[:100],
                               summary=summary[:200], evidence=evidence, raised_at=now or timezone.now())
        flag._change_reason = "raise"
        try:
            with transaction.atomic():
                flag.save()
        except IntegrityError:  # raised by a concurrent sweep meanwhile
            return ReplacementFlag.objects.get(officer=officer, rule=rule, case_key=case_key), False
        if notify:
            notices.flag_raised(flag)
        return flag, True
    if flag.state == ReplacementFlag.State.OPEN and flag.evidence != evidence:
        flag.evidence = evidence
        flag.summary = summary[:200]
        flag._change_reason = "evidence"
        flag.save(update_fields=["evidence", "summary"])
    return flag, False


def flag_missed_calls(*, officer: Officer, first_occurrence_id: int, records: list[dict],
                      now: dt.datetime | None = None, notify: bool = True):
    """Two consecutive missed data calls: one case per run of misses, named
    by its first missed occurrence (datacalls.services.closing calls it with
    each run it flags; ``records``: [{"label", "date"}], oldest first)."""
    return raise_flag(
        officer=officer, rule=Rule.DATA_CALLS, case_key="occurrence:%d" % first_occurrence_id,
        summary=_("连续 %(n)d 次未按期报送") % {"n": len(records)}, evidence={"records": records}, now=now,
        notify=notify)


def check_meeting_rule(*, officer: Officer, year: int, absences: list[dict], now: dt.datetime | None = None):
    """Two or more liaison meetings missed without leave in ``year``: one case
    per officer and year. ``absences``: [{"label", "date"}]. Returns (flag,
    created) or None below the limit."""
    if len(absences) < meeting_absence_limit():
        return None
    return raise_flag(
        officer=officer, rule=Rule.MEETINGS, case_key="meetings:%d" % year,
        summary=_("%(year)d 年无故缺席联络员例会 %(n)d 次") % {"year": year, "n": len(absences)},
        evidence={"records": absences}, now=now)


def flag_failed_assessment(*, officer: Officer, period: str, score, threshold, now: dt.datetime | None = None):
    """A failed assessment (score below the pass threshold): one case per
    officer and assessment period (e.g. "2026")."""
    return raise_flag(
        officer=officer, rule=Rule.ASSESSMENT, case_key="assessment:%s" % period,
        summary=_("%(period)s 考核得分 %(score)s，低于合格线 %(threshold)s")
        % {"period": period, "score": score, "threshold": threshold},
        evidence={"records": [{"label": _("考核得分"), "value": str(score), "threshold": str(threshold)}]}, now=now)


def meeting_absences(year: int) -> dict[int, list[dict]]:
    """user id → the regular liaison meetings of ``year`` they missed without
    leave (attendance recorded as absent), oldest first. One query."""
    rows = (Invitation.objects.filter(meeting__kind=Meeting.Kind.REGULAR, meeting__starts_at__year=year,
                                      attendance=Invitation.Attendance.ABSENT)
            .order_by("meeting__starts_at", "pk").values_list("user_id", "meeting__title", "meeting__starts_at"))
    out: dict[int, list[dict]] = {}
    for user_id, title, starts_at in rows:
        out.setdefault(user_id, []).append(
            {"label": title, "date": timezone.localtime(starts_at).date().isoformat()})
    return out


def sweep_meeting_absences(now: dt.datetime | None = None) -> int:
    """Run the meeting rule for every active officer for this year; returns
    the number of flags raised (0 on a second run)."""
    now = now or timezone.now()
    year = timezone.localtime(now).year
    absences = meeting_absences(year)
    raised = 0
    for officer in Officer.objects.filter(status=Officer.Status.ACTIVE, user_id__in=absences).order_by("pk"):
        result = check_meeting_rule(officer=officer, year=year, absences=absences[officer.user_id], now=now)
        raised += int(bool(result and result[1]))
    return raised


# --- who sees and resolves ---------------------------------------------------------


def flags_visible_to(user):
    """HR and superusers see every flag; a head sees their units' flags."""
    roles = roles_of(user)
    flags = ReplacementFlag.objects.select_related("officer__user", "unit", "resolved_by")
    if roles.user_id is None:
        return flags.none()
    if roles.is_superuser or roles.is_hr:
        return flags
    if not roles.headed_unit_ids:
        return flags.none()  # the same empty list, known without compiling a query
    return flags.filter(unit_id__in=roles.headed_unit_ids)


def can_keep(user, flag) -> bool:
    roles = roles_of(user)
    return flag.state == ReplacementFlag.State.OPEN and (
        roles.is_superuser or roles.is_hr or flag.unit_id in roles.headed_unit_ids)


def can_replace(user, flag) -> bool:
    """Replacing ends the appointment: HR's act (officers.change_officer)."""
    return flag.state == ReplacementFlag.State.OPEN and user.has_perm("officers.change_officer")


@transaction.atomic
def resolve_flag(*, flag: ReplacementFlag, actor, decision: str, reason: str) -> ReplacementFlag:
    """Keep the officer (``decision="keep"``: head or HR) or replace them
    (``"replace"``: HR; ends the appointment as replaced, which opens the
    change filings of the unit's registrations). ``reason`` is required.
    Raises WorkStateConflict (already resolved), WorkNotAllowed, WorkInvalid."""
    flag = ReplacementFlag.objects.select_for_update(of=("self",)).select_related("officer").get(pk=flag.pk)
    if flag.state != ReplacementFlag.State.OPEN:
        raise WorkStateConflict(_("该更换提示已处理（%(state)s），请刷新后查看。") % {"state": flag.get_state_display()})
    if decision not in ("keep", "replace"):
        raise WorkInvalid(_("请选择保留或更换。"))
    allowed = can_keep(actor, flag) if decision == "keep" else can_replace(actor, flag)
    if not allowed:
        raise WorkNotAllowed(_("您无权作出此处理。更换联络员由人力资源管理办理。"))
    reason = (reason or "").strip()
    if not reason:
        raise WorkInvalid(_("请填写处理理由。"))
    if decision == "replace":
        if flag.officer.status == Officer.Status.ACTIVE:
            end_appointment(officer=flag.officer, actor=actor, status=Officer.Status.REPLACED)
        flag.state = ReplacementFlag.State.REPLACED
    else:
        flag.state = ReplacementFlag.State.KEPT
    flag.reason = reason[:2000]
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag._history_user = actor
    flag._change_reason = decision
    flag.save(update_fields=["state", "reason", "resolved_by", "resolved_at"])
    return flag

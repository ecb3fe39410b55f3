"""The appointment workflow (issue 19 §9, seed 003): who sees and does what
with a recommendation (推荐表), and the state changes.

recommended → (interview scheduled) → confirmed | rejected; the recommending
unit may withdraw an open one. Confirming puts the appointment into the
roster through the registry's own appointment service
(``officers.services.appoint_unchecked``: one primary per unit, the
registrations and their change filings, the induction hooks), ends the
replaced officer's appointment on the effective date for a replacement, and
announces it to all staff (任免公告).

Each change: lock the recommendation, check its state, check the actor, write
with history, write the notices in the same transaction.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import OfficerError

from . import recommendation_notices as notices
from .models import Officer, OrgUnit, Recommendation
from .roles import roles_of
from .services import appoint_unchecked, end_unchecked
from .work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

State = Recommendation.State


# --- who -------------------------------------------------------------------------


def decides_recommendations(user) -> bool:
    """The secretariat (and HR, who keeps the roster) interview and confirm
    (seed 003 第三条 "报协会秘书处登记备案。协会秘书处经核定")."""
    roles = roles_of(user)
    return roles.is_superuser or roles.is_secretariat or roles.is_hr


def sees_all_recommendations(user) -> bool:
    roles = roles_of(user)
    return decides_recommendations(user) or roles.is_supervision or roles.is_general_manager


def recommending_units(user) -> QuerySet:
    """Units ``user`` may recommend for: those they head or serve as an
    active officer ("the department (head or officer) recommends")."""
    roles = roles_of(user)
    ids = roles.headed_unit_ids | roles.officer_unit_ids
    return OrgUnit.objects.filter(pk__in=ids, is_active=True).order_by("sort_order", "code")


def may_recommend(user) -> bool:
    """``recommending_units(user).exists()``: a user who heads a unit needs no
    query (roles_of reads only the active units one heads)."""
    if roles_of(user).headed_unit_ids:
        return True
    return recommending_units(user).exists()


def recommendations_visible_to(user) -> QuerySet:
    """The one answer to who sees a recommendation: the secretariat, HR,
    supervision and the general manager all; a unit's head, supervising
    leader and officers their unit's; the recommender and the candidate
    their own. Everyone else: none (a 404)."""
    roles = roles_of(user)
    rows = Recommendation.objects.select_related("unit", "candidate", "recommended_by", "replaces__user",
                                                 "decided_by")
    if roles.user_id is None:
        return rows.none()
    if sees_all_recommendations(user):
        return rows
    units = roles.headed_unit_ids | roles.supervised_unit_ids | roles.officer_unit_ids
    return rows.filter(Q(unit_id__in=units) | Q(recommended_by_id=roles.user_id) | Q(candidate_id=roles.user_id))


def announcements() -> QuerySet:
    """Confirmed appointments as announced (任免公告), newest first: what
    every member of staff reads (names, unit, dates; no reasons)."""
    return (Recommendation.objects.filter(state=State.CONFIRMED, announced_at__isnull=False)
            .select_related("unit", "candidate", "replaces__user").order_by("-announced_at", "-pk"))


def may_decide(user, rec: Recommendation) -> bool:
    """The secretariat decides an open recommendation, but nobody decides one
    they recommended or that names themselves (separation of duties)."""
    return (rec.is_open and decides_recommendations(user)
            and user.pk not in (rec.recommended_by_id, rec.candidate_id))


def may_withdraw(user, rec: Recommendation) -> bool:
    roles = roles_of(user)
    return rec.is_open and (user.pk == rec.recommended_by_id or rec.unit_id in roles.headed_unit_ids)


# --- changes -------------------------------------------------------------------------


def _name(user) -> str:
    return user.get_full_name() or user.username


def _locked(rec: Recommendation) -> Recommendation:
    return (Recommendation.objects.select_for_update(of=("self",))
            .select_related("unit", "candidate", "recommended_by", "replaces__user").get(pk=rec.pk))


def _check_open(rec: Recommendation, to_state) -> None:
    if not rec.may_move_to(to_state):
        raise WorkStateConflict(_("该推荐当前状态为“%(state)s”，不能再进行此操作，请刷新后查看。")
                                % {"state": rec.get_state_display()})


def _save(rec: Recommendation, actor, reason: str, fields: list[str]) -> None:
    rec._history_user = actor
    rec._change_reason = reason
    rec.save(update_fields=fields)


def _required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise WorkInvalid(message)
    return value


@transaction.atomic
def recommend_officer(*, actor, unit: OrgUnit, candidate, phone: str, reasons: str, qualifications: str,
                      form_file, email: str = "", is_primary: bool = True,
                      replaces: Officer | None = None) -> Recommendation:
    """File a 推荐表 for ``unit`` (seed 003 第九条: the unit recommends and fills
    in the form; 第三条 the secretariat then checks it). ``replaces``: the
    current officer of the unit the candidate would replace (a replacement,
    第十二条). ``form_file``: the signed form (required).

    Raises WorkNotAllowed (not the unit's head or officer), WorkInvalid (a
    missing field, a candidate already in post or already recommended, a
    replaced officer not in post in this unit, a second primary without
    naming the one replaced)."""
    if not recommending_units(actor).filter(pk=unit.pk).exists():
        raise WorkNotAllowed(_("只有本单位的部门负责人或联络员可以推荐联络员。"))
    # Lock the unit: two recommendations of one person to one unit queue here.
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if candidate is None or not candidate.is_active:
        raise WorkInvalid(_("请选择在职的被推荐人。"))
    phone = _required(phone, _("请填写被推荐人的联系电话。"))
    reasons = _required(reasons, _("请填写推荐理由。"))
    qualifications = _required(qualifications, _("请填写被推荐人的任职条件。"))
    if not form_file:
        raise WorkInvalid(_("请上传签字盖章的推荐表。"))
    active = Officer.objects.filter(unit=unit, status=Officer.Status.ACTIVE)
    if active.filter(user=candidate).exists():
        raise WorkInvalid(_("%(name)s 已是%(unit)s的在岗联络员。") % {"name": _name(candidate), "unit": unit.name})
    if Recommendation.objects.filter(unit=unit, candidate=candidate, state__in=Recommendation.OPEN_STATES).exists():
        raise WorkInvalid(_("%(name)s 已有一份待处理的推荐，请勿重复推荐。") % {"name": _name(candidate)})
    if replaces is not None:
        if replaces.unit_id != unit.pk or replaces.status != Officer.Status.ACTIVE:
            raise WorkInvalid(_("被接替的联络员须是本单位的在岗联络员。"))
        if replaces.user_id == candidate.pk:
            raise WorkInvalid(_("被推荐人不能接替自己。"))
    elif is_primary and active.filter(is_primary=True).exists():
        raise WorkInvalid(_("%(unit)s 已有在岗主联络员：请选择“更换”并指明接替的联络员，或推荐为副联络员。")
                          % {"unit": unit.name})
    rec = Recommendation(
        unit=unit, candidate=candidate, replaces=replaces,
        kind=Recommendation.Kind.REPLACEMENT if replaces is not None else Recommendation.Kind.NEW,
        is_primary=is_primary, phone=phone, email=(email or "").strip(), reasons=reasons,
        qualifications=qualifications, recommended_by=actor, recommended_at=timezone.now(),
        form_name=getattr(form_file, "name", "")[:255])
    rec.form_file.save(rec.form_name or "recommendation", form_file, save=False)
    rec._history_user = actor
    rec._change_reason = "recommend"
    rec.save()
    notices.recommended(rec, actor=actor)
    return rec


@transaction.atomic
def schedule_interview(*, actor, recommendation: Recommendation, at: dt.datetime, place: str,
                       note: str = "") -> Recommendation:
    """Arrange (or move) the interview (seed 003 联络员工作规则 第七条 "经过面试、考察等方式选拔");
    the candidate, recommender and unit head are told. Raises WorkStateConflict
    (decided or withdrawn), WorkNotAllowed, WorkInvalid (no time or place, a
    time in the past)."""
    rec = _locked(recommendation)
    _check_open(rec, State.INTERVIEW)
    if not may_decide(actor, rec):
        raise WorkNotAllowed(_("只有秘书处可以安排面谈，且不能处理本人推荐或推荐本人的事项。"))
    if at is None:
        raise WorkInvalid(_("请填写面谈时间。"))
    if at < timezone.now():
        raise WorkInvalid(_("面谈时间不能早于现在。"))
    rec.interview_place = _required(place, _("请填写面谈地点（或线上会议链接）。"))[:200]
    rec.interview_at = at
    rec.interview_note = (note or "").strip()
    rec.state = State.INTERVIEW
    _save(rec, actor, "interview", ["interview_at", "interview_place", "interview_note", "state"])
    notices.interview_scheduled(rec, actor=actor)
    return rec


@transaction.atomic
def confirm_recommendation(*, actor, recommendation: Recommendation, effective_on: dt.date | None = None,
                           note: str = "") -> Recommendation:
    """Confirm the appointment (seed 003 第三条 "秘书处经核定…发文公布"): the
    candidate becomes an active officer of the unit from ``effective_on``
    (default today; not in the future, not before the replaced officer's
    appointment), a replacement ends the named officer's appointment as
    replaced on that date, the registry opens the registrations' change
    filings and gives the induction hooks their say, and all staff are told
    (任免公告).

    Raises WorkStateConflict (no longer open — a second confirm, a rejected or
    withdrawn one), WorkNotAllowed (not the secretariat, or one's own
    recommendation), WorkInvalid (a bad date, a unit that gained a primary
    officer meanwhile, the candidate already in post)."""
    rec = _locked(recommendation)
    _check_open(rec, State.CONFIRMED)
    if not may_decide(actor, rec):
        raise WorkNotAllowed(_("只有秘书处可以确认任命，且不能处理本人推荐或推荐本人的事项。"))
    today = timezone.localdate()
    effective_on = effective_on or today
    if effective_on > today:
        raise WorkInvalid(_("生效日期不能晚于今天：请在任命生效当日确认。"))
    if effective_on < timezone.localtime(rec.recommended_at).date():
        raise WorkInvalid(_("生效日期不能早于推荐日期。"))
    replaced = rec.replaces
    try:
        if replaced is not None and replaced.status == Officer.Status.ACTIVE:
            # The old appointment ends on the effective date (seed 003 第十二条).
            end_unchecked(officer=replaced, actor=actor, status=Officer.Status.REPLACED, ended_on=effective_on)
        officer = appoint_unchecked(
            officer=Officer(user=rec.candidate, unit=rec.unit, phone=rec.phone, email=rec.email,
                            is_primary=rec.is_primary, appointed_on=effective_on,
                            recommendation_file=rec.form_file.name,
                            note=_("经推荐确认任命（推荐编号 %(pk)s）") % {"pk": rec.pk}),
            actor=actor)
    except WorkInvalid:
        raise
    except OfficerError as exc:  # the registry's refusals (PrimaryOfficerExists…) carry a user message
        raise WorkInvalid(str(exc)) from exc
    now = timezone.now()
    rec.state = State.CONFIRMED
    rec.officer = officer
    rec.effective_on = effective_on
    rec.decided_by, rec.decided_at = actor, now
    rec.decision_note = (note or "").strip()
    rec.announced_at = now
    _save(rec, actor, "confirm", ["state", "officer", "effective_on", "decided_by", "decided_at", "decision_note",
                                  "announced_at"])
    notices.appointment_announced(rec, actor=actor)
    return rec


@transaction.atomic
def reject_recommendation(*, actor, recommendation: Recommendation, reason: str) -> Recommendation:
    """Not confirmed, with the reason (required) shown to the unit. Raises
    WorkStateConflict, WorkNotAllowed, WorkInvalid (no reason)."""
    rec = _locked(recommendation)
    _check_open(rec, State.REJECTED)
    if not may_decide(actor, rec):
        raise WorkNotAllowed(_("只有秘书处可以作出不予任命的决定，且不能处理本人推荐或推荐本人的事项。"))
    rec.decision_note = _required(reason, _("请填写未通过的理由。"))
    rec.state = State.REJECTED
    rec.decided_by, rec.decided_at = actor, timezone.now()
    _save(rec, actor, "reject", ["state", "decision_note", "decided_by", "decided_at"])
    notices.rejected(rec, actor=actor)
    return rec


@transaction.atomic
def withdraw_recommendation(*, actor, recommendation: Recommendation) -> Recommendation:
    """The recommender or the unit's head withdraws an open recommendation.
    Raises WorkStateConflict, WorkNotAllowed."""
    rec = _locked(recommendation)
    _check_open(rec, State.WITHDRAWN)
    if not may_withdraw(actor, rec):
        raise WorkNotAllowed(_("只有推荐人或本单位负责人可以撤回推荐。"))
    rec.state = State.WITHDRAWN
    rec.decided_by, rec.decided_at = actor, timezone.now()
    _save(rec, actor, "withdraw", ["state", "decided_by", "decided_at"])
    notices.withdrawn(rec, actor=actor)
    return rec


def candidates() -> QuerySet:
    """People who may be recommended: active users (never system accounts)."""
    return get_user_model().objects.filter(is_active=True, is_superuser=False).order_by("pk")

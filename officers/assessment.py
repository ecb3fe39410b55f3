"""The yearly assessment: who sees what, and the services HR runs (issue 14
§6; seed 003 第六章 考评与表彰; domain: Assessment, Dynamic management).

Who:
* HR (人力资源管理) opens a period, sets the weights, computes, enters hand
  scores, adjusts (with a reason, kept in history) and publishes;
* HR, supervision, supervising leaders and the general manager see every
  result and breakdown at any time;
* anyone else sees their own breakdown only; the ranking of officers and of
  departments once published. Another's breakdown is the same 404 as a
  missing one.

Services take the acting user, lock the period, check its state and the
actor, write with history and raise ``AssessmentError`` subclasses carrying
the user's message.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.errors import LiaisonError

from . import assessment_notices as notices
from . import flags
from .assessment_models import AssessmentPeriod, AssessmentResult, Criterion, HandScore, OfficerAward
from .assessment_scores import compute_parts, computed_criterion, officer_posts, parts_total, q2
from .models import Officer
from .roles import roles_of

Source = Criterion.Source
AWARD_TITLE = "年度优秀联络员"

# The default criteria of a new period (seed 003 第九条 and issue 14 §6); HR edits the weights.
DEFAULT_CRITERIA = [
    ("items", "信息报送与采用", Source.ITEMS, 30, 20),
    ("datacalls", "报送任务按时完成", Source.DATACALLS, 15, None),
    ("reviews", "审核环节及时性", Source.REVIEWS, 10, None),
    ("meetings", "例会出勤", Source.MEETINGS, 10, None),
    ("training", "培训学时", Source.TRAINING, 10, 16),
    ("attitude", "工作态度", Source.MANUAL, 10, None),
    ("network", "网络与制度建设", Source.MANUAL, 10, None),
    ("dues", "会费缴纳", Source.MANUAL, 5, None),
    ("accountability", "责任追究扣分", Source.ACCOUNTABILITY, 20, None),
]


class AssessmentError(LiaisonError):
    """An assessment change the rules refuse."""


class AssessmentStateConflict(AssessmentError):
    """The period is not in the state the change needs."""


class AssessmentInvalid(AssessmentError):
    """Bad input (a score out of range, a missing comment or reason)."""


# --- who ---------------------------------------------------------------------------------


def manages_assessment(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or roles_of(user).is_hr))


def sees_all_results(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    r = roles_of(user)
    return user.is_superuser or r.is_hr or r.is_supervision or r.is_leader or r.is_general_manager


def periods_visible_to(user):
    """Every period for those who see all results; published ones and the
    periods with the user's own result for everyone else."""
    periods = AssessmentPeriod.objects.all()
    if sees_all_results(user):
        return periods
    return periods.filter(Q(state=AssessmentPeriod.State.PUBLISHED) | Q(results__user=user)).distinct()


def results_visible_to(user, period):
    """Results whose breakdown ``user`` may read (own only, or all)."""
    results = AssessmentResult.objects.filter(period=period).select_related("user", "unit")
    if sees_all_results(user):
        return results
    return results.filter(user=user)


def ranking_visible(user, period) -> bool:
    return period.is_published or sees_all_results(user)


def ranking(period):
    """The officers' ranking: results by rank, with user and unit (one query)."""
    return (AssessmentResult.objects.filter(period=period).select_related("user", "unit")
            .order_by("rank", "-total", "user__username"))


def department_ranking(period) -> list[dict]:
    """Departments by their officers' average total: [{"rank", "unit", "average", "officers"}]."""
    rows = list(
        AssessmentResult.objects.filter(period=period)
        .values("unit_id", "unit__name", "unit__code")
        .annotate(average=Avg("total"), officers=Count("pk"))
        .order_by("-average", "unit__code")
    )
    out, previous, rank = [], None, 0
    for position, row in enumerate(rows, start=1):
        average = q2(row["average"] or 0)
        if average != previous:
            rank, previous = position, average
        out.append({"rank": rank, "unit": row["unit__name"], "code": row["unit__code"], "average": average,
                    "officers": row["officers"]})
    return out


# --- services ------------------------------------------------------------------------------


def _require_manager(actor) -> None:
    if not manages_assessment(actor):
        raise PermissionDenied


def _locked_open(period) -> AssessmentPeriod:
    period = AssessmentPeriod.objects.select_for_update().get(pk=period.pk)
    if period.state != AssessmentPeriod.State.OPEN:
        raise AssessmentStateConflict(_("%(title)s 已发布，不能再修改。") % {"title": period.title})
    return period


@transaction.atomic
def open_period(*, actor, year: int, title: str = "") -> AssessmentPeriod:
    """Open the assessment of ``year`` with the default criteria. Raises
    PermissionDenied (not HR), AssessmentInvalid (a year already opened or out of range)."""
    _require_manager(actor)
    if not 2000 <= int(year) <= 2100:
        raise AssessmentInvalid(_("请填写正确的年度。"))
    if AssessmentPeriod.objects.filter(year=year).exists():
        raise AssessmentInvalid(_("%(year)s 年度的考评已经发起。") % {"year": year})
    period = AssessmentPeriod(year=year, title=title or _("%(year)s 年度联络员考评") % {"year": year},
                              opened_by=actor, opened_at=timezone.now())
    period._history_user = actor
    period.save()
    for order, (code, name, source, weight, target) in enumerate(DEFAULT_CRITERIA):
        criterion = Criterion(period=period, code=code, name=name, source=source, weight=weight, target=target,
                              sort_order=order)
        criterion._history_user = actor
        criterion.save()
    return period


@transaction.atomic
def set_weights(*, actor, period: AssessmentPeriod, weights: dict) -> AssessmentPeriod:
    """Set criteria weights ({criterion code: points}) of an open period and
    recompute its results if there are any. Raises
    PermissionDenied, AssessmentStateConflict (published), AssessmentInvalid (a
    weight not a number from 0 to 100)."""
    _require_manager(actor)
    period = _locked_open(period)
    for criterion in period.criteria.all():
        if criterion.code not in weights:
            continue
        try:
            weight = q2(Decimal(str(weights[criterion.code]).strip()))
        except (InvalidOperation, ValueError):
            raise AssessmentInvalid(_("“%(name)s”的分值应为 0 到 100 的数字。") % {"name": criterion.name}) from None
        if not Decimal(0) <= weight <= Decimal(100):
            raise AssessmentInvalid(_("“%(name)s”的分值应为 0 到 100 的数字。") % {"name": criterion.name})
        if weight != criterion.weight:
            criterion.weight = weight
            criterion._history_user = actor
            criterion._change_reason = "weight"
            criterion.save(update_fields=["weight"])
    if period.results.exists():  # the parts hold their weights: recompute them
        compute_period(actor=actor, period=period)
    return period


def _rank(period: AssessmentPeriod, actor) -> list[AssessmentResult]:
    """Rank the period's results by total (equal totals share a rank), saving
    the rows whose rank changed."""
    results = list(period.results.select_related("user").order_by("-total", "user__username"))
    previous, rank = None, 0
    for position, result in enumerate(results, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        if result.rank != rank:
            result.rank = rank
            result._history_user = actor
            result._change_reason = "rank"
            result.save(update_fields=["rank"])
    return results


def _set_total(result: AssessmentResult) -> None:
    result.computed_score = parts_total(result.parts)
    result.total = q2(result.computed_score + Decimal(result.adjustment))


@transaction.atomic
def compute_period(*, actor, period: AssessmentPeriod, now=None) -> list[AssessmentResult]:
    """Compute every officer's parts from the year's records (officers.
    assessment_scores), keeping hand scores and adjustments, and rank them.
    Officers: posts overlapping the year; the unit is the latest post's.
    Raises PermissionDenied, AssessmentStateConflict (published)."""
    if actor is not None:  # None: the seed_demo or a command, the operator
        _require_manager(actor)
    period = _locked_open(period)
    now = now or timezone.now()
    posts = list(officer_posts(period.year))
    tenures, unit_of = {}, {}
    for post in posts:
        tenures.setdefault(post.user_id, []).append((post.unit_id, post.appointed_on, post.ended_on or
                                                     dt.date.max))
        unit_of[post.user_id] = post.unit_id  # the latest post wins (posts are oldest first)
    user_ids = sorted(unit_of)
    criteria = list(period.criteria.all())
    existing = {r.user_id: r for r in period.results.all()}
    hands = {(h.result.user_id, h.criterion_id): h
             for h in HandScore.objects.filter(result__period=period).select_related("result", "scored_by")}
    parts = compute_parts(period=period, criteria=criteria, user_ids=user_ids, tenures=tenures, hand_scores=hands,
                          now=now)
    for user_id, user_parts in parts.items():
        result = existing.pop(user_id, None) or AssessmentResult(period=period, user_id=user_id)
        result.unit_id = unit_of[user_id]
        result.parts = user_parts
        result.computed_at = now
        _set_total(result)
        result._history_user = actor
        result._change_reason = "compute"
        result.save()
    for stale in existing.values():  # no longer an officer of the year
        stale.delete()
    period.computed_at = now
    period._history_user = actor
    period.save(update_fields=["computed_at"])
    return _rank(period, actor)


def _score(value, *, low, high, message) -> Decimal:
    try:
        score = q2(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        raise AssessmentInvalid(message) from None
    if not low <= score <= high:
        raise AssessmentInvalid(message)
    return score


@transaction.atomic
def enter_hand_score(*, actor, result: AssessmentResult, criterion: Criterion, score, comment: str) -> HandScore:
    """Enter (or change) a hand-scored criterion of one officer, with a
    comment; the result's total and the ranking follow. Raises
    PermissionDenied, AssessmentStateConflict, AssessmentInvalid (not a hand
    criterion of this period, score outside 0..weight, no comment)."""
    _require_manager(actor)
    period = _locked_open(result.period)
    result = AssessmentResult.objects.select_for_update().get(pk=result.pk)
    if (criterion.period_id != period.pk or criterion.source != Source.MANUAL
            or computed_criterion(criterion.code) is not None):  # computed by an app (assessment_scores.COMPUTED)
        raise AssessmentInvalid(_("该考评项不是本年度的人工评分项。"))
    score = _score(score, low=Decimal(0), high=Decimal(criterion.weight),
                   message=_("“%(name)s”的得分应在 0 到 %(weight)s 之间。") % {"name": criterion.name,
                                                                          "weight": criterion.weight})
    comment = (comment or "").strip()
    if not comment:
        raise AssessmentInvalid(_("请填写评语。"))
    hand = HandScore.objects.filter(result=result, criterion=criterion).first() or HandScore(
        result=result, criterion=criterion)
    hand.score, hand.comment, hand.scored_by, hand.scored_at = score, comment, actor, timezone.now()
    hand._history_user = actor
    hand.save()
    part = dict(result.parts.get(criterion.code) or {"name": criterion.name, "source": criterion.source,
                                                      "weight": str(criterion.weight)})
    part.update({"score": str(score), "raw": str(score), "note": "", "records": [{
        "date": timezone.localdate().isoformat(), "label": comment,
        "detail": actor.get_full_name() or actor.username, "points": str(score)}]})
    result.parts = {**result.parts, criterion.code: part}
    _set_total(result)
    result._history_user = actor
    result._change_reason = "hand score: %s" % criterion.code
    result.save()
    _rank(period, actor)
    return hand


@transaction.atomic
def adjust_score(*, actor, result: AssessmentResult, points, reason: str) -> AssessmentResult:
    """Set HR's adjustment of one officer's total (−100..100 points) with a
    required reason, kept in the result's history. Raises PermissionDenied,
    AssessmentStateConflict, AssessmentInvalid."""
    _require_manager(actor)
    period = _locked_open(result.period)
    result = AssessmentResult.objects.select_for_update().get(pk=result.pk)
    points = _score(points, low=Decimal(-100), high=Decimal(100), message=_("调整分应为 -100 到 100 之间的数字。"))
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentInvalid(_("调整分数必须填写理由。"))
    result.adjustment = points
    result.adjustment_reason = reason
    _set_total(result)
    result._history_user = actor
    result._change_reason = reason[:100]
    result.save()
    _rank(period, actor)
    return result


def excellent_rule() -> tuple[str, Decimal]:
    """("top", N) or ("score", S) from settings.ASSESSMENT_EXCELLENT."""
    raw = str(getattr(settings, "ASSESSMENT_EXCELLENT", "top:3") or "top:3")
    kind, _sep, value = raw.partition(":")
    kind = kind.strip().lower()
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        kind, number = "top", Decimal(3)
    if kind not in ("top", "score"):
        kind = "top"
    return kind, number


@transaction.atomic
def publish_period(*, actor, period: AssessmentPeriod, now=None) -> AssessmentPeriod:
    """Compute, rank and publish the period: pass/fail against
    settings.ASSESSMENT_PASS (a fail raises the replacement flag, officers.
    flags), the excellent officers named (settings.ASSESSMENT_EXCELLENT) with
    an OfficerAward each and the commendation notice written in this
    transaction. Raises PermissionDenied, AssessmentStateConflict."""
    _require_manager(actor)
    now = now or timezone.now()
    results = compute_period(actor=actor, period=period, now=now)
    period = _locked_open(period)
    pass_mark = Decimal(getattr(settings, "ASSESSMENT_PASS", 60))
    kind, number = excellent_rule()
    awarded = []
    for result in results:
        result.passed = result.total >= pass_mark
        if kind == "top":
            result.excellent = bool(result.passed and result.rank is not None and result.rank <= number)
        else:
            result.excellent = bool(result.passed and result.total >= number)
        result._history_user = actor
        result._change_reason = "publish"
        result.save(update_fields=["passed", "excellent"])
        if result.excellent:
            award = OfficerAward(user=result.user, unit=result.unit, period=period, title=AWARD_TITLE,
                                 score=result.total, awarded_at=now, awarded_by=actor)
            award._history_user = actor
            award.save()
            awarded.append(result)
    period.state = AssessmentPeriod.State.PUBLISHED
    period.published_by, period.published_at = actor, now
    period.pass_mark = pass_mark
    period.excellent_rule = "%s:%s" % (kind, number.normalize())
    period._history_user = actor
    period._change_reason = "publish"
    period.save()
    for result in results:
        if not result.passed:
            _flag_failure(result, period)
    notices.commendation(period, awarded, actor=actor)
    return period


def _flag_failure(result: AssessmentResult, period: AssessmentPeriod) -> None:
    """A failed assessment proposes the officer's replacement (seed 003; issue 14 §4)."""
    officer = Officer.objects.filter(user=result.user, unit=result.unit).order_by("-appointed_on", "-pk").first()
    if officer is None:
        return
    flags.flag_failed_assessment(officer=officer, period=str(period.year), score=result.total,
                                 threshold=period.pass_mark)

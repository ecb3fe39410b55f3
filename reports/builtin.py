"""The built-in sections of the reports to leaders (issue 19 §7; seed 000
"信息联络员应定期向上级汇报工作进展情况，包括信息收集和整理情况、会议和培训的组织情况"
and 4.1 绩效评估; seed 003 第九条 协会每年要总结联络工作的基本情况 and 第六章 考评与表彰).

Every figure is a count over the period's records, grouped by department,
kind, state or level: no section names an item, so the same snapshot may be
sent to every named leader whatever items each may open. Registered in
ReportsConfig.ready().

* items — submitted in the period, by department, kind and outcome
  (the item's state when the report is made) and by direction;
* on-time — review steps and unit answers per department, from the
  on-time page's own computations (infoflow.ontime.review_rates / feedback_rates);
* data calls — answers due in the period per unit: in, on time, late, missed, still out;
* meetings and training — meetings by kind and state, attendance; trainings, hours, person-hours;
* adoptions — adoption records of the period by level and department (briefs);
* incidents — registered in the period by severity, closed, past their limit;
* assessment (yearly only) — the year's assessment: officers assessed, passed,
  the excellent officers once published, the departments' ranking.
"""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefs.models import Adoption, AdoptionLevel
from datacalls.models import Answer, Occurrence
from incidents.models import Incident, Severity
from infoflow.models import Direction, Item, Kind
from infoflow.ontime import feedback_rates, review_rates
from officers import assessment
from officers.assessment_models import AssessmentPeriod, AssessmentResult
from officers.meeting_models import Invitation, Meeting, Training, TrainingAttendance

from .sections import YEARLY, Period, Section, figure, rate, register, table

IN_PROGRESS = {Item.State.IN_REVIEW, Item.State.RETURNED, Item.State.WITHDRAWN, Item.State.APPROVED,
               Item.State.TRANSMITTED}
DONE = {Item.State.COMPLETED, Item.State.ARCHIVED}


def _outcome(state: str) -> str:
    if state in DONE:
        return "done"
    if state == Item.State.CANCELLED:
        return "cancelled"
    return "in_progress"


def items_section(period: Period) -> dict:
    rows = (Item.objects.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
            .exclude(state=Item.State.DRAFT).order_by()
            .values("unit__name", "unit__sort_order", "unit__code", "kind", "direction", "state")
            .annotate(n=Count("pk")))
    units: dict = {}
    kinds: dict = defaultdict(lambda: defaultdict(int))
    directions: dict = defaultdict(int)
    totals = defaultdict(int)
    for row in rows:
        key = (row["unit__sort_order"] or 0, row["unit__code"] or "", row["unit__name"] or "—")
        counts = units.setdefault(key, defaultdict(int))
        outcome = _outcome(row["state"])
        for bucket in (counts, kinds[row["kind"]]):
            bucket["total"] += row["n"]
            bucket[outcome] += row["n"]
        directions[row["direction"]] += row["n"]
        totals["total"] += row["n"]
        totals[outcome] += row["n"]
    columns = [_("合计"), _("办理中"), _("已办结"), _("已作废")]

    def line(counts):
        return [counts["total"], counts["in_progress"], counts["done"], counts["cancelled"]]

    return {
        "figures": [figure(_("报送信息"), totals["total"]), figure(_("已办结"), totals["done"]),
                    figure(_("办理中"), totals["in_progress"])],
        "tables": [
            table(_("按部门"), [_("部门"), *columns], [[key[2], *line(c)] for key, c in sorted(units.items())]),
            table(_("按种类"), [_("种类"), *columns],
                  [[str(label), *line(kinds[value])] for value, label in Kind.choices if value in kinds]),
            table(_("按方向"), [_("方向"), _("条数")],
                  [[str(label), directions[value]] for value, label in Direction.choices]),
        ],
        "note": _("统计本期发起（提交审核或登记）的信息；办理结果为生成报告时的状态。"),
    }


def ontime_section(period: Period) -> dict:
    now = timezone.now()
    by_unit: dict = {}
    for kind, rows in (("review", review_rates(period.start, period.end, now)),
                       ("feedback", feedback_rates(period.start, period.end, now))):
        for row in rows:
            entry = by_unit.setdefault(row["unit_name"], {"review": [0, 0], "feedback": [0, 0]})
            entry[kind][0] += row["total"]
            entry[kind][1] += row["on_time"]
    review = [sum(e["review"][0] for e in by_unit.values()), sum(e["review"][1] for e in by_unit.values())]
    feedback = [sum(e["feedback"][0] for e in by_unit.values()), sum(e["feedback"][1] for e in by_unit.values())]
    rows = [[name, e["review"][0], e["review"][1], rate(e["review"][1], e["review"][0]),
             e["feedback"][0], e["feedback"][1], rate(e["feedback"][1], e["feedback"][0])]
            for name, e in sorted(by_unit.items())]
    return {
        "figures": [figure(_("审核按时率（%）"), rate(review[1], review[0])),
                    figure(_("反馈按时率（%）"), rate(feedback[1], feedback[0]))],
        "tables": [table(_("各部门按时率"), [_("部门"), _("审核环节"), _("按时审核"), _("审核按时率（%）"),
                                         _("应反馈"), _("按时反馈"), _("反馈按时率（%）")], rows)],
        "note": _("审核按信息发起部门统计，反馈按接收部门统计；期内到期仍未完成的计为超时。"),
    }


def datacalls_section(period: Period) -> dict:
    occurrences = Occurrence.objects.filter(due_at__gte=period.start, due_at__lt=period.end).count()
    rows = (Answer.objects.filter(occurrence__due_at__gte=period.start, occurrence__due_at__lt=period.end).order_by()
            .values("unit__name", "unit__sort_order", "unit__code")
            .annotate(total=Count("pk"),
                      answered=Count("pk", filter=Q(state__in=Answer.IN_STATES)),
                      on_time=Count("pk", filter=Q(state__in=Answer.IN_STATES, late=False)),
                      late=Count("pk", filter=Q(state__in=Answer.IN_STATES, late=True)),
                      missed=Count("pk", filter=Q(state=Answer.State.MISSED)),
                      out=Count("pk", filter=Q(state__in=Answer.OPEN_STATES)))
            .order_by("unit__sort_order", "unit__code"))
    rows = list(rows)
    total = sum(r["total"] for r in rows)
    on_time = sum(r["on_time"] for r in rows)
    return {
        "figures": [figure(_("报送期次"), occurrences), figure(_("应报送"), total),
                    figure(_("按时报送率（%）"), rate(on_time, total))],
        "tables": [table(_("各单位报送情况"), [_("单位"), _("应报送"), _("已报送"), _("按时"), _("逾期"), _("缺报"),
                                           _("未报送")],
                         [[r["unit__name"], r["total"], r["answered"], r["on_time"], r["late"], r["missed"], r["out"]]
                          for r in rows])],
        "note": _("统计截止时间在本期内的报送任务。"),
    }


def meetings_section(period: Period) -> dict:
    meetings = Meeting.objects.filter(starts_at__gte=period.start, starts_at__lt=period.end)
    held_states = (Meeting.State.HELD, Meeting.State.MINUTED)
    by_kind = {row["kind"]: row for row in meetings.order_by().values("kind").annotate(
        total=Count("pk"), held=Count("pk", filter=Q(state__in=held_states)),
        cancelled=Count("pk", filter=Q(state=Meeting.State.CANCELLED)))}
    attendance = Invitation.objects.filter(meeting__in=meetings.filter(state__in=held_states)).exclude(
        attendance=Invitation.Attendance.UNKNOWN).aggregate(
        total=Count("pk"), present=Count("pk", filter=Q(attendance__in=(Invitation.Attendance.PRESENT,
                                                                         Invitation.Attendance.DELEGATE))),
        absent=Count("pk", filter=Q(attendance=Invitation.Attendance.ABSENT)))
    trainings = Training.objects.filter(starts_at__gte=period.start, starts_at__lt=period.end)
    training = trainings.aggregate(n=Count("pk"), hours=Sum("hours"), induction=Count("pk", filter=Q(is_induction=True)))
    present = TrainingAttendance.objects.filter(training__in=trainings, present=True).aggregate(
        people=Count("pk"), hours=Sum("hours"))
    held = sum(r["held"] for r in by_kind.values())
    return {
        "figures": [figure(_("召开会议"), held), figure(_("出席率（%）"), rate(attendance["present"], attendance["total"])),
                    figure(_("举办培训"), training["n"]), figure(_("培训人次"), present["people"]),
                    figure(_("培训总学时"), float(present["hours"] or 0))],
        "tables": [
            table(_("会议"), [_("会议类型"), _("安排"), _("已召开"), _("已取消")],
                  [[str(label), by_kind[value]["total"], by_kind[value]["held"], by_kind[value]["cancelled"]]
                   for value, label in Meeting.Kind.choices if value in by_kind]),
            table(_("培训"), [_("培训场次"), _("其中岗前培训"), _("课时合计"), _("参训人次"), _("参训学时合计")],
                  [[training["n"], training["induction"], float(training["hours"] or 0), present["people"],
                    float(present["hours"] or 0)]]),
        ],
        "note": _("出席率按已召开会议中已记录出席情况的人次计算，委派代表出席计为出席；缺席（未请假）%(n)d 人次。") % {
            "n": attendance["absent"]},
    }


def adoptions_section(period: Period) -> dict:
    rows = list(Adoption.objects.filter(recorded_at__gte=period.start, recorded_at__lt=period.end).order_by()
                .values("item__unit__name", "item__unit__sort_order", "item__unit__code", "level")
                .annotate(n=Count("pk")))
    levels = [value for value, _label in AdoptionLevel.choices]
    by_unit: dict = {}
    totals = defaultdict(int)
    for row in rows:
        key = (row["item__unit__sort_order"] or 0, row["item__unit__code"] or "", row["item__unit__name"] or "—")
        by_unit.setdefault(key, defaultdict(int))[row["level"]] += row["n"]
        totals[row["level"]] += row["n"]
    return {
        "figures": [figure(label, totals[value]) for value, label in AdoptionLevel.choices]
        + [figure(_("采用合计"), sum(totals.values()))],
        "tables": [table(_("各部门采用情况"), [_("部门"), *[label for _v, label in AdoptionLevel.choices], _("合计")],
                         [[key[2], *[c[level] for level in levels], sum(c.values())]
                          for key, c in sorted(by_unit.items())])],
        "note": "",
    }


def incidents_section(period: Period) -> dict:
    now = timezone.now()
    found = Incident.objects.filter(found_at__gte=period.start, found_at__lt=period.end)
    by_severity = {row["severity"]: row for row in found.order_by().values("severity").annotate(
        total=Count("pk"), closed=Count("pk", filter=Q(state=Incident.State.CLOSED)))}
    closed_in = Incident.objects.filter(state=Incident.State.CLOSED, closed_at__gte=period.start,
                                        closed_at__lt=period.end).count()
    still_open = Incident.objects.filter(state__in=Incident.OPEN_STATES, created_at__lt=period.end).count()
    late = Incident.objects.filter(state__in=Incident.OPEN_STATES, created_at__lt=period.end, due_at__lt=now).count()
    severities = Severity.objects.filter(pk__in=by_severity).order_by("sort_order", "pk")
    return {
        "figures": [figure(_("本期发现"), sum(r["total"] for r in by_severity.values())),
                    figure(_("本期结案"), closed_in), figure(_("尚未结案"), still_open),
                    figure(_("超过处置时限未结案"), late)],
        "tables": [table(_("按等级"), [_("等级"), _("发现"), _("其中已结案")],
                         [[s.name, by_severity[s.pk]["total"], by_severity[s.pk]["closed"]] for s in severities])],
        "note": _("只统计件数，不含事件内容；详情由秘书处和监督人员在“安全事件”中查看。"),
    }


def assessment_section(period: Period) -> dict:
    found = AssessmentPeriod.objects.filter(year=period.year).first()
    if found is None:
        return {"figures": [], "tables": [], "note": _("%(year)d 年度尚未开展联络员考评。") % {"year": period.year}}
    results = AssessmentResult.objects.filter(period=found)
    counts = results.aggregate(n=Count("pk"), n_passed=Count("pk", filter=Q(passed=True)),
                               n_failed=Count("pk", filter=Q(passed=False)),
                               n_excellent=Count("pk", filter=Q(excellent=True)))
    tables = [table(_("部门考评排名"), [_("名次"), _("部门"), _("平均分"), _("联络员人数")],
                    [[row["rank"], row["unit"], float(row["average"]), row["officers"]]
                     for row in assessment.department_ranking(found)])]
    if found.is_published:
        excellent = results.filter(excellent=True).select_related("user", "unit").order_by("rank", "pk")
        tables.append(table(_("年度优秀联络员"), [_("名次"), _("姓名"), _("单位"), _("总分")],
                            [[r.rank, r.user.get_full_name() or r.user.username, r.unit.name, float(r.total)]
                             for r in excellent]))
        note = _("考评结果已于 %(at)s 发布。") % {"at": timezone.localtime(found.published_at).strftime("%Y-%m-%d")}
    else:
        note = _("考评尚未发布，以上为当前计算结果，优秀联络员名单待发布后确定。")
    return {
        "figures": [figure(_("参加考评的联络员"), counts["n"]), figure(_("合格"), counts["n_passed"]),
                    figure(_("不合格"), counts["n_failed"]), figure(_("年度优秀联络员"), counts["n_excellent"])],
        "tables": tables, "note": note,
    }


SECTIONS = (
    Section(key="items", title=gettext_lazy("信息报送与办理"), build=items_section, order=10),
    Section(key="ontime", title=gettext_lazy("按时办理情况"), build=ontime_section, order=20),
    Section(key="datacalls", title=gettext_lazy("报送任务"), build=datacalls_section, order=30),
    Section(key="meetings", title=gettext_lazy("会议与培训"), build=meetings_section, order=40),
    Section(key="adoptions", title=gettext_lazy("信息采用"), build=adoptions_section, order=50),
    Section(key="incidents", title=gettext_lazy("信息安全事件"), build=incidents_section, order=60),
    Section(key="assessment", title=gettext_lazy("联络员年度考评"), build=assessment_section, order=90,
            kinds=(YEARLY,)),
)


def register_builtin() -> None:
    for section in SECTIONS:
        register(section)


__all__ = ["SECTIONS", "register_builtin"]

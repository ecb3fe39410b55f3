"""Generating a report to leaders (issue 19 §7; seeds 000 工作报告 and 003 第九条
年度总结): the registered sections (reports.sections) are asked for the
period, their answers stored as the report's snapshot with its SHA-256, the
leaders named by the secretariat (``Recipient``) recorded as its addressees
and told in the same transaction (reports.notices: a link, no content).

One report per kind and period: the unique constraint decides between two
makers at once (the sweep and the secretariat, or two sweeps); the loser
gets ``ReportExists``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.errors import LiaisonError
from officers.assessment_models import AssessmentPeriod

from . import notices
from .models import Addressee, Kind, Recipient, Report
from .sections import MONTHLY, YEARLY, Period, registered
from .selectors import may_generate

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")


class ReportError(LiaisonError):
    """A report that cannot be made."""


class ReportExists(ReportError):
    """The period's report was made already (it never changes once made)."""


class ReportInvalid(ReportError):
    """A period that is not one (badly written, or not over yet)."""


def parse_period(kind: str, label: str) -> Period:
    """The ``Period`` of ``kind`` named ``label`` ("2026-10" monthly, "2026" yearly). Raises ReportInvalid."""
    label = (label or "").strip()
    if kind == MONTHLY and (m := MONTH.match(label)) and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) >= 2000:
        first = dt.date(int(m.group(1)), int(m.group(2)), 1)
        after = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return Period(MONTHLY, label, first, after)
    if kind == YEARLY and (m := YEAR.match(label)) and int(m.group(1)) >= 2000:
        year = int(m.group(1))
        return Period(YEARLY, label, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    if kind == MONTHLY:
        raise ReportInvalid(_("月份格式应为 YYYY-MM，例如 2026-10。"))
    if kind == YEARLY:
        raise ReportInvalid(_("年度格式应为 YYYY，例如 2026。"))
    raise ReportInvalid(_("请选择报告类型。"))


def previous_month(now: dt.datetime) -> Period:
    """The month before the local date of ``now``."""
    today = timezone.localtime(now).date()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return parse_period(MONTHLY, "%04d-%02d" % (last.year, last.month))


def title_of(period: Period) -> str:
    if period.kind == YEARLY:
        return _("%(year)s 年度联络员工作年度总结") % {"year": period.label}
    return _("%(year)d 年 %(month)d 月信息工作月度报告") % {"year": period.first_day.year,
                                                         "month": period.first_day.month}


def build_data(period: Period) -> dict:
    """The snapshot: every registered section's answer for ``period``, in the default language."""
    with translation.override("zh-hans"):
        sections = []
        for section in registered(period.kind):
            part = section.build(period) or {}
            sections.append({"key": section.key, "title": str(section.title), "figures": part.get("figures", []),
                             "tables": part.get("tables", []), "note": str(part.get("note", "") or "")})
        return {"title": title_of(period), "kind": period.kind, "period": period.label,
                "first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat(),
                "sections": sections}


def digest(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
                          .encode()).hexdigest()


def recipients_for(kind: str) -> list:
    """The active leaders the secretariat named for reports of ``kind``."""
    rows = Recipient.objects.filter(active=True, user__is_active=True).select_related("user")
    rows = rows.filter(monthly=True) if kind == MONTHLY else rows.filter(yearly=True)
    return [r.user for r in rows.order_by("user_id")]


def check_period(kind: str, period_label: str, now: dt.datetime | None = None) -> Period:
    """The period if a report of ``kind`` can be made for it now: a known kind, a well-written period
    that is over and has no report yet. Raises ReportInvalid or ReportExists."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ReportInvalid(_("请选择报告类型。"))
    period = parse_period(kind, period_label)
    if period.end > now:
        raise ReportInvalid(_("%(period)s 尚未结束，期满后才能生成报告。") % {"period": period.label})
    if Report.objects.filter(kind=kind, period=period.label).exists():
        raise ReportExists(_("%(period)s 的报告已经生成，报告生成后不再改变。") % {"period": period.label})
    return period


def yearly_warning(kind: str, period: Period) -> str:
    """The confirm step's warning before a yearly report whose year's assessment is not published:
    the 联络员工作年度总结 carries the assessment's results (issue 19 §7; seeds 000, 003) and a report
    never changes once made, so made too early it stays without them. '' when there is nothing to
    say (a monthly report, or the year's results are published)."""
    if kind != YEARLY:
        return ""
    found = AssessmentPeriod.objects.filter(year=period.first_day.year).first()
    if found is None:
        return _("%(year)d 年度尚未开展联络员考评，年度总结将不含考评结果。") % {"year": period.first_day.year}
    if not found.is_published:
        return _("%(year)d 年度考评结果尚未发布，年度总结将不含优秀联络员名单。建议在考评结果发布后再生成。") % {
            "year": period.first_day.year}
    return ""


def generate_report(*, kind: str, period_label: str, actor=None, now: dt.datetime | None = None) -> Report:
    """Make the report of ``kind`` for the period ``period_label`` and send it to the named leaders.

    ``actor`` None: the sweep; else the secretariat (PermissionDenied for anyone else). Raises
    ReportInvalid for a bad period or one not over yet, ReportExists when the period's report exists
    (also when another maker won a race: the unique constraint decides)."""
    now = now or timezone.now()
    if actor is not None and not may_generate(actor):
        raise PermissionDenied
    period = check_period(kind, period_label, now)
    data = build_data(period)
    try:
        with transaction.atomic():
            report = Report(kind=kind, period=period.label, first_day=period.first_day, last_day=period.last_day,
                            title=data["title"], data=data, data_sha256=digest(data), generated_at=now,
                            generated_by=actor)
            report._history_user = actor
            report._change_reason = "generate"
            report.save()
            leaders = recipients_for(kind)
            for leader in leaders:
                addressee = Addressee(report=report, user=leader, sent_at=now)
                addressee._history_user = actor
                addressee.save()
            notices.report_sent(report, leaders, actor=actor)
    except IntegrityError:
        raise ReportExists(_("%(period)s 的报告已经生成，报告生成后不再改变。") % {"period": period.label}) from None
    return report


def verify(report: Report) -> bool:
    """Whether the snapshot is as it was made (its SHA-256)."""
    return digest(report.data) == report.data_sha256

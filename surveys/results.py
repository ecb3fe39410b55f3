"""A survey's results: counts per option, the average and spread of each
scale question, the free-text answers; the chart (server-side SVG through
officers.svg_charts) and the Excel sheet (openpyxl, watermarked with
liaison.sheetmark). A fixed number of queries whatever the number of answers.

Anonymity: nothing here reads who answered an anonymous survey — its
responses carry nobody (models' doc); for a named survey the sheet lists the
respondent of each response. Free-text answers are listed in text order,
never in the order they came in.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from liaison.sheetmark import mark_openpyxl_sheet
from officers.svg_charts import Chart, bar_chart

from .models import Answer, Question, Response, Survey
from .selectors import questions_of


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # responses answering it
    rows: list = field(default_factory=list)  # [(label, count, percent)]
    average: Decimal | None = None
    texts: list = field(default_factory=list)
    chart: Chart | None = None


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return "%s%%" % (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def summarize(survey: Survey, *, charts: bool = True) -> list[QuestionResult]:
    """One QuestionResult per question, in order (five queries in all)."""
    questions = questions_of(survey)
    answered = dict(Answer.objects.filter(response__survey=survey).values("question_id")
                    .annotate(n=Count("response_id", distinct=True)).values_list("question_id", "n"))
    by_option = dict(Answer.objects.filter(response__survey=survey, option__isnull=False).values("option_id")
                     .annotate(n=Count("pk")).values_list("option_id", "n"))
    by_score: dict = {}
    for qid, score, n in (Answer.objects.filter(response__survey=survey, score__isnull=False)
                          .values("question_id", "score").annotate(n=Count("pk"))
                          .values_list("question_id", "score", "n")):
        by_score.setdefault(qid, {})[score] = n
    averages = dict(Answer.objects.filter(response__survey=survey, score__isnull=False).values("question_id")
                    .annotate(a=Avg("score")).values_list("question_id", "a"))
    texts: dict = {}
    for qid, text in (Answer.objects.filter(response__survey=survey, question__kind=Question.Kind.TEXT)
                      .exclude(text="").order_by("question_id", "text").values_list("question_id", "text")):
        texts.setdefault(qid, []).append(text)
    out = []
    for question in questions:
        result = QuestionResult(question=question, answered=answered.get(question.pk, 0))
        if question.is_choice:
            result.rows = [(o.text, by_option.get(o.pk, 0), _percent(by_option.get(o.pk, 0), result.answered))
                           for o in question.options.all()]
        elif question.kind == Question.Kind.SCALE:
            counts = by_score.get(question.pk, {})
            result.rows = [(str(v), counts.get(v, 0), _percent(counts.get(v, 0), result.answered))
                           for v in question.scale_values]
            if question.pk in averages and averages[question.pk] is not None:
                result.average = Decimal(str(averages[question.pk])).quantize(Decimal("0.01"), ROUND_HALF_UP)
        else:
            result.texts = texts.get(question.pk, [])
        if charts and result.rows:
            labels = [label for label, _n, _p in result.rows]
            title = "%d. %s" % (question.position, question.text)
            result.chart = bar_chart(title=title, labels=labels,
                                     series=[(_("人数"), [n for _l, n, _p in result.rows])], unit=_("人"))
        out.append(result)
    return out


def _cell(sheet, value):
    """User-typed text is written as text, never as a formula."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"
        cell.value = value
        cell.quotePrefix = True
    return cell


def _respondent(response) -> str:
    recipient = response.recipient
    if recipient is None:
        return _("（已移除）")
    if recipient.contact_id:
        return str(recipient.contact)
    user = recipient.user
    return user.get_full_name() or user.get_username()


def workbook(survey: Survey, user) -> bytes:
    """The .xlsx of ``survey``'s results for ``user`` (who may see them): a summary sheet (counts,
    percentages, averages), a sheet of the free-text answers, and the responses one per row — with
    the respondent's name only when the survey is not anonymous. Every sheet watermarked."""
    results = summarize(survey, charts=False)
    book = Workbook(write_only=True)
    now = timezone.now()

    summary = book.create_sheet(_("汇总"))
    mark_openpyxl_sheet(summary, user, now)
    summary.append([_cell(summary, survey.title)])
    summary.append([_("状态"), survey.get_state_display(), _("答卷数"), survey.responses_count,
                    _("匿名") if survey.anonymous else _("实名")])
    summary.append([])
    summary.append([_("题目"), _("选项/分值"), _("人数"), _("比例"), _("平均分")])
    for result in results:
        question = result.question
        head = "%d. %s" % (question.position, question.text)
        if result.rows:
            for n, (label, count, percent) in enumerate(result.rows):
                summary.append([_cell(summary, head if n == 0 else ""), _cell(summary, label), count, percent,
                                float(result.average) if n == 0 and result.average is not None else None])
        else:
            summary.append([_cell(summary, head), _("文字题，见“文字答案”"), result.answered, "", None])

    texts = book.create_sheet(_("文字答案"))
    mark_openpyxl_sheet(texts, user, now)
    texts.append([_("题目"), _("答案")])
    for result in results:
        for text in result.texts:
            texts.append([_cell(texts, result.question.text), _cell(texts, text)])

    sheet = book.create_sheet(_("答卷"))
    mark_openpyxl_sheet(sheet, user, now)
    questions = [r.question for r in results]
    head = [] if survey.anonymous else [_("答卷人"), _("提交时间")]
    sheet.append(head + ["%d. %s" % (q.position, q.text) for q in questions])
    responses = Response.objects.filter(survey=survey).order_by("pk")  # anonymous: random keys, no order
    if not survey.anonymous:
        responses = responses.select_related("recipient__user", "recipient__contact__external_unit")
        responses = responses.order_by("submitted_at", "pk")
    values: dict = {}
    for rid, qid, option, score, text in (Answer.objects.filter(response__survey=survey)
                                          .values_list("response_id", "question_id", "option__text", "score", "text")
                                          .order_by("option__position")):
        value = option if option is not None else score if score is not None else text
        values.setdefault((rid, qid), []).append(str(value))
    for response in responses:
        lead = [] if survey.anonymous else [
            _cell(sheet, _respondent(response)),
            timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M") if response.submitted_at else ""]
        row = lead + [_cell(sheet, "；".join(values.get((response.pk, q.pk), []))) for q in questions]
        sheet.append(row)

    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def respondents_named(survey: Survey) -> list[str]:
    """Who answered a named survey (an anonymous one: none — the caller must not ask)."""
    if survey.anonymous:
        return []
    rows = Response.objects.filter(survey=survey).select_related("recipient__user",
                                                                  "recipient__contact__external_unit")
    return sorted(_respondent(r) for r in rows)


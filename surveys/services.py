"""Writes of the surveys (issue 19 §2). Each is one transaction: lock the
survey row (``select_for_update``), check its state (Survey.MOVES), check the
actor, write with history (``_history_user``, ``_change_reason``), tell the
people concerned through notices.py.

Rule sources: seed 000 1.3 (监控信息传递效果: 调查问卷、反馈意见), seed 001 (对信息
沟通的效果进行考核评估), seeds 000/001/003 (客户、患者、家长满意度).

Anonymity: ``submit_response`` writes an anonymous survey's answers with no
user, no recipient, no time and no day, and none of its writes
leaves a history row (models' doc). The recipient's ``answered`` flag is the
one record that they answered, set by a conditional UPDATE that is also the
single-use claim: two answers at once from the same recipient (two tabs, a
replayed link) store one response.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow import people
from liaison.workdays import add_working_days
from officers.models import ExternalContact, OrgUnit

from . import notices
from .errors import AlreadyAnswered, SurveyInvalid, SurveyNotAccepting, SurveyNotAllowed, SurveyStateConflict
from .models import Answer, Option, Question, Recipient, Response, Survey
from .selectors import manages_surveys

MAX_TITLE = 200
MAX_QUESTION = 300
MAX_OPTIONS = 20
MAX_QUESTIONS = 50
MAX_TEXT_ANSWER = 2000
MAX_DAYS = 30  # the longest time to answer, in working days
SCALE_RANGE = (2, 10)


def _save(obj, actor, reason, fields=None):
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=fields) if fields else obj.save()


def _require_manager(actor) -> None:
    if not manages_surveys(actor):
        raise SurveyNotAllowed(_("只有秘书处可以编辑和发出问卷。"))


def _locked(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _require_questions_editable(survey: Survey) -> None:
    """Questions change only before the first answer (the results would mix two questionnaires)."""
    if survey.state == Survey.State.CLOSED:
        raise SurveyStateConflict(_("问卷已结束，不能再修改。"))
    if survey.responses_count:
        raise SurveyStateConflict(_("问卷已收到答卷，不能再修改题目；如需调整，请复制为新问卷后修改。"))


def _clean_settings(title: str, intro: str, working_days) -> tuple[str, str, int]:
    title, intro = (title or "").strip(), (intro or "").strip()
    if not title:
        raise SurveyInvalid(_("请填写问卷标题。"))
    if len(title) > MAX_TITLE:
        raise SurveyInvalid(_("标题不能超过 %(n)s 字。") % {"n": MAX_TITLE})
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise SurveyInvalid(_("填写期限应为 1 至 %(n)s 个工作日。") % {"n": MAX_DAYS})
    return title, intro, days


@transaction.atomic
def create_survey(*, actor, title: str, intro: str = "", anonymous: bool = True, working_days: int = 5) -> Survey:
    """A draft survey of the secretariat. Raises SurveyNotAllowed, SurveyInvalid (no title, days outside 1–30)."""
    _require_manager(actor)
    title, intro, days = _clean_settings(title, intro, working_days)
    survey = Survey(title=title, intro=intro, anonymous=bool(anonymous), working_days=days, created_by=actor)
    _save(survey, actor, "create")
    return survey


@transaction.atomic
def update_survey(*, survey: Survey, actor, title: str, intro: str, anonymous: bool, working_days: int) -> Survey:
    """Change a draft's title, introduction, anonymity and time to answer. Once sent, anonymity is a
    promise to the respondents and the deadline is fixed: raises SurveyStateConflict outside a draft."""
    survey = _locked(survey)
    _require_manager(actor)
    if survey.state != Survey.State.DRAFT:
        raise SurveyStateConflict(_("问卷已发出，不能再修改标题、匿名设置或期限。"))
    survey.title, survey.intro, survey.working_days = _clean_settings(title, intro, working_days)
    survey.anonymous = bool(anonymous)
    _save(survey, actor, "update", ["title", "intro", "anonymous", "working_days"])
    return survey


@transaction.atomic
def copy_survey(*, survey: Survey, actor) -> Survey:
    """A new draft with ``survey``'s settings and questions (no recipients, readers or answers): the
    way to change the questions of a survey that has answers. Raises SurveyNotAllowed."""
    _require_manager(actor)
    copy = Survey(title=(_("%(title)s（副本）") % {"title": survey.title})[:MAX_TITLE], intro=survey.intro,
                  anonymous=survey.anonymous, working_days=survey.working_days, created_by=actor)
    _save(copy, actor, "copy")
    for question in survey.questions.order_by("position", "pk").prefetch_related("options"):
        new = Question(survey=copy, position=question.position, kind=question.kind, text=question.text,
                       required=question.required, scale_max=question.scale_max)
        _save(new, actor, "copy")
        _write_options(new, [o.text for o in question.options.all()], actor)
    return copy


@transaction.atomic
def set_viewers(*, survey: Survey, actor, users: Iterable) -> Survey:
    """Name who besides the secretariat may read the results (any state)."""
    survey = _locked(survey)
    _require_manager(actor)
    # The readers are tracked (m2m_fields): each change writes a history row naming the actor.
    survey._history_user = actor
    survey._change_reason = "viewers"
    survey.viewers.set([u for u in users if u.is_active])
    return survey


def _clean_options(kind: str, options: Iterable[str]) -> list[str]:
    if kind not in Question.CHOICE_KINDS:
        return []
    cleaned = [o.strip() for o in options if o and o.strip()]
    if len(cleaned) < 2:
        raise SurveyInvalid(_("选择题至少需要两个选项，每行一个。"))
    if len(cleaned) > MAX_OPTIONS:
        raise SurveyInvalid(_("选项不能超过 %(n)s 个。") % {"n": MAX_OPTIONS})
    if len(set(cleaned)) != len(cleaned):
        raise SurveyInvalid(_("选项不能重复。"))
    if any(len(o) > 200 for o in cleaned):
        raise SurveyInvalid(_("每个选项不能超过 200 字。"))
    return cleaned


def _clean_question(kind: str, text: str, scale_max) -> tuple[str, int]:
    text = (text or "").strip()
    if kind not in Question.Kind.values:
        raise SurveyInvalid(_("请选择题型。"))
    if not text:
        raise SurveyInvalid(_("请填写题目。"))
    if len(text) > MAX_QUESTION:
        raise SurveyInvalid(_("题目不能超过 %(n)s 字。") % {"n": MAX_QUESTION})
    top = 5
    if kind == Question.Kind.SCALE:
        try:
            top = int(scale_max)
        except (TypeError, ValueError):
            top = 0
        if not SCALE_RANGE[0] <= top <= SCALE_RANGE[1]:
            raise SurveyInvalid(_("评分题的最高分应为 %(low)s 至 %(high)s。") % {
                "low": SCALE_RANGE[0], "high": SCALE_RANGE[1]})
    return text, top


def _write_options(question: Question, options: list[str], actor) -> None:
    question.options.all().delete()
    for n, text in enumerate(options, start=1):
        _save(Option(question=question, position=n, text=text), actor, "create")


@transaction.atomic
def add_question(*, survey: Survey, actor, kind: str, text: str, required: bool = True, scale_max: int = 5,
                 options: Iterable[str] = ()) -> Question:
    """Append a question (choice questions with their options, one per line). Raises
    SurveyStateConflict after the first answer or once closed, SurveyInvalid for bad input."""
    survey = _locked(survey)
    _require_manager(actor)
    _require_questions_editable(survey)
    text, top = _clean_question(kind, text, scale_max)
    cleaned = _clean_options(kind, options)
    if survey.questions.count() >= MAX_QUESTIONS:
        raise SurveyInvalid(_("一份问卷最多 %(n)s 题。") % {"n": MAX_QUESTIONS})
    last = survey.questions.aggregate(m=Max("position"))["m"] or 0
    question = Question(survey=survey, position=last + 1, kind=kind, text=text, required=bool(required),
                        scale_max=top)
    _save(question, actor, "create")
    _write_options(question, cleaned, actor)
    return question


@transaction.atomic
def update_question(*, question: Question, actor, kind: str, text: str, required: bool = True,
                    scale_max: int = 5, options: Iterable[str] = ()) -> Question:
    """Change a question and its options (same refusals as ``add_question``)."""
    survey = _locked(question.survey)
    _require_manager(actor)
    _require_questions_editable(survey)
    question = Question.objects.select_for_update().get(pk=question.pk, survey=survey)
    question.text, question.scale_max = _clean_question(kind, text, scale_max)
    cleaned = _clean_options(kind, options)
    question.kind, question.required = kind, bool(required)
    _save(question, actor, "update")
    _write_options(question, cleaned, actor)
    return question


@transaction.atomic
def delete_question(*, question: Question, actor) -> None:
    """Remove a question (same refusals as ``add_question``); the history keeps it."""
    survey = _locked(question.survey)
    _require_manager(actor)
    _require_questions_editable(survey)
    question = Question.objects.get(pk=question.pk, survey=survey)
    question._history_user = actor
    question._change_reason = "delete"
    question.delete()


@transaction.atomic
def move_question(*, question: Question, actor, up: bool) -> None:
    """Swap a question with its neighbour above (``up``) or below."""
    survey = _locked(question.survey)
    _require_manager(actor)
    _require_questions_editable(survey)
    rows = list(survey.questions.order_by("position", "pk"))
    index = next(i for i, q in enumerate(rows) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for n, row in enumerate(rows, start=1):
        if row.position != n:
            row.position = n
            _save(row, actor, "move", ["position"])


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def add_recipients(*, survey: Survey, actor, users: Iterable = (), units: Iterable[OrgUnit] = (),
                   contacts: Iterable[ExternalContact] = ()) -> list[Recipient]:
    """Ask people to answer: chosen members of staff, the people of units (``unit_people``: officers
    and head, with deputies in force) and external contacts (each with a new token). Someone already
    asked is skipped. On an open survey the new members of staff are invited at once. Raises
    SurveyStateConflict on a closed survey, SurveyInvalid when nobody is chosen."""
    survey = _locked(survey)
    _require_manager(actor)
    if survey.state == Survey.State.CLOSED:
        raise SurveyStateConflict(_("问卷已结束，不能再增加填写对象。"))
    wanted: dict[int, tuple] = {}
    for user in users:
        if user.is_active:
            wanted.setdefault(user.pk, (user, None))
    for unit in units:
        for user in people.unit_people(unit):
            wanted.setdefault(user.pk, (user, unit))
    contacts = list(contacts)
    if not wanted and not contacts:
        raise SurveyInvalid(_("请选择人员、部门或外部联系人（所选部门没有在任的联络员或负责人）。"))
    have_users = set(survey.recipients.filter(user__isnull=False).values_list("user_id", flat=True))
    have_contacts = set(survey.recipients.filter(contact__isnull=False).values_list("contact_id", flat=True))
    added = []
    for user_id, (user, unit) in wanted.items():
        if user_id not in have_users:
            row = Recipient(survey=survey, kind=Recipient.Kind.STAFF, user=user, unit=unit)
            _save(row, actor, "add")
            added.append(row)
    for contact in contacts:
        if contact.pk not in have_contacts:
            row = Recipient(survey=survey, kind=Recipient.Kind.EXTERNAL, contact=contact, token=_new_token())
            _save(row, actor, "add")
            added.append(row)
    if survey.state == Survey.State.OPEN:
        notices.survey_sent(survey, added, actor=actor)
    return added


@transaction.atomic
def remove_recipient(*, recipient: Recipient, actor) -> None:
    """Take someone off a draft's list (once sent, a link or an invitation cannot be taken back)."""
    survey = _locked(recipient.survey)
    _require_manager(actor)
    if survey.state != Survey.State.DRAFT:
        raise SurveyStateConflict(_("问卷已发出，不能再移除填写对象。"))
    row = Recipient.objects.get(pk=recipient.pk, survey=survey)
    row._history_user = actor
    row._change_reason = "remove"
    row.delete()


@transaction.atomic
def open_survey(*, survey: Survey, actor, now=None) -> Survey:
    """Send a draft: its deadline is ``working_days`` working days from now on the working calendar
    (liaison.workdays, holidays and 调休 included); members of staff are invited (notices.survey_sent);
    external contacts get their links from the secretariat (the links page). Raises SurveyStateConflict
    unless a draft, SurveyInvalid without questions or recipients."""
    survey = _locked(survey)
    _require_manager(actor)
    if Survey.State.OPEN not in Survey.MOVES[survey.state]:
        raise SurveyStateConflict(_("只有草稿状态的问卷可以发出。"))
    if not survey.questions.exists():
        raise SurveyInvalid(_("问卷还没有题目，请先添加题目。"))
    recipients = list(survey.recipients.select_related("user"))
    if not recipients:
        raise SurveyInvalid(_("请先选择填写对象。"))
    now = now or timezone.now()
    survey.state = Survey.State.OPEN
    survey.opened_at = now
    survey.due_at = add_working_days(now, survey.working_days)
    _save(survey, actor, "open", ["state", "opened_at", "due_at"])
    notices.survey_sent(survey, recipients, actor=actor)
    return survey


def close_at_deadline(survey: Survey, now) -> None:
    """The sweep's close of an open survey whose deadline has passed (the survey row is already
    locked by the sweep's claim): closed at its deadline by nobody, the result readers told."""
    survey.state = Survey.State.CLOSED
    survey.closed_at = survey.due_at
    survey.closed_by = None
    _save(survey, None, "deadline", ["state", "closed_at", "closed_by"])
    notices.survey_closed(survey, actor=None)


@transaction.atomic
def close_survey(*, survey: Survey, actor, now=None) -> Survey:
    """End an open survey: no more answers; the result readers are told. Raises SurveyStateConflict
    unless open (a second close, a draft)."""
    survey = _locked(survey)
    _require_manager(actor)
    if Survey.State.CLOSED not in Survey.MOVES[survey.state]:
        raise SurveyStateConflict(_("只有进行中的问卷可以结束（该问卷可能已被他人结束）。"))
    survey.state = Survey.State.CLOSED
    survey.closed_at = now or timezone.now()
    survey.closed_by = actor
    _save(survey, actor, "close", ["state", "closed_at", "closed_by"])
    notices.survey_closed(survey, actor=actor)
    return survey


def _clean_answers(questions: list[Question], raw: dict) -> list[Answer]:
    """Unsaved Answer rows from ``raw`` (question id → option id, list of option ids, score or
    text, as strings). Raises SurveyInvalid with a message per question in ``errors``."""
    errors, rows = {}, []
    for question in questions:
        value = raw.get(question.pk)
        options = {o.pk: o for o in question.options.all()}
        if question.kind == Question.Kind.MULTIPLE:
            values = [v for v in (value or []) if str(v).strip()]
            try:
                chosen = [options[int(v)] for v in dict.fromkeys(values)]
            except (KeyError, ValueError, TypeError):
                errors[question.pk] = _("请从列出的选项中选择。")
                continue
            if not chosen and question.required:
                errors[question.pk] = _("此题必答，请至少选择一项。")
            rows += [Answer(question=question, option=o) for o in chosen]
        elif question.kind == Question.Kind.SINGLE:
            if value in (None, ""):
                if question.required:
                    errors[question.pk] = _("此题必答，请选择一项。")
                continue
            try:
                rows.append(Answer(question=question, option=options[int(value)]))
            except (KeyError, ValueError, TypeError):
                errors[question.pk] = _("请从列出的选项中选择。")
        elif question.kind == Question.Kind.SCALE:
            if value in (None, ""):
                if question.required:
                    errors[question.pk] = _("此题必答，请选择分数。")
                continue
            try:
                score = int(value)
            except (ValueError, TypeError):
                score = 0
            if not 1 <= score <= question.scale_max:
                errors[question.pk] = _("分数应为 1 至 %(n)s。") % {"n": question.scale_max}
                continue
            rows.append(Answer(question=question, score=score))
        else:
            text = (value or "").strip() if isinstance(value, str) else ""
            if not text:
                if question.required:
                    errors[question.pk] = _("此题必答，请填写。")
                continue
            if len(text) > MAX_TEXT_ANSWER:
                errors[question.pk] = _("不能超过 %(n)s 字。") % {"n": MAX_TEXT_ANSWER}
                continue
            rows.append(Answer(question=question, text=text))
    if errors:
        raise SurveyInvalid(_("有 %(n)s 题需要修改，请查看标出的题目。") % {"n": len(errors)}, errors)
    return rows


@transaction.atomic
def submit_response(*, recipient: Recipient, answers: dict, now=None) -> Response:
    """Store ``recipient``'s answers to their survey (a member of staff logged in, or an external
    contact through their token). ``answers``: question id → raw value (see ``_clean_answers``).

    Anonymous survey: the response carries no recipient, no time and no day. Raises
    SurveyNotAccepting (closed, or the deadline passed), AlreadyAnswered (a second answer, also
    when two arrive at once: the recipient's flag is claimed by a conditional UPDATE), SurveyInvalid
    (required answers missing, an option of another question, a score out of range, too long)."""
    # The survey's row lock orders answers against closing: an answer is stored while open or not at all.
    survey = Survey.objects.select_for_update().get(pk=recipient.survey_id)
    now = now or timezone.now()
    if not survey.is_accepting(now):
        raise SurveyNotAccepting(_("该问卷已结束或已过截止时间，不能再填写。"))
    questions = list(survey.questions.order_by("position", "pk").prefetch_related("options"))
    rows = _clean_answers(questions, answers)
    # The claim: exactly one request turns the flag on; a second (or simultaneous) answer is refused.
    if Recipient.objects.filter(pk=recipient.pk, survey=survey, answered=False).update(answered=True) != 1:
        raise AlreadyAnswered(_("您已经填写过这份问卷，每人只能填写一次。"))
    response = Response.objects.create(
        survey=survey, recipient=None if survey.anonymous else recipient,
        submitted_on=None if survey.anonymous else timezone.localdate(now),
        submitted_at=None if survey.anonymous else now)
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    # No history row on the survey (it would carry the respondent and the time).
    Survey.objects.filter(pk=survey.pk).update(responses_count=F("responses_count") + 1)
    return response

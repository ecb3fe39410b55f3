"""Building and sending a survey (issue 19 §2): the secretariat only,
bad input refused with the reason, questions frozen after the first answer,
the deadline on the working calendar, draft → open → closed with a
confirmation before closing."""
import datetime as dt

import pytest
from django.urls import reverse

from liaison.models import Notification
from surveys import services
from surveys.errors import SurveyInvalid, SurveyNotAllowed, SurveyStateConflict
from surveys.models import Question, Recipient, Survey
from tests.surveys.conftest import TZ, answer, at, build

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["head_market", "officer_market", "employee", "auditor", "gm", "leader"])
def test_only_the_secretariat_builds_surveys(request, role):
    user = request.getfixturevalue(role)

    with pytest.raises(SurveyNotAllowed, match="只有秘书处可以编辑和发出问卷。"):
        services.create_survey(actor=user, title="调查")


@pytest.mark.parametrize("title, days, message", [
    ("", 5, "请填写问卷标题。"), ("调查", 0, "填写期限应为 1 至 30 个工作日。"),
    ("调查", 31, "填写期限应为 1 至 30 个工作日。"), ("长" * 201, 5, "标题不能超过 200 字。"),
])
def test_bad_settings_are_refused(secretary, title, days, message):
    with pytest.raises(SurveyInvalid, match=message):
        services.create_survey(actor=secretary, title=title, working_days=days)

    assert not Survey.objects.exists()


@pytest.mark.parametrize("kind, text, options, scale, message", [
    ("single", "渠道？", ["只有一个"], 5, "选择题至少需要两个选项，每行一个。"),
    ("multiple", "方面？", ["甲", "甲"], 5, "选项不能重复。"),
    ("scale", "满意度", [], 11, "评分题的最高分应为 2 至 10。"),
    ("scale", "满意度", [], 1, "评分题的最高分应为 2 至 10。"),
    ("text", "  ", [], 5, "请填写题目。"),
    ("essay", "题", [], 5, "请选择题型。"),
])
def test_bad_questions_are_refused(secretary, kind, text, options, scale, message):
    survey = services.create_survey(actor=secretary, title="调查")

    with pytest.raises(SurveyInvalid, match=message):
        services.add_question(survey=survey, actor=secretary, kind=kind, text=text, options=options,
                              scale_max=scale)

    assert not survey.questions.exists()


def test_questions_keep_their_order_and_move(secretary):
    survey = build(secretary)
    first, second = list(survey.questions.order_by("position"))[:2]

    services.move_question(question=second, actor=secretary, up=True)

    assert list(survey.questions.order_by("position").values_list("pk", flat=True))[:2] == [second.pk, first.pk]
    assert Question.history.filter(id=second.pk, history_change_reason="move").count() == 1


def test_editing_questions_after_the_first_answer_is_refused(open_survey, respondent, secretary):
    answer(open_survey, respondent)
    question = open_survey.questions.first()

    with pytest.raises(SurveyStateConflict, match="问卷已收到答卷，不能再修改题目；如需调整，请复制为新问卷后修改。"):
        services.update_question(question=question, actor=secretary, kind="text", text="改", options=[])
    with pytest.raises(SurveyStateConflict):
        services.add_question(survey=open_survey, actor=secretary, kind="text", text="新题")
    with pytest.raises(SurveyStateConflict):
        services.delete_question(question=question, actor=secretary)

    assert open_survey.questions.count() == 4


def test_questions_may_still_change_on_an_open_survey_before_any_answer(open_survey, secretary):
    question = open_survey.questions.get(kind="text")

    services.update_question(question=question, actor=secretary, kind="text", text="其他建议", options=[])

    assert open_survey.questions.get(pk=question.pk).text == "其他建议"


def test_the_builder_page_says_why_questions_cannot_change(client, open_survey, respondent, secretary):
    answer(open_survey, respondent)
    client.force_login(secretary)
    question = open_survey.questions.first()

    response = client.post(reverse("surveys:question-edit", args=[open_survey.pk, question.pk]),
                           {"kind": "text", "text": "改后的题目 QZKEPT", "required": "on"})

    text = response.content.decode()
    assert "问卷已收到答卷，不能再修改题目" in text
    assert "QZKEPT" in text  # the input is kept on the page
    assert open_survey.questions.get(pk=question.pk).text != "改后的题目 QZKEPT"


@pytest.mark.parametrize("start, days, due", [
    # 2025 National Day (1–8 October off): opened on the 30th with 2 days, due 9 October 10:00... + 1 more.
    ((2025, 9, 30, 10, 0), 1, (2025, 10, 9, 10, 0)),
    # Friday 10 October 2025 + 1: Saturday the 11th is a 调休 workday.
    ((2025, 10, 10, 10, 0), 1, (2025, 10, 11, 10, 0)),
    # A plain week: Monday + 5 is the next Monday.
    ((2025, 11, 3, 9, 30), 5, (2025, 11, 10, 9, 30)),
])
def test_the_deadline_is_counted_on_the_working_calendar(secretary, employee, start, days, due):
    survey = build(secretary, days=days)
    services.add_recipients(survey=survey, actor=secretary, users=[employee])

    with at(*start):
        survey = services.open_survey(survey=survey, actor=secretary)

    assert survey.due_at == dt.datetime(*due, tzinfo=TZ)
    assert survey.history.filter(history_change_reason="open").count() == 1


def test_sending_invites_members_of_staff_but_not_external_contacts(open_survey, employee, respondent,
                                                                    head_market, officer_market, contact):
    invited = set(Notification.objects.filter(key__startswith="survey:%d:invite:" % open_survey.pk)
                  .values_list("recipient__username", flat=True))

    assert invited == {"employee", "qz_resp", "head_market", "officer_market"}
    recipients = Recipient.objects.filter(survey=open_survey)
    assert recipients.get(contact=contact).token and len(recipients.get(contact=contact).token) >= 40
    assert recipients.get(user=head_market).unit.code == "market"


def test_a_survey_without_questions_or_recipients_is_not_sent(secretary, employee):
    empty = services.create_survey(actor=secretary, title="空问卷")
    services.add_recipients(survey=empty, actor=secretary, users=[employee])
    nobody = build(secretary, title="无人")

    with pytest.raises(SurveyInvalid, match="问卷还没有题目"):
        services.open_survey(survey=empty, actor=secretary)
    with pytest.raises(SurveyInvalid, match="请先选择填写对象。"):
        services.open_survey(survey=nobody, actor=secretary)


def test_a_unit_without_people_adds_nobody(secretary, finance):
    survey = build(secretary)
    finance.head = None
    finance.save()

    with pytest.raises(SurveyInvalid, match="请选择人员、部门或外部联系人"):
        services.add_recipients(survey=survey, actor=secretary, units=[finance])


def test_closing_asks_first_then_closes_once(client, open_survey, secretary):
    client.force_login(secretary)

    page = client.get(reverse("surveys:close", args=[open_survey.pk]))
    assert "确定结束吗？" in page.content.decode()
    assert Survey.objects.get(pk=open_survey.pk).state == Survey.State.OPEN

    client.post(reverse("surveys:close", args=[open_survey.pk]))
    with pytest.raises(SurveyStateConflict, match="只有进行中的问卷可以结束"):
        services.close_survey(survey=open_survey, actor=secretary)

    survey = Survey.objects.get(pk=open_survey.pk)
    assert survey.state == Survey.State.CLOSED and survey.closed_by == secretary
    assert survey.history.filter(history_change_reason="close").count() == 1


def test_settings_are_fixed_once_sent(open_survey, secretary):
    with pytest.raises(SurveyStateConflict, match="问卷已发出，不能再修改标题、匿名设置或期限。"):
        services.update_survey(survey=open_survey, actor=secretary, title="改", intro="", anonymous=False,
                               working_days=5)

    assert Survey.objects.get(pk=open_survey.pk).anonymous is True


def test_recipients_are_removed_from_a_draft_only(open_survey, secretary, employee):
    row = Recipient.objects.get(survey=open_survey, user=employee)

    with pytest.raises(SurveyStateConflict, match="问卷已发出，不能再移除填写对象。"):
        services.remove_recipient(recipient=row, actor=secretary)


def test_a_survey_with_answers_is_copied_into_a_new_draft(client, open_survey, respondent, secretary):
    answer(open_survey, respondent)
    client.force_login(secretary)

    response = client.post(reverse("surveys:copy", args=[open_survey.pk]))

    copy = Survey.objects.exclude(pk=open_survey.pk).get()
    assert response.url == reverse("surveys:detail", args=[copy.pk])
    assert copy.state == Survey.State.DRAFT and copy.title == "信息工作满意度调查（副本）" and copy.anonymous
    assert [(q.kind, q.text, [o.text for o in q.options.all()]) for q in copy.questions.order_by("position")] == [
        (q.kind, q.text, [o.text for o in q.options.all()]) for q in open_survey.questions.order_by("position")]
    assert not copy.recipients.exists() and copy.responses_count == 0
    services.add_question(survey=copy, actor=secretary, kind="text", text="新题")  # editable again


def test_only_the_secretariat_copies(open_survey, leader):
    with pytest.raises(SurveyNotAllowed):
        services.copy_survey(survey=open_survey, actor=leader)

"""Answering (issue 19 §2): members of staff logged in, external contacts
through their own link without logging in; one answer per recipient; bad
input comes back with every answer kept; a closed or expired survey says so
in Chinese; a wrong or expired link is a 404 and wrong links are limited."""
import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.errors import AlreadyAnswered, SurveyInvalid, SurveyNotAccepting
from surveys.models import Answer, Recipient, Response, Survey
from tests.surveys.conftest import OPENED, answer, answers_for, recipient

pytestmark = pytest.mark.django_db

LATER = OPENED + dt.timedelta(hours=2)


def _post(survey, raw):
    data = {}
    for qid, value in raw.items():
        data["q%d" % qid] = value
    return data


def test_a_member_of_staff_answers_once(client, open_survey, respondent):
    client.force_login(respondent)
    url = reverse("surveys:answer", args=[open_survey.pk])

    with time_machine.travel(LATER, tick=False):
        page = client.get(url)
        done = client.post(url, _post(open_survey, answers_for(open_survey)))
        again = client.post(url, _post(open_survey, answers_for(open_survey, score=1)))

    assert page.status_code == 200 and "信息传递是否及时？" in page.content.decode()
    assert "问卷已提交，感谢您的参与！" in done.content.decode()
    assert "您已经提交过这份问卷" in again.content.decode()
    assert Response.objects.filter(survey=open_survey).count() == 1
    assert Survey.objects.get(pk=open_survey.pk).responses_count == 1
    assert Recipient.objects.get(survey=open_survey, user=respondent).answered


def test_the_service_refuses_a_second_answer(open_survey, respondent):
    answer(open_survey, respondent)

    with pytest.raises(AlreadyAnswered, match="您已经填写过这份问卷，每人只能填写一次。"):
        answer(open_survey, respondent)

    assert Answer.objects.filter(response__survey=open_survey, score__isnull=False).count() == 1


def test_missing_required_answers_come_back_with_the_input_kept(client, open_survey, respondent):
    client.force_login(respondent)
    raw = answers_for(open_survey, text="保留的文字 QZKEEP")
    scale = open_survey.questions.get(kind="scale")
    raw[scale.pk] = ""

    with time_machine.travel(LATER, tick=False):
        response = client.post(reverse("surveys:answer", args=[open_survey.pk]), _post(open_survey, raw))

    text = response.content.decode()
    assert "有 1 题需要修改" in text and "此题必答，请选择分数。" in text
    assert "QZKEEP" in text
    assert 'value="%s" checked' % raw[open_survey.questions.get(kind="single").pk] in text
    assert not Response.objects.exists()
    assert not Recipient.objects.get(survey=open_survey, user=respondent).answered


@pytest.mark.parametrize("kind, value, message", [
    ("scale", "6", "分数应为 1 至 5。"), ("scale", "x", "分数应为 1 至 5。"),
    ("single", "999999", "请从列出的选项中选择。"), ("multiple", ["abc"], "请从列出的选项中选择。"),
    ("text", "长" * 2001, "不能超过 2000 字。"),
])
def test_bad_answers_are_refused(open_survey, respondent, kind, value, message):
    raw = answers_for(open_survey)
    raw[open_survey.questions.get(kind=kind).pk] = value

    with time_machine.travel(LATER, tick=False), pytest.raises(SurveyInvalid) as refused:
        services.submit_response(recipient=recipient(open_survey, respondent), answers=raw)

    assert message in refused.value.errors.values()
    assert not Response.objects.exists()


def test_an_option_of_another_question_is_refused(open_survey, respondent):
    raw = answers_for(open_survey)
    other = open_survey.questions.get(kind="multiple").options.first()
    raw[open_survey.questions.get(kind="single").pk] = str(other.pk)

    with time_machine.travel(LATER, tick=False), pytest.raises(SurveyInvalid):
        services.submit_response(recipient=recipient(open_survey, respondent), answers=raw)


def test_no_answer_after_the_deadline_or_closing(open_survey, respondent, employee, secretary, client):
    with time_machine.travel(open_survey.due_at, tick=False):
        with pytest.raises(SurveyNotAccepting, match="该问卷已结束或已过截止时间"):
            services.submit_response(recipient=recipient(open_survey, respondent), answers=answers_for(open_survey))
    with time_machine.travel(open_survey.due_at - dt.timedelta(minutes=1), tick=False):
        services.submit_response(recipient=recipient(open_survey, respondent), answers=answers_for(open_survey))
        services.close_survey(survey=open_survey, actor=secretary)
        client.force_login(employee)
        page = client.get(reverse("surveys:answer", args=[open_survey.pk]))

    assert "问卷已结束" in page.content.decode()
    assert Response.objects.count() == 1


def test_a_person_not_asked_gets_404(client, open_survey, outsider, officer_prod):
    for user in (outsider, officer_prod):
        client.force_login(user)
        assert client.get(reverse("surveys:answer", args=[open_survey.pk])).status_code == 404


def test_an_external_contact_answers_through_the_link_without_logging_in(open_survey, contact):
    token = recipient(open_survey, contact=contact).token
    url = reverse("surveys:public", args=[token])
    client = Client()

    with time_machine.travel(LATER, tick=False):
        page = client.get(url)
        done = client.post(url, _post(open_survey, answers_for(open_survey)))
        again = client.get(url)

    assert page.status_code == 200 and "提交问卷" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    assert "问卷已提交" in done.content.decode()
    assert "您已经提交过这份问卷" in again.content.decode() and "提交问卷" not in again.content.decode()
    assert Response.objects.filter(survey=open_survey).count() == 1


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 200])
def test_a_wrong_link_is_404(open_survey, token):
    assert Client().get(reverse("surveys:public", args=[token])).status_code == 404


def test_an_expired_or_closed_link_says_so_with_404(open_survey, contact, secretary):
    url = reverse("surveys:public", args=[recipient(open_survey, contact=contact).token])

    with time_machine.travel(open_survey.due_at + dt.timedelta(minutes=1), tick=False):
        expired = Client().get(url)
    services.close_survey(survey=open_survey, actor=secretary)
    closed = Client().post(url, {})

    for page in (expired, closed):
        assert page.status_code == 404
        assert "问卷已结束" in page.content.decode()
    assert not Response.objects.exists()


def test_a_draft_link_is_404(secretary, contact):
    from tests.surveys.conftest import build

    survey = build(secretary)
    services.add_recipients(survey=survey, actor=secretary, contacts=[contact])
    token = Recipient.objects.get(survey=survey).token

    assert Client().get(reverse("surveys:public", args=[token])).status_code == 404


def test_wrong_links_are_limited_per_client(open_survey, contact, settings):
    settings.SURVEY_TOKEN_LIMIT = 3
    client = Client()
    for n in range(3):
        assert client.get(reverse("surveys:public", args=["wrong%d" % n])).status_code == 404

    good = reverse("surveys:public", args=[recipient(open_survey, contact=contact).token])
    with time_machine.travel(LATER, tick=False):
        blocked = client.get(good)

    assert blocked.status_code == 429
    assert "打开了太多无效的问卷链接" in blocked.content.decode()


def test_tokens_are_unique_per_recipient(named_survey, secretary):
    from tests.factories import ExternalContactFactory

    more = [ExternalContactFactory() for _ in range(5)]
    services.add_recipients(survey=named_survey, actor=secretary, contacts=more)

    tokens = list(Recipient.objects.filter(kind="external").values_list("token", flat=True))
    assert len(tokens) == 6 == len(set(tokens))
    assert all(len(t) >= 43 for t in tokens)

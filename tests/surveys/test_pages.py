"""The pages (issue 19 §2): the list's queries do not grow with its rows;
the home card counts the surveys waiting for the user; the menu leads the
secretariat to the list and everyone else to their surveys; the builder's
forms keep bad input; the demo builds once."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from surveys import demo, services
from surveys.models import Response, Survey
from tests.surveys.conftest import OPENED, answer, build

pytestmark = pytest.mark.django_db


def test_the_list_costs_the_same_for_few_and_many_surveys(client, secretary, django_assert_max_num_queries):
    client.force_login(secretary)
    build(secretary, title="第一份")
    client.get(reverse("surveys:list"))  # warm the session and the menu
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("surveys:list"))
    for n in range(25):
        Survey.objects.create(title="问卷%d" % n, created_by=secretary)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("surveys:list") + "?q=问卷")

    assert "问卷24" in page.content.decode() and "第 1 / 2 页" in page.content.decode()


def test_the_home_card_counts_surveys_waiting_for_the_user(client, open_survey, employee, respondent):
    client.force_login(employee)
    with time_machine.travel(OPENED + dt.timedelta(hours=1), tick=False):
        home = client.get("/").content.decode()
        answer(open_survey, employee)
        after = client.get("/").content.decode()

    assert "有 1 份问卷等您填写。" in home and 'href="/surveys/mine/"' in home
    assert "有 1 份问卷等您填写。" not in after


def test_the_menu_leads_each_role_to_its_page(client, secretary, employee):
    client.force_login(secretary)
    assert 'href="/surveys/">问卷调查' in client.get("/").content.decode()
    client.force_login(employee)
    assert 'href="/surveys/mine/">问卷调查' in client.get("/").content.decode()


def test_a_bad_question_keeps_the_input(client, secretary):
    survey = build(secretary)
    client.force_login(secretary)

    page = client.post(reverse("surveys:question-add", args=[survey.pk]),
                       {"kind": "single", "text": "保留题目 QZKEPTQ", "options": "只有一个", "required": "on"})

    assert "选择题至少需要两个选项，每行一个。" in page.content.decode()
    assert "QZKEPTQ" in page.content.decode()
    assert survey.questions.count() == 4


def test_the_answer_page_fits_a_phone(client, open_survey, employee):
    client.force_login(employee)

    with time_machine.travel(OPENED, tick=False):
        page = client.get(reverse("surveys:answer", args=[open_survey.pk])).content.decode()

    assert 'name="viewport"' in page
    assert "flex-wrap:wrap" in page  # the 1–5 scale wraps at 390 px
    assert "<table" not in page.split("<main", 1)[1]


def test_the_builder_sends_from_its_page(client, secretary, employee):
    survey = build(secretary)
    services.add_recipients(survey=survey, actor=secretary, users=[employee])
    client.force_login(secretary)

    client.post(reverse("surveys:open", args=[survey.pk]))

    assert Survey.objects.get(pk=survey.pk).state == Survey.State.OPEN


def test_the_demo_builds_once(secretary, officer_market, head_market, employee, market, prod, leader):
    from tests.factories import ExternalContactFactory, ExternalUnitFactory

    customer = ExternalUnitFactory(name="演示客户", kind="customer")
    ExternalContactFactory(external_unit=customer, name="客户联系人")

    assert demo.seed() == 2
    assert demo.seed() == 0
    effect = Survey.objects.get(title=demo.EFFECT_TITLE)
    assert effect.state == Survey.State.OPEN and effect.anonymous and effect.responses_count == 4
    assert Response.objects.filter(survey=effect, recipient__isnull=False).count() == 0
    assert Survey.objects.get(title=demo.CUSTOMER_TITLE).state == Survey.State.CLOSED


def test_the_results_cost_the_same_for_few_and_many_answers(client, open_survey, secretary, respondent, employee,
                                                           django_assert_max_num_queries):
    from surveys.models import Recipient
    from tests.factories import UserFactory

    answer(open_survey, respondent)
    client.force_login(secretary)
    url = reverse("surveys:results", args=[open_survey.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    more = [UserFactory() for _ in range(15)]
    services.add_recipients(survey=open_survey, actor=secretary, users=more)
    for user in more:
        answer(open_survey, user, text="意见 %s" % user.username)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()

    assert "16 人作答" in page
    assert Recipient.objects.filter(survey=open_survey, answered=True).count() == 16


def test_my_surveys_cost_the_same_for_few_and_many(client, secretary, employee, django_assert_max_num_queries):
    def send(n):
        survey = build(secretary, title="问卷 %d" % n)
        services.add_recipients(survey=survey, actor=secretary, users=[employee])
        services.open_survey(survey=survey, actor=secretary)

    send(0)
    client.force_login(employee)
    client.get(reverse("surveys:mine"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("surveys:mine"))
    for n in range(1, 23):
        send(n)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("surveys:mine")).content.decode()

    assert "第 1 / 2 页" in page

"""Fixtures of the surveys: a draft with one question of each kind, and an
open survey asked of market's people, ``employee`` and an external contact
(anonymous by default; ``named_survey`` for the other kind)."""
import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from surveys import services
from surveys.models import Recipient
from tests.factories import ExternalContactFactory, UserFactory

TZ = dt.timezone(dt.timedelta(hours=8))
OPENED = dt.datetime(2025, 11, 3, 9, 30, tzinfo=TZ)  # a Monday


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the wrong-link counter
    yield
    cache.clear()


QUESTIONS = [
    ("single", "您主要通过哪种渠道收到信息？", True, ["门户通知", "电子邮件", "纸质文件"]),
    ("multiple", "希望加强哪些方面？", False, ["时限", "分类", "培训"]),
    ("scale", "信息传递是否及时？", True, []),
    ("text", "其他意见", False, []),
]


def build(actor, *, anonymous=True, title="信息工作满意度调查", days=5):
    survey = services.create_survey(actor=actor, title=title, intro="请如实填写。", anonymous=anonymous,
                                    working_days=days)
    for kind, text, required, options in QUESTIONS:
        services.add_question(survey=survey, actor=actor, kind=kind, text=text, required=required, options=options)
    return survey


def answers_for(survey, single=0, multiple=(1,), score=4, text="希望更及时 QZFREETEXT"):
    """Raw answers as the form posts them."""
    q = {x.kind: x for x in survey.questions.prefetch_related("options")}
    options = {k: list(v.options.all()) for k, v in q.items()}
    return {q["single"].pk: str(options["single"][single].pk),
            q["multiple"].pk: [str(options["multiple"][i].pk) for i in multiple],
            q["scale"].pk: str(score), q["text"].pk: text}


@pytest.fixture
def contact(db):
    return ExternalContactFactory(name="外联系人QZCONTACT", external_unit__name="客户甲公司")


@pytest.fixture
def respondent(market):
    """A member of staff whose name no page of an anonymous survey may show next to an answer."""
    return UserFactory(username="qz_resp", first_name="答卷人QZNAME", profile__unit=market)


def _open(secretary, market, employee, respondent, contact, anonymous):
    with time_machine.travel(OPENED, tick=False):
        survey = build(secretary, anonymous=anonymous)
        services.add_recipients(survey=survey, actor=secretary, users=[employee, respondent], units=[market],
                                contacts=[contact])
        services.open_survey(survey=survey, actor=secretary)
    survey.refresh_from_db()
    return survey


@pytest.fixture
def open_survey(secretary, market, employee, respondent, contact, officer_market):
    return _open(secretary, market, employee, respondent, contact, True)


@pytest.fixture
def named_survey(secretary, market, employee, respondent, contact, officer_market):
    return _open(secretary, market, employee, respondent, contact, False)


def recipient(survey, user=None, contact=None):
    if contact is not None:
        return Recipient.objects.get(survey=survey, contact=contact)
    return Recipient.objects.get(survey=survey, user=user)


def answer(survey, user=None, contact=None, **kwargs):
    with time_machine.travel(OPENED + dt.timedelta(hours=2), tick=False):
        return services.submit_response(recipient=recipient(survey, user, contact),
                                        answers=answers_for(survey, **kwargs))


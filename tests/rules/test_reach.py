"""The rules and the appointment workflow are reached from the home page and
the menu of the roles that use them (issue 19 "Done when")."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from officers import recommendations
from rules import services

pytestmark = pytest.mark.django_db


def _home(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.get("/").content.decode()


def test_secretary_head_and_officer_reach_rules_and_recommendations(client, secretary, head_market, officer_market):
    for user in (secretary, head_market, officer_market):
        html = _home(client, user)
        for link in ('href="/rules/"', 'href="/officers/recommendations/"', 'href="/officers/appointments/"'):
            assert link in html, (user.username, link)


def test_employee_reaches_the_rules_and_notices_but_not_recommendations(client, employee):
    html = _home(client, employee)

    assert 'href="/rules/"' in html and 'href="/officers/appointments/"' in html
    assert 'href="/officers/recommendations/"' not in html


def test_home_cards_count_what_waits(client, secretary, head_market, officer_market, market, employee):
    version = services.create_document(actor=secretary, code="X", title="实施细则", number="V1",
                                       effective_on=dt.date(2026, 1, 1), text="正文")
    services.publish_version(actor=secretary, version=version)
    recommendations.recommend_officer(actor=head_market, unit=market, candidate=employee, is_primary=False,
                                      phone="1", reasons="理由", qualifications="条件",
                                      form_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))

    assert "有 1 项制度的现行版本待您阅读确认。" in _home(client, officer_market)
    html = _home(client, secretary)
    assert "有 1 份联络员推荐待面谈或确认。" in html and "全体联络员尚有 1 份阅读确认未完成。" in html
    assert "本单位有 1 份推荐待秘书处处理。" in _home(client, head_market)

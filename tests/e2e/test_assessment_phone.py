"""The assessment on a phone (issue 14 §6, §7): at 390 px HR enters a hand
score and an adjustment and publishes; the officer reads their breakdown and
the ranking; the charts fit the screen. Nothing is wider than the screen and
no page logs an error."""
import datetime as dt

import pytest

from officers.assessment import compute_period, open_period
from officers.assessment_models import AssessmentPeriod, AssessmentResult
from officers.models import Officer
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assessment_on_a_phone(phone, secretary, officer_market, officer_prod):
    Officer.objects.update(appointed_on=dt.date(2025, 1, 1))
    period = open_period(actor=secretary, year=2026)
    compute_period(actor=secretary, period=period)
    mine = AssessmentResult.objects.get(user=officer_market)

    hr = phone(secretary.username, PASSWORD, "/assessment/2026/results/%d/" % mine.pk)
    form = hr.page.locator("form", has=hr.page.locator("input[name=criterion][value='%d']"
                                                       % period.criteria.get(code="attitude").pk))
    form.locator("input[name=score]").fill("8")
    form.locator("textarea[name=comment]").fill("积极主动")
    hr.click_locator(form.locator("button[type=submit]"))
    hr.page.fill("input[name=points]", "2")
    hr.page.fill("textarea[name=reason]", "补报信息两条")
    hr.click("form[action$='/adjust/'] button[type=submit]")
    assert "补报信息两条" in hr.page.content()
    hr.goto("/assessment/2026/")
    hr.page.click("details.confirm-step > summary")  # the confirm step opens first
    hr.click("form[action$='/publish/'] button[type=submit]")
    assert AssessmentPeriod.objects.get().is_published

    officer = phone(officer_market.username, PASSWORD, "/assessment/")
    officer.goto("/assessment/2026/")
    assert "部门排名" in officer.page.content()
    officer.goto("/assessment/2026/results/%d/" % mine.pk)
    assert "积极主动" in officer.page.content()
    officer.goto("/assessment/charts/?year=2026")
    assert officer.page.locator("table.chart-table").count() == 3

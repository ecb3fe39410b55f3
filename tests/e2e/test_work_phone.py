"""Officers' work on a phone (issue 14): at 390 px an officer files the work
report, the head comments, the head keeps a flagged officer and supervision
records an accountability case. Nothing is wider than the screen and no page
logs an error."""
import datetime as dt

import pytest
from django.utils import timezone

from officers.flags import flag_failed_assessment
from officers.models import AccountabilityCase, Officer, ReplacementFlag, WorkReport
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_flag_and_case_on_a_phone(phone, officer_market, head_market, auditor, market):
    post = Officer.objects.get(user=officer_market)
    report = WorkReport.objects.create(officer=post, unit=market, period_start=dt.date(2026, 9, 1),
                                       period_end=dt.date(2026, 9, 30), due_at=timezone.now() + dt.timedelta(days=3))
    flag = flag_failed_assessment(officer=post, period="2026", score=52, threshold=60)[0]

    officer = phone(officer_market.username, PASSWORD, "/officers/work-reports/")
    officer.click_locator(officer.page.get_by_role("link", name="2026-09-01 – 2026-09-30"))
    officer.page.fill("textarea[name=work_done]", "收集客户信息 12 条，按期报送。")
    officer.page.fill("textarea[name=next_plan]", "组织部门信息沟通会。")
    officer.click("button[value=submit]")
    assert "工作报告已提交给部门负责人。" in officer.page.content()

    head = phone(head_market.username, PASSWORD, "/officers/work-reports/%d/" % report.pk)
    head.page.fill("textarea[name=comment]", "很好")
    head.click("button[value=comment]")
    head.goto("/officers/replacement-flags/%d/" % flag.pk)
    head.page.check("input[name=decision][value=keep]")
    head.page.fill("textarea[name=reason]", "已约谈，保留观察")
    head.click("main form button[type=submit]")

    desk = phone(auditor.username, PASSWORD, "/officers/accountability/new/")
    desk.page.select_option("select[name=officer]", str(post.pk))
    desk.page.select_option("select[name=kind]", "late")
    desk.page.fill("input[name=occurred_on]", timezone.localdate().isoformat())
    desk.page.fill("textarea[name=finding]", "信息迟报两天")
    desk.page.select_option("select[name=sanction]", "criticism")
    desk.click("main form button[type=submit]")

    report.refresh_from_db()
    assert report.state == WorkReport.State.READ
    assert ReplacementFlag.objects.get().state == ReplacementFlag.State.KEPT
    assert AccountabilityCase.objects.get().kind == "late"

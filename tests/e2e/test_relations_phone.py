"""Visits and the obligations calendar on a phone (issue 19 §3–4): the
market officer records a visit at 390 px with a follow-up action, opens the
external unit's page, and records an annual report as done with its proof;
nothing is wider than the screen and no page logs an error."""
import datetime as dt

import pytest

from liaison.workdays import is_workday
from relations.models import FollowUpAction, Occurrence, Visit
from tests.e2e.pickers import pick
from tests.factories import PASSWORD, ExternalContactFactory, ExternalUnitFactory
from tests.relations.conftest import make_obligation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_visit_and_an_obligation_on_a_phone(phone, officer_market, market, secretary,
                                                                 tmp_path):
    customer = ExternalUnitFactory(name="苏州宏达机电设备有限公司（长名称测试用于检查窄屏换行）", responsible_unit=market)
    ExternalContactFactory(external_unit=customer, name="刘建华")
    regulator = ExternalUnitFactory(name="苏州市市场监督管理局", kind="regulator")
    today = dt.date.today()
    obligation = make_obligation(secretary, regulator, owner_unit=market, first_due_on=today + dt.timedelta(days=20))

    officer = phone(officer_market.username, PASSWORD, "/relations/visits/new/")
    officer.page.select_option("select[name=external_unit]", str(customer.pk))
    officer.page.fill("input[name=purpose]", "季度客户回访：了解设备使用情况")
    officer.page.fill("textarea[name=findings]", "客户反映备件到货偏慢，希望三天内到货。" * 3)
    officer.click("main form button[type=submit]")
    visit = Visit.objects.get()
    assert "走访记录已保存" in officer.page.content()

    officer.page.fill("input[name=action-text]", "答复客户备件到货时限改进方案")
    pick(officer.page, "action-owner", officer_market.first_name[:1], officer_market.first_name)
    due = today + dt.timedelta(days=1)
    while not is_workday(due):
        due += dt.timedelta(days=1)
    officer.page.fill("input[name=action-due_on]", due.isoformat())
    officer.click("main form[action$='actions/add'] button[type=submit]")
    assert FollowUpAction.objects.filter(visit=visit).count() == 1
    officer.page.screenshot(path=str(tmp_path / "visit.png"), full_page=True)

    officer.goto("/relations/units/%d/" % customer.pk)
    assert "季度客户回访" in officer.page.content()
    officer.goto("/relations/visits/")
    officer.goto("/relations/obligations/?month=%s" % obligation.first_due_on.strftime("%Y-%m"))
    occurrence = Occurrence.objects.get()
    officer.goto("/relations/obligations/%d/" % occurrence.pk)
    proof = tmp_path / "回执.pdf"
    proof.write_bytes(b"%PDF-1.4 receipt")
    officer.page.set_input_files("input[name=proof]", str(proof))
    officer.page.fill("textarea[name=note]", "已在公示系统报送并公示")
    officer.click("main form[action$='done'] button[type=submit]")
    assert Occurrence.objects.get(pk=occurrence.pk).done_at is not None
    officer.page.screenshot(path=str(tmp_path / "occurrence.png"), full_page=True)
    officer.goto("/relations/members/")

"""The incident register's pages: who may open what (another's incident is a 404), the forms keep
what was typed when refused, the list is paginated with a fixed number of queries."""
import pytest

from incidents.models import Incident
from infoflow.services.drafting import create_item

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("role, status", [
    ("officer_market", 200), ("secretary", 200), ("auditor", 200),
    ("officer_prod", 404), ("head_market", 404), ("leader", 404), ("gm", 404), ("employee", 404), ("outsider", 404),
])
def test_the_incident_page_opens_for_reporter_secretariat_and_supervision_only(client, incident, request, role, status):
    response = _get(client, request.getfixturevalue(role), "/incidents/%d/" % incident.pk)

    assert response.status_code == status
    if status == 404:
        assert incident.title not in response.content.decode()


def test_the_list_shows_others_nothing(client, incident, officer_prod, secretary):
    assert incident.number not in _get(client, officer_prod, "/incidents/").content.decode()
    assert incident.number in _get(client, secretary, "/incidents/").content.decode()


def test_posting_to_someone_elses_incident_is_a_404(client, incident, officer_prod):
    client.force_login(officer_prod)

    for action in ("entry", "assign", "severity", "link", "reopen", "close/"):
        assert client.post("/incidents/%d/%s" % (incident.pk, action), {"text": "x"}).status_code == 404


def test_register_from_the_form(client, employee, severity, secretary):
    client.force_login(employee)

    response = client.post("/incidents/new/", {
        "title": "笔记本电脑丢失", "description": "出差途中遗失，含客户资料。", "found_at": "2026-03-09T08:00",
        "found_by": "陈员工", "system": "", "severity": severity.pk, "items": ""})

    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == "/incidents/%d/" % incident.pk
    assert incident.reporter == employee


def test_a_refused_registration_keeps_what_was_typed(client, employee, severity, secretary, officer_market, market):
    item = create_item(actor=officer_market, unit=market, receivers=[], fields={"subject": "草稿", "summary": "x"})
    client.force_login(employee)

    response = client.post("/incidents/new/", {
        "title": "笔记本电脑丢失", "description": "出差途中遗失。", "found_at": "2026-03-09T08:00",
        "found_by": "陈员工", "severity": severity.pk, "items": str(item.pk)})

    html = response.content.decode()
    assert response.status_code == 200 and not Incident.objects.exists()
    assert "或您无权查看该信息" in html and "笔记本电脑丢失" in html and "出差途中遗失。" in html


def test_linked_items_are_shown_only_to_those_who_may_see_them(client, report, officer_market, auditor, market, prod):
    item = create_item(actor=officer_market, unit=market, receivers=[{"kind": "unit", "unit": prod}],
                       fields={"subject": "限定范围的报价QZLINKED", "summary": "x", "confidentiality": "restricted"})
    incident = report(officer_market, item_refs=[str(item.pk)])

    mine = _get(client, officer_market, "/incidents/%d/" % incident.pk).content.decode()
    theirs = _get(client, auditor, "/incidents/%d/" % incident.pk).content.decode()

    assert "QZLINKED" in mine
    assert "QZLINKED" not in theirs and "另有 1 条关联信息您无权查看" in theirs


def test_assign_and_close_through_the_pages(client, incident, secretary, officer_prod):
    client.force_login(secretary)

    client.post("/incidents/%d/assign" % incident.pk, {"handler": officer_prod.pk})
    confirm = client.get("/incidents/%d/close/" % incident.pk)
    refused = client.post("/incidents/%d/close/" % incident.pk, {"conclusion": ""})
    done = client.post("/incidents/%d/close/" % incident.pk, {"conclusion": "误报，系统无异常。"})

    incident.refresh_from_db()
    assert "确定结案吗" in confirm.content.decode() and refused.status_code == 200
    assert done.status_code == 302 and incident.state == Incident.State.CLOSED and incident.handler == officer_prod


def test_an_action_refused_by_the_service_shows_its_message(client, incident, auditor):
    client.force_login(auditor)

    response = client.post("/incidents/%d/reopen" % incident.pk, {"reason": "再查"}, follow=True)

    assert "尚未结案，无需重新打开" in response.content.decode()


def test_the_list_takes_the_same_queries_for_few_and_many(client, report, officer_market, secretary,
                                                           django_assert_max_num_queries):
    report(officer_market)
    client.force_login(secretary)
    client.get("/incidents/")  # warm the session, menu and calendar caches
    with django_assert_max_num_queries(20) as few:
        client.get("/incidents/")
    for n in range(25):
        report(officer_market, title="事件 %d" % n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/incidents/")

    assert "第 1 / 2 页" in response.content.decode()


def test_home_card_counts_open_incidents_for_the_secretariat_and_the_reporter(client, incident, secretary,
                                                                             officer_market, employee):
    import re

    menu = re.compile(r'<details class="menu">.*?</details>', re.S)

    def cards(user):
        return menu.sub("", _get(client, user, "/").content.decode())

    assert "未结案的安全事件 1 件" in cards(secretary)
    assert 'href="/incidents/new/"' in cards(officer_market)  # their own incident is open
    assert 'href="/incidents/new/"' not in cards(employee)  # the menu leads there

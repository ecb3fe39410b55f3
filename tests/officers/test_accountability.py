"""officers.accountability: supervision records cases with finding, sanction
and rectification; who sees them (officers only their own, others 404);
wrong user, state and input."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from liaison.models import Notification
from officers.accountability import cases_visible_to, complete_rectification, record_case
from officers.models import AccountabilityCase, Officer
from officers.work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

pytestmark = pytest.mark.django_db
TODAY = "2026-06-10 10:00+08:00"


def post(user):
    return Officer.objects.get(user=user, status=Officer.Status.ACTIVE)


@pytest.fixture
def case(auditor, officer_market):
    with time_machine.travel(TODAY, tick=False):
        return record_case(actor=auditor, officer=post(officer_market), kind="late", occurred_on=dt.date(2026, 6, 1),
                           finding="客户投诉信息迟报三天", sanction="points", points=5,
                           rectification="补报并说明原因", rectification_due=dt.date(2026, 6, 20),
                           subject_label="NX-2026-007")


def test_supervision_records_a_case_and_the_officer_is_told(case, officer_market):
    assert case.sanction == "points" and case.points == 5 and case.rectification_open
    assert case.history.filter(history_change_reason="record").count() == 1
    assert Notification.objects.filter(recipient=officer_market, key="accountability:%d" % case.pk).exists()


@pytest.mark.parametrize("changes, message", [
    ({"finding": " "}, "请填写调查结论。"),
    ({"sanction": "points", "points": 0}, "处分为扣分时请填写扣分分值。"),
    ({"points": 101}, "扣分应在 0 到 100 之间。"),
    ({"sanction": "none", "points": 3}, "不予处分时不能扣分。"),
    ({"rectification": "整改", "rectification_due": None}, "责令整改时请填写整改期限。"),
    ({"rectification": "整改", "rectification_due": dt.date(2026, 5, 1)}, "整改期限应不早于发生日期，且须填写整改要求。"),
    ({"occurred_on": dt.date(2026, 7, 1)}, "发生日期不能晚于今天。"),
    ({"kind": "bogus"}, "请选择问题类型。"),
])
def test_bad_input_is_refused(auditor, officer_market, changes, message):
    data = {"kind": "false", "occurred_on": dt.date(2026, 6, 1), "finding": "谎报数据", "sanction": "criticism",
            "points": 0, **changes}
    with time_machine.travel(TODAY, tick=False), pytest.raises(WorkInvalid, match=message):
        record_case(actor=auditor, officer=post(officer_market), **data)
    assert not AccountabilityCase.objects.exists()


def test_only_supervision_records_and_closes(case, secretary, head_market, officer_market, auditor):
    for user in (secretary, head_market, officer_market):
        with pytest.raises(WorkNotAllowed):
            record_case(actor=user, officer=case.officer, kind="other", occurred_on=dt.date(2026, 6, 1), finding="x")
        with pytest.raises(WorkNotAllowed):
            complete_rectification(case=case, actor=user, done_on=dt.date(2026, 6, 9), note="完成")


def test_rectification_is_completed_once(case, auditor):
    with time_machine.travel(TODAY, tick=False):
        with pytest.raises(WorkInvalid):
            complete_rectification(case=case, actor=auditor, done_on=dt.date(2026, 6, 11), note="完成")
        complete_rectification(case=case, actor=auditor, done_on=dt.date(2026, 6, 9), note="已补报")
        with pytest.raises(WorkStateConflict):
            complete_rectification(case=case, actor=auditor, done_on=dt.date(2026, 6, 9), note="已补报")

    case.refresh_from_db()
    assert case.rectified_on == dt.date(2026, 6, 9) and not case.rectification_open
    assert case.history.filter(history_change_reason="rectified").count() == 1


def test_visibility_per_role(case, client, auditor, secretary, gm, leader, officer_market, officer_prod, head_market,
                             employee, outsider):
    url = reverse("officers:case", args=[case.pk])
    for user, status in ((auditor, 200), (secretary, 200), (gm, 200), (leader, 200), (officer_market, 200),
                         (officer_prod, 404), (head_market, 404), (employee, 404), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
        listed = client.get(reverse("officers:cases")).content.decode()
        assert ("客户投诉" in listed or "NX-2026-007" in listed or url in listed) == (status == 200), user.username
    assert list(cases_visible_to(officer_prod)) == []


def test_new_case_page_is_for_supervision(client, auditor, officer_market, secretary):
    client.force_login(secretary)
    assert client.get(reverse("officers:case-new")).status_code == 403

    client.force_login(auditor)
    with time_machine.travel(TODAY, tick=False):
        response = client.post(reverse("officers:case-new"), {
            "officer": post(officer_market).pk, "kind": "suppressed", "occurred_on": "2026-06-02",
            "finding": "瞒报质量问题", "sanction": "warning", "points": "0", "item_number": "",
            "rectification": "", "rectification_due": ""})

    assert response.status_code == 302
    assert AccountabilityCase.objects.get().kind == "suppressed"


def test_case_list_has_a_fixed_number_of_queries(client, auditor, officer_market, django_assert_max_num_queries):
    client.force_login(auditor)
    client.get(reverse("officers:cases"))
    with django_assert_max_num_queries(12):
        client.get(reverse("officers:cases"))
    with time_machine.travel(TODAY, tick=False):
        for n in range(12):
            record_case(actor=auditor, officer=post(officer_market), kind="other", occurred_on=dt.date(2026, 6, 1),
                        finding="事项 %d" % n)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("officers:cases") + "?q=张").status_code == 200


def test_admin_is_read_only_and_narrowed_by_the_selectors(client, case, auditor, secretary):
    from officers.models import WorkReport

    report = WorkReport.objects.create(officer=case.officer, unit=case.officer.unit, period_start=dt.date(2026, 5, 1),
                                       period_end=dt.date(2026, 5, 31), due_at=case.recorded_at)
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    client.force_login(auditor)

    assert client.get("/admin/officers/accountabilitycase/%d/history/" % case.pk).status_code == 200
    assert client.post("/admin/officers/accountabilitycase/%d/change/" % case.pk, {"finding": "改"}).status_code == 403
    # Supervision reads cases, not the heads' work reports.
    assert client.get("/admin/officers/workreport/%d/history/" % report.pk).status_code == 404
    assert "2026-05-01" not in client.get("/admin/officers/workreport/").content.decode()
    client.force_login(secretary)
    assert client.get("/admin/officers/workreport/%d/history/" % report.pk).status_code == 200


@pytest.mark.parametrize("code, words", [("record", "登记"), ("rectified", "整改完成"), ("seed_demo", "示例数据"),
                                         ("", ""), (None, ""), ("某个原因", "某个原因")])
def test_history_change_reasons_read_as_words(code, words):
    from officers.templatetags.work_tags import change_reason

    assert change_reason(code) == words

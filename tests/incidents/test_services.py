"""The incident register's services: who may do what, in which state, with what input (issue 19 §6)."""
import datetime as dt

import pytest

from incidents import services
from incidents.errors import IncidentInvalid, IncidentNotAllowed, IncidentStateConflict
from incidents.models import Entry, Incident, IncidentItem
from incidents.selectors import incidents_visible_to
from infoflow.services.drafting import create_item
from liaison.models import Notification
from tests.incidents.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def _visible(user, incident):
    return incidents_visible_to(user).filter(pk=incident.pk).exists()


def test_a_registered_incident_is_numbered_timed_and_seen_by_secretariat_supervision_and_reporter(
        incident, officer_market, secretary, auditor, officer_prod, head_market, leader, gm, employee):
    assert incident.number == "AQ-2026-%04d" % incident.pk
    assert incident.state == Incident.State.OPEN
    assert incident.due_at == dt.datetime(2026, 3, 12, 10, 0, tzinfo=MONDAY.tzinfo)  # three working days
    assert {u.username for u in (officer_market, secretary, auditor) if _visible(u, incident)} == {
        "officer_market", "secretary", "auditor"}
    assert not any(_visible(u, incident) for u in (officer_prod, head_market, leader, gm, employee))
    told = set(Notification.objects.filter(key__startswith="incident:%d:" % incident.pk)
               .values_list("recipient__username", flat=True))
    assert told == {"secretary", "auditor"}
    assert incident.history.filter(history_change_reason="report").count() == 1


def test_notices_are_restricted_so_mail_carries_no_title(incident):
    from liaison.notifications import safe_text

    notice = Notification.objects.filter(key__startswith="incident:%d:" % incident.pk).first()
    subject, text = safe_text(notice)

    assert notice.confidentiality == "restricted"
    assert incident.title not in subject + text and "共享盘" not in text


@pytest.mark.parametrize("field, value, message", [
    ("title", "  ", "请填写事件概要。"),
    ("description", "", "请填写事件经过。"),
    ("found_by", "", "请填写发现人。"),
    ("found_at", MONDAY + dt.timedelta(hours=2), "发现时间不能晚于现在。"),
])
def test_bad_input_is_refused_with_a_message(report, employee, field, value, message):
    with pytest.raises(IncidentInvalid) as error:
        report(employee, **{field: value})

    assert error.value.message == message
    assert not Incident.objects.exists()


def test_an_inactive_severity_is_refused(report, employee, severity):
    severity.active = False
    severity.save()

    with pytest.raises(IncidentInvalid):
        report(employee)


def test_items_are_linked_only_when_the_reporter_may_see_them(report, officer_market, officer_prod, market, prod):
    with at(MONDAY - dt.timedelta(days=1)):
        own = create_item(actor=officer_market, unit=market, receivers=[{"kind": "unit", "unit": prod}],
                          fields={"subject": "客户名单", "summary": "名单"})
    # A draft of the market officer: production's officer may not see it.
    with pytest.raises(IncidentInvalid) as error:
        report(officer_prod, item_refs=[str(own.pk)])
    assert "无权查看" in error.value.message
    assert not Incident.objects.exists()

    incident = report(officer_market, item_refs=[str(own.pk)])

    assert list(IncidentItem.objects.filter(incident=incident).values_list("item_id", flat=True)) == [own.pk]


def test_only_the_secretariat_assigns_a_handler(incident, officer_market, auditor, secretary, officer_prod):
    with pytest.raises(IncidentNotAllowed):
        services.assign_handler(incident=incident, actor=auditor, handler=officer_prod)

    with at(MONDAY + dt.timedelta(hours=1)):
        services.assign_handler(incident=incident, actor=secretary, handler=officer_prod)

    incident.refresh_from_db()
    assert incident.state == Incident.State.HANDLING and incident.handler == officer_prod
    assert _visible(officer_prod, incident)
    assert Notification.objects.filter(recipient=officer_prod, key__contains=":assigned:").count() == 1
    assert incident.entries.filter(kind=Entry.Kind.ASSIGN).count() == 1


def test_a_user_who_cannot_see_the_incident_is_refused_as_missing(incident, officer_prod):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_entry(incident=incident, actor=officer_prod, kind="measure", text="x", at=MONDAY)


def test_the_reporter_who_does_not_handle_may_not_record_measures(incident, officer_market):
    with at(MONDAY), pytest.raises(IncidentNotAllowed):
        services.add_entry(incident=incident, actor=officer_market, kind="measure", text="已断网", at=MONDAY)


def test_a_report_needs_its_addressee_and_a_past_time(incident, secretary):
    with at(MONDAY + dt.timedelta(hours=2)):
        with pytest.raises(IncidentInvalid) as error:
            services.add_entry(incident=incident, actor=secretary, kind="report", text="电话报告", at=MONDAY)
        assert error.value.message == "请填写上报对象。"
        with pytest.raises(IncidentInvalid):
            services.add_entry(incident=incident, actor=secretary, kind="measure", text="断网",
                               at=MONDAY + dt.timedelta(days=1))
        entry = services.add_entry(incident=incident, actor=secretary, kind="report", text="电话报告",
                                   reported_to="公安机关网安部门", at=MONDAY + dt.timedelta(hours=1))

    incident.refresh_from_db()
    assert entry.reported_to == "公安机关网安部门"
    assert incident.state == Incident.State.HANDLING  # the first measure or report starts the handling


def test_a_record_dated_before_the_incident_was_found_is_refused_and_nothing_is_saved(incident, secretary):
    with at(MONDAY + dt.timedelta(hours=2)):
        with pytest.raises(IncidentInvalid) as error:
            services.add_entry(incident=incident, actor=secretary, kind="measure", text="断网",
                               at=incident.found_at - dt.timedelta(minutes=1))
        assert error.value.message.startswith("时间不能早于事件的发现时间")
        assert not Entry.objects.filter(incident=incident, text="断网").exists()
        services.add_entry(incident=incident, actor=secretary, kind="measure", text="断网", at=incident.found_at)

    assert Entry.objects.filter(incident=incident, text="断网").count() == 1


def test_close_then_close_again_and_add_after_closing_are_refused(incident, secretary, officer_market):
    with at(MONDAY + dt.timedelta(hours=3)):
        with pytest.raises(IncidentInvalid):
            services.close_incident(incident=incident, actor=secretary, conclusion=" ")
        services.close_incident(incident=incident, actor=secretary, conclusion="已从备份恢复，原因为误操作。")
        with pytest.raises(IncidentStateConflict):
            services.close_incident(incident=incident, actor=secretary, conclusion="再次")
        with pytest.raises(IncidentStateConflict):
            services.add_entry(incident=incident, actor=secretary, kind="measure", text="x", at=MONDAY)

    incident.refresh_from_db()
    assert incident.state == Incident.State.CLOSED and incident.closed_by == secretary
    assert Notification.objects.filter(recipient=officer_market, key__endswith=":closed").count() == 1
    assert incident.history.filter(history_change_reason="close").count() == 1


def test_reopen_needs_supervision_or_secretariat_a_reason_and_a_closed_incident(
        incident, secretary, auditor, officer_market):
    with at(MONDAY + dt.timedelta(hours=3)):
        with pytest.raises(IncidentStateConflict):
            services.reopen_incident(incident=incident, actor=auditor, reason="未结案")
        services.close_incident(incident=incident, actor=secretary, conclusion="已恢复")
        with pytest.raises(IncidentNotAllowed):
            services.reopen_incident(incident=incident, actor=officer_market, reason="又丢了")
        with pytest.raises(IncidentInvalid):
            services.reopen_incident(incident=incident, actor=auditor, reason="")
    later = MONDAY + dt.timedelta(days=2)
    with at(later):
        services.reopen_incident(incident=incident, actor=auditor, reason="备份也缺少 3 月 6 日之后的文件")

    incident.refresh_from_db()
    assert incident.state == Incident.State.HANDLING and incident.round == 2
    assert incident.round_started_at == later and incident.closed_at is None
    assert incident.entries.filter(kind=Entry.Kind.REOPEN).get().text.startswith("备份")


def test_severity_change_recomputes_the_limit_and_is_secretariat_only(incident, secretary, auditor):
    from incidents.models import Severity

    quick = Severity.objects.create(code="quick", name="紧急级", limit_days=1, remind_days=1)
    with pytest.raises(IncidentNotAllowed):
        services.set_severity(incident=incident, actor=auditor, severity=quick)

    with at(MONDAY + dt.timedelta(hours=1)):
        services.set_severity(incident=incident, actor=secretary, severity=quick)

    incident.refresh_from_db()
    assert incident.due_at == dt.datetime(2026, 3, 10, 10, 0, tzinfo=MONDAY.tzinfo)


def test_linking_later_respects_visibility_and_roles(incident, officer_market, officer_prod, secretary, market, prod):
    with at(MONDAY):
        item = create_item(actor=officer_market, unit=market, receivers=[{"kind": "unit", "unit": prod}],
                           fields={"subject": "报价单", "summary": "报价"})
        with pytest.raises(IncidentInvalid):
            services.link_items(incident=incident, actor=officer_market, item_refs=["NX-1999-999"])
        links = services.link_items(incident=incident, actor=officer_market, item_refs=[str(item.pk), str(item.pk)])
        again = services.link_items(incident=incident, actor=officer_market, item_refs=[str(item.pk)])

    assert len(links) == 1 and again == []

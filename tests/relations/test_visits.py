"""Visits and their follow-up actions (relations/services/visits.py): who
records, sees and changes what, and the unhappy paths."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from liaison.models import Notification
from relations.errors import AlreadyDone, InvalidInput
from relations.models import FollowUpAction
from relations.selectors import visits_visible_to
from relations.services import visits
from tests.factories import ExternalContactFactory, ExternalUnitFactory
from tests.relations.conftest import MONDAY, TZ, at, make_visit

pytestmark = pytest.mark.django_db


def test_an_officer_records_a_visit_with_history(visit, officer_market):
    assert visit.recorded_by == officer_market
    assert list(visit.visitors.all()) == [officer_market]
    assert visit.history.filter(history_change_reason="record", history_user=officer_market).exists()


@pytest.mark.parametrize("who", ["officer_market", "head_market", "leader", "secretary", "auditor", "gm"])
def test_those_of_the_unit_and_the_secretariat_see_the_visit(request, visit, who):
    assert visits_visible_to(request.getfixturevalue(who)).filter(pk=visit.pk).exists()


@pytest.mark.parametrize("who", ["officer_prod", "head_prod", "employee", "outsider", "legal"])
def test_others_do_not_see_the_visit(request, visit, who):
    assert not visits_visible_to(request.getfixturevalue(who)).filter(pk=visit.pk).exists()


def test_the_owner_of_an_action_sees_the_visit(visit, officer_market, officer_prod):
    with at(MONDAY):
        visits.add_action(actor=officer_market, visit=visit, text="生产部确认交期", owner=officer_prod,
                          due_on=dt.date(2026, 3, 16))

    assert visits_visible_to(officer_prod).filter(pk=visit.pk).exists()


def test_an_officer_cannot_record_for_another_unit(officer_market, prod, customer):
    with pytest.raises(PermissionDenied):
        make_visit(officer_market, prod, customer)


def test_an_employee_without_a_liaison_role_cannot_record(employee, market, customer):
    with pytest.raises(PermissionDenied):
        make_visit(employee, market, customer)


def test_a_contact_of_another_unit_is_refused(officer_market, market, customer):
    stranger = ExternalContactFactory(external_unit=ExternalUnitFactory(name="另一家公司"))

    with pytest.raises(InvalidInput, match="所选联系人不属于苏州宏达机电"):
        make_visit(officer_market, market, customer, stranger)


def test_a_visit_in_the_future_is_refused(officer_market, market, customer):
    with pytest.raises(InvalidInput, match="走访日期不能晚于今天"):
        make_visit(officer_market, market, customer, visited_on=dt.date(2026, 3, 10))


def test_a_visit_needs_a_visitor(officer_market, market, customer):
    with pytest.raises(InvalidInput, match="请至少选择一名走访人员"):
        make_visit(officer_market, market, customer, visitors=[])


def test_an_action_is_due_at_the_close_of_office_and_its_owner_is_told(action, officer_market, visit, head_market):
    assert action.due_at == dt.datetime(2026, 3, 13, 17, 30, tzinfo=TZ)
    with at(MONDAY):
        other = visits.add_action(actor=head_market, visit=visit, text="回访满意度", owner=officer_market,
                                  due_on=dt.date(2026, 3, 12))

    assert Notification.objects.filter(recipient=officer_market, key="relations:action:%d:assigned" % other.pk).count() == 1
    # never told of their own action
    assert not Notification.objects.filter(key="relations:action:%d:assigned" % action.pk).exists()


@pytest.mark.parametrize("day, message", [
    (dt.date(2026, 3, 14), "2026-03-14 不是工作日"),  # a Saturday
    (dt.date(2026, 5, 1), "2026-05-01 不是工作日"),  # 劳动节
    (dt.date(2026, 3, 6), "完成期限不能早于今天"),
])
def test_an_action_due_on_a_day_off_or_in_the_past_is_refused(visit, officer_market, day, message):
    with at(MONDAY), pytest.raises(InvalidInput, match=message):
        visits.add_action(actor=officer_market, visit=visit, text="x", owner=officer_market, due_on=day)


def test_someone_outside_the_visit_cannot_add_an_action(visit, officer_prod):
    with at(MONDAY), pytest.raises(PermissionDenied):
        visits.add_action(actor=officer_prod, visit=visit, text="x", owner=officer_prod, due_on=dt.date(2026, 3, 13))


def test_the_owner_completes_an_action_once(action, officer_market):
    visits.complete_action(actor=officer_market, action=action, result="已书面答复客户：3 天内到货")

    with pytest.raises(AlreadyDone, match="该跟进事项已办结"):
        visits.complete_action(actor=officer_market, action=action, result="again")
    action.refresh_from_db()
    assert action.done_by == officer_market
    assert action.history.filter(history_change_reason="done").count() == 1


def test_completing_needs_a_result_and_the_right_person(action, officer_prod, officer_market):
    with pytest.raises(PermissionDenied):
        visits.complete_action(actor=officer_prod, action=action, result="x")
    with pytest.raises(InvalidInput, match="请填写办理结果"):
        visits.complete_action(actor=officer_market, action=action, result="  ")
    assert FollowUpAction.objects.get(pk=action.pk).done_at is None


def test_a_visitor_of_another_unit_corrects_the_record(visit, officer_market, head_prod, officer_prod):
    with at(MONDAY):
        visits.update_visit(actor=officer_market, visit=visit, contact=None, visitors=[officer_market, officer_prod],
                            visited_on=dt.date(2026, 3, 9), kind="regular", method="phone", purpose="电话回访",
                            findings="")
    with at(MONDAY), pytest.raises(PermissionDenied):
        visits.update_visit(actor=head_prod, visit=visit, contact=None, visitors=[head_prod],
                            visited_on=dt.date(2026, 3, 9), kind="regular", method="phone", purpose="x")

    visit.refresh_from_db()
    assert visit.method == "phone" and visit.history.filter(history_change_reason="edit").exists()

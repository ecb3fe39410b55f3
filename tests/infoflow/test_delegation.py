"""Delegation (代理): the deputy sees and decides the principal's steps for
exactly the period, the record shows "on behalf of", and bad periods are refused."""
import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from infoflow import selectors
from infoflow.models import Delegation, Item, StepAssignee
from infoflow.permissions import can_decide
from infoflow.services.chain import approve_step, open_step
from infoflow.services.delegation import create_delegation, revoke_delegation
from infoflow.visibility import items_visible_to
from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.models import Notification
from tests.infoflow.conftest import NOW
from tests.infoflow.portal import submitted

pytestmark = pytest.mark.django_db

START = NOW + dt.timedelta(hours=1)   # Tuesday 10:30
END = NOW + dt.timedelta(days=1)      # Wednesday 09:30


@pytest.fixture
def trip(org, frozen):
    """head_market names outsider (finance, who never sees market items) as
    deputy for a day, and a cross-department item waits for head_market."""
    delegation = create_delegation(
        actor=org["head_market"], principal=org["head_market"], deputy=org["outsider"],
        start=START, end=END, reason="出差",
    )
    item = submitted(lambda **f: _draft(org, **f), org, direction="internal", needs_coordination=True)
    return delegation, item


def _draft(org, **fields):
    from infoflow.services.drafting import create_item
    from django.utils import timezone

    values = {"subject": "关于二季度客户回访安排的通知", "summary": "请于3月20日前报送。",
              "expected_feedback_at": timezone.now() + dt.timedelta(days=10)}
    values.update(fields)
    return create_item(actor=org["officer_market"], unit=org["market"], fields=values,
                       receivers=[{"kind": "unit", "unit": org["prod"]}])


def _step(item):
    return open_step(Item.objects.get(pk=item.pk))


def test_deputy_decides_inside_the_period_and_the_record_shows_on_behalf(org, trip, client, frozen):
    _delegation, item = trip
    frozen.move_to(START + dt.timedelta(minutes=5))
    deputy = org["outsider"]
    assert can_decide(deputy, _step(item))
    assert items_visible_to(deputy).filter(pk=item.pk).exists()
    assert [s.item_id for s in selectors.review_inbox(deputy)] == [item.pk]
    client.force_login(deputy)

    response = client.post(reverse("infoflow:review", args=[item.pk, _step(item).pk]), {"opinion": "同意，代批"})

    assert response.status_code == 302
    assignee = StepAssignee.objects.get(step__item=item, user=org["head_market"])
    assert assignee.decision == StepAssignee.Decision.APPROVED
    assert assignee.decided_by == deputy
    assert assignee.history.filter(history_change_reason="approve").get().history_user == deputy
    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    assert "代理人 褚外人 代 王五 审核" in page


def test_deputy_sees_the_review_button_on_the_item_page(org, trip, client, frozen):
    _delegation, item = trip
    frozen.move_to(START)
    client.force_login(org["outsider"])

    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()

    assert reverse("infoflow:review", args=[item.pk, _step(item).pk]) in page


def test_before_the_start_the_deputy_neither_sees_nor_decides(org, trip, client):
    _delegation, item = trip  # frozen at NOW, an hour before the start
    deputy = org["outsider"]
    client.force_login(deputy)

    assert not can_decide(deputy, _step(item))
    assert client.get(reverse("infoflow:item-detail", args=[item.pk])).status_code == 404
    assert list(selectors.review_inbox(deputy)) == []


def test_after_the_end_the_deputy_loses_sight_and_the_decision(org, trip, client, frozen):
    _delegation, item = trip
    frozen.move_to(END)  # [start, end): the end itself is outside
    deputy = org["outsider"]
    client.force_login(deputy)

    assert not can_decide(deputy, _step(item))
    with pytest.raises(NotAllowed):
        approve_step(step=_step(item), actor=deputy, opinion="同意")
    assert client.get(reverse("infoflow:item-detail", args=[item.pk])).status_code == 404
    assert client.post(reverse("infoflow:review", args=[item.pk, _step(item).pk]), {"opinion": "同意"}).status_code == 404
    assert list(selectors.review_inbox(deputy)) == []
    assert _step(item).assignees.get().decision == StepAssignee.Decision.PENDING


def test_a_deputy_who_still_sees_the_item_gets_403_after_the_end(org, frozen, client):
    # The secretary sees every unrestricted item anyway, so after the end the
    # answer is 403 (may see, may not decide), not 404.
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["secretary"],
                      start=START, end=END)
    item = submitted(lambda **f: _draft(org, **f), org, direction="internal", needs_coordination=True)
    frozen.move_to(END + dt.timedelta(hours=1))
    client.force_login(org["secretary"])

    response = client.post(reverse("infoflow:review", args=[item.pk, _step(item).pk]), {"opinion": "同意"})

    assert response.status_code == 403


def test_principal_still_decides_during_the_delegation(org, trip, frozen):
    _delegation, item = trip
    frozen.move_to(START)

    approve_step(step=_step(item), actor=org["head_market"], opinion="同意")

    assignee = StepAssignee.objects.get(step__item=item, user=org["head_market"])
    assert assignee.decided_by == org["head_market"]


def test_revoking_ends_the_rights_at_once(org, trip, client, frozen):
    delegation, item = trip
    frozen.move_to(START)

    revoke_delegation(delegation=delegation, actor=org["head_market"])

    assert not can_decide(org["outsider"], _step(item))
    assert not items_visible_to(org["outsider"]).filter(pk=item.pk).exists()
    with pytest.raises(StateConflict):
        revoke_delegation(delegation=delegation, actor=org["head_market"])
    assert delegation.history.filter(history_change_reason="revoke").count() == 1


def test_the_deputy_is_told_in_the_portal(org, django_capture_on_commit_callbacks, frozen):
    with django_capture_on_commit_callbacks(execute=False):
        delegation = create_delegation(actor=org["head_market"], principal=org["head_market"],
                                       deputy=org["head_prod"], start=START, end=END)

    notice = Notification.objects.get(recipient=org["head_prod"], key="delegation:%d" % delegation.pk)
    assert notice.kind == "delegation" and "王五" in notice.subject


def test_naming_oneself_is_refused(org, frozen):
    with pytest.raises(InvalidInput) as error:
        create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_market"],
                          start=START, end=END)
    assert error.value.message == "不能指定本人为自己的代理人。"


def test_end_not_after_start_is_refused(org, frozen):
    with pytest.raises(InvalidInput) as error:
        create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                          start=END, end=END)
    assert error.value.message == "代理结束时间须晚于开始时间。"


def test_overlapping_delegation_is_refused(org, trip):
    with pytest.raises(StateConflict) as error:
        create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                          start=END - dt.timedelta(hours=1), end=END + dt.timedelta(days=1))
    assert "重叠" in error.value.message
    assert Delegation.objects.filter(principal=org["head_market"]).count() == 1


def test_adjacent_periods_do_not_overlap(org, trip):
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                      start=END, end=END + dt.timedelta(days=1))

    assert Delegation.objects.filter(principal=org["head_market"]).count() == 2


def test_only_the_secretariat_names_a_deputy_for_someone_else(org, frozen):
    with pytest.raises(NotAllowed):
        create_delegation(actor=org["head_prod"], principal=org["head_market"], deputy=org["head_prod"],
                          start=START, end=END)

    delegation = create_delegation(actor=org["secretary"], principal=org["head_market"], deputy=org["head_prod"],
                                   start=START, end=END)
    assert delegation.created_by == org["secretary"]


def test_delegation_page_creates_and_lists(org, client, frozen):
    client.force_login(org["head_market"])

    response = client.post(reverse("infoflow:delegations"), {
        "deputy": org["head_prod"].pk, "start": "2026-03-11T09:00", "end": "2026-03-13T17:30", "reason": "出差",
    })

    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.principal == org["head_market"] and delegation.deputy == org["head_prod"]
    page = client.get(reverse("infoflow:delegations")).content.decode()
    assert "赵六" in page and "出差" in page


def test_delegation_page_shows_the_service_message(org, client, frozen):
    client.force_login(org["head_market"])

    response = client.post(reverse("infoflow:delegations"), {
        "deputy": org["head_market"].pk, "start": "2026-03-11T09:00", "end": "2026-03-13T17:30",
    }, follow=True)

    # The picker does not offer oneself (issue 15 §9); a forged post is refused by the form.
    assert "不能指定本人或系统账号为代理人，请从列表中选择。" in response.content.decode()
    assert not Delegation.objects.exists()


def test_others_may_not_revoke(org, trip, client):
    delegation, _item = trip
    client.force_login(org["head_prod"])

    response = client.post(reverse("infoflow:delegation-revoke", args=[delegation.pk]))

    assert response.status_code == 404
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_overlapping_delegations_at_once_give_one(org):
    from tests.infoflow.test_races import run_together

    with time_machine.travel(NOW, tick=False):
        results = run_together([
            lambda deputy=deputy: create_delegation(actor=org["head_market"], principal=org["head_market"],
                                                    deputy=org[deputy], start=START, end=END)
            for deputy in ("head_prod", "outsider")
        ])

    assert sorted(type(r).__name__ for r in results) == ["Delegation", "StateConflict"], results
    assert Delegation.objects.count() == 1

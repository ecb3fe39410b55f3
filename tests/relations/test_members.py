"""Member-unit changes (relations/services/members.py): the member unit's
officer reports, the secretariat approves (applied with history) or returns."""
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from liaison.models import Notification
from relations.errors import AlreadyDecided, InvalidInput, RelationsError
from relations.models import MemberChange, MemberProfile
from relations.selectors import member_changes_visible_to
from relations.services import members
from tests.factories import OfficerFactory, OrgUnitFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

VALUES = {"name": "苏州精工机械有限公司", "legal_representative": "王强", "address": "苏州市工业园区星湖街328号",
          "contact_name": "李梅", "contact_phone": "0512-62880000", "contact_email": "limei@example.com"}


@pytest.fixture
def member(db):
    head = UserFactory(username="head_member", first_name="陈总")
    return OrgUnitFactory(code="m01", name="苏州精工", number_prefix="HY", kind="member", head=head)


@pytest.fixture
def member_officer(member):
    return OfficerFactory(unit=member, user__username="officer_member", user__first_name="许联络").user


@pytest.fixture
def association_secretary(db):
    user = UserFactory(username="assoc_secretary", first_name="蒋秘书")
    RoleFactory(user=user, role="association_secretariat")
    return user


@pytest.fixture
def change(member, member_officer, association_secretary, secretary):
    return members.submit_member_change(actor=member_officer, unit=member, values=VALUES,
                                        explanation="法定代表人换届，办公地址搬迁")


def test_the_officer_reports_and_the_reviewers_are_told(change, association_secretary, secretary):
    assert change.state == MemberChange.State.SUBMITTED
    assert change.previous["name"] == "苏州精工" and change.previous["legal_representative"] == ""
    told = set(Notification.objects.filter(key="relations:member-change:%d:submitted" % change.pk)
               .values_list("recipient__username", flat=True))
    assert told == {"assoc_secretary", "secretary"}


def test_approval_applies_the_change_with_history(change, association_secretary, member):
    members.approve_member_change(actor=association_secretary, change=change)

    profile = MemberProfile.objects.get(unit=member)
    assert profile.legal_representative == "王强" and profile.address.startswith("苏州市工业园区")
    member.refresh_from_db()
    assert member.name == "苏州精工机械有限公司"
    assert member.history.filter(history_change_reason="member change %d" % change.pk).count() == 1
    assert change.history.filter(history_change_reason="approve", history_user=association_secretary).count() == 1
    assert Notification.objects.filter(key="relations:member-change:%d:approved" % change.pk,
                                       recipient__username="officer_member").count() == 1


def test_a_second_change_keeps_the_first_in_the_profile_history(change, association_secretary, member,
                                                                member_officer):
    members.approve_member_change(actor=association_secretary, change=change)
    second = members.submit_member_change(actor=member_officer, unit=member,
                                          values={**VALUES, "contact_name": "周亮"}, explanation="联系人调整")
    members.approve_member_change(actor=association_secretary, change=second)

    profile = MemberProfile.objects.get(unit=member)
    assert [h.contact_name for h in profile.history.order_by("history_date")] == ["李梅", "周亮"]
    assert second.changed_fields() == [("联系人", "李梅", "周亮")]


def test_return_needs_a_reason_and_leaves_the_profile(change, association_secretary, member):
    with pytest.raises(InvalidInput, match="退回时必须填写理由"):
        members.return_member_change(actor=association_secretary, change=change, reason=" ")

    members.return_member_change(actor=association_secretary, change=change, reason="请附营业执照变更页")

    change.refresh_from_db()
    assert change.state == MemberChange.State.RETURNED and change.return_reason == "请附营业执照变更页"
    assert not MemberProfile.objects.filter(unit=member).exists()
    with pytest.raises(AlreadyDecided, match="该变更已由他人审核（已退回）"):
        members.approve_member_change(actor=association_secretary, change=change)


def test_only_an_officer_of_the_member_unit_reports(member, officer_market, market):
    with pytest.raises(PermissionDenied):
        members.submit_member_change(actor=officer_market, unit=member, values=VALUES, explanation="x")
    with pytest.raises(PermissionDenied):  # a department is not a member unit
        members.submit_member_change(actor=officer_market, unit=market, values=VALUES, explanation="x")


def test_one_open_change_at_a_time_and_something_must_change(change, member, member_officer):
    with pytest.raises(RelationsError, match="已有一项待审核的变更"):
        members.submit_member_change(actor=member_officer, unit=member, values=VALUES, explanation="again")


def test_an_unchanged_report_is_refused(member, member_officer):
    with pytest.raises(InvalidInput, match="没有需要变更的内容"):
        members.submit_member_change(actor=member_officer, unit=member, values={"name": "苏州精工"},
                                     explanation="核对")


def test_an_officer_cannot_review_and_nobody_reviews_their_own(change, member_officer, officer_market):
    with pytest.raises(PermissionDenied):
        members.approve_member_change(actor=member_officer, change=change)
    with pytest.raises(PermissionDenied):
        members.approve_member_change(actor=officer_market, change=change)


@pytest.mark.parametrize("who, sees", [("officer_member", True), ("head_member", True), ("assoc_secretary", True),
                                       ("secretary", True), ("auditor", True), ("officer_market", False),
                                       ("employee", False)])
def test_who_sees_a_change(request, change, auditor, officer_market, employee, who, sees):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=who)
    assert member_changes_visible_to(user).filter(pk=change.pk).exists() is sees


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_apply_it_once(change, association_secretary, secretary, member):
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait()
            members.approve_member_change(actor=actor, change=change)
            outcomes.append("ok")
        except AlreadyDecided:
            outcomes.append("decided")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (association_secretary, secretary)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["decided", "ok"]
    assert change.history.filter(history_change_reason="approve").count() == 1
    assert MemberProfile.objects.get(unit=member).history.count() == 1


def test_the_officer_reports_through_the_page_and_the_reviewer_approves(client, member, member_officer,
                                                                        association_secretary):
    from django.urls import reverse

    client.force_login(member_officer)
    response = client.post(reverse("relations:member-change-new", args=[member.pk]), {**VALUES,
                                                                                     "explanation": "换届"})
    change = MemberChange.objects.get()
    assert response.status_code == 302
    assert client.post(reverse("relations:member-change-approve", args=[change.pk])).status_code == 403
    assert MemberChange.objects.get().state == MemberChange.State.SUBMITTED  # the officer may not decide

    client.force_login(association_secretary)
    page = client.get(reverse("relations:member-change-detail", args=[change.pk])).content.decode()
    assert "审核通过" in page and "王强" in page
    client.post(reverse("relations:member-change-approve", args=[change.pk]))
    assert MemberChange.objects.get().state == MemberChange.State.APPROVED


def test_returning_without_a_reason_keeps_the_page(client, change, association_secretary):
    from django.urls import reverse

    client.force_login(association_secretary)
    response = client.post(reverse("relations:member-change-return", args=[change.pk]), {"reason": ""})

    assert response.status_code == 400 and "退回时必须填写理由" in response.content.decode()


def test_another_unit_cannot_open_the_report_page_or_the_change(client, member, change, officer_market):
    from django.urls import reverse

    client.force_login(officer_market)
    assert client.get(reverse("relations:member-change-new", args=[member.pk])).status_code == 404
    assert client.get(reverse("relations:member-change-detail", args=[change.pk])).status_code == 404

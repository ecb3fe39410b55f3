"""The appointment workflow (issue 19 §9, seed 003): recommend with a 推荐表,
interview, confirm into the roster (with the announcement to all staff) or
reject; replacement; who may see and do what."""
import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison.models import Notification
from officers import recommendations as rec
from officers.models import ChangeFiling, Officer, Recommendation, Registration
from officers.work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict
from tests.factories import ExternalUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def pdf(name="推荐表.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def candidate(market):
    return UserFactory(username="candidate", first_name="钱新", profile__unit=market)


def recommend(actor, unit, candidate, **extra):
    values = dict(phone="13900001234", reasons="熟悉市场部工作", qualifications="沟通协调能力强", form_file=pdf(),
                  is_primary=False)
    values.update(extra)
    return rec.recommend_officer(actor=actor, unit=unit, candidate=candidate, **values)


# --- recommending -------------------------------------------------------------------


def test_head_recommends_and_secretariat_is_told(head_market, market, candidate, secretary):
    with time_machine.travel(NOW, tick=False):
        r = recommend(head_market, market, candidate)

    assert r.state == Recommendation.State.RECOMMENDED and r.kind == Recommendation.Kind.NEW
    assert r.form_file.name and r.form_name == "推荐表.pdf"
    assert Notification.objects.filter(recipient=secretary, key="recommendation:%d:new" % r.pk).count() == 1
    assert r.history.filter(history_change_reason="recommend").count() == 1


def test_officer_of_the_unit_may_recommend(officer_market, market, candidate):
    assert recommend(officer_market, market, candidate).recommended_by == officer_market


def test_head_of_another_unit_may_not_recommend(head_prod, market, candidate):
    with pytest.raises(WorkNotAllowed):
        recommend(head_prod, market, candidate)


def test_secretariat_does_not_recommend_for_a_department(secretary, market, candidate):
    with pytest.raises(WorkNotAllowed):
        recommend(secretary, market, candidate)


@pytest.mark.parametrize("field, value, message", [
    ("reasons", "  ", "请填写推荐理由。"),
    ("qualifications", "", "请填写被推荐人的任职条件。"),
    ("phone", "", "请填写被推荐人的联系电话。"),
    ("form_file", None, "请上传签字盖章的推荐表。"),
])
def test_missing_fields_are_refused(head_market, market, candidate, field, value, message):
    with pytest.raises(WorkInvalid) as exc:
        recommend(head_market, market, candidate, **{field: value})

    assert str(exc.value) == message
    assert not Recommendation.objects.exists()


def test_second_primary_without_naming_the_one_replaced_is_refused(head_market, market, officer_market, candidate):
    with pytest.raises(WorkInvalid) as exc:
        recommend(head_market, market, candidate, is_primary=True)

    assert "请选择“更换”" in str(exc.value)


def test_a_person_already_recommended_is_not_recommended_twice(head_market, market, candidate):
    recommend(head_market, market, candidate)

    with pytest.raises(WorkInvalid):
        recommend(head_market, market, candidate)


def test_replaced_officer_must_be_in_post_in_the_unit(head_market, market, prod, officer_prod, candidate):
    other = Officer.objects.get(user=officer_prod)

    with pytest.raises(WorkInvalid):
        recommend(head_market, market, candidate, replaces=other)


# --- deciding --------------------------------------------------------------------------


def test_confirm_puts_the_officer_in_the_roster_and_announces_it(head_market, market, candidate, secretary,
                                                                 employee):
    with time_machine.travel(NOW, tick=False):
        r = recommend(head_market, market, candidate)
        r = rec.confirm_recommendation(actor=secretary, recommendation=r, note="同意")

    officer = Officer.objects.get(user=candidate, unit=market, status=Officer.Status.ACTIVE)
    assert r.state == Recommendation.State.CONFIRMED and r.officer == officer
    assert officer.appointed_on == dt.date(2026, 3, 10) and officer.is_primary is False
    assert officer.recommendation_file.name == r.form_file.name
    announced = Notification.objects.filter(key="recommendation:%d:announced" % r.pk)
    assert announced.filter(recipient=employee).exists() and announced.filter(recipient=candidate).exists()
    assert "钱新" in announced.first().body and "市场部" in announced.first().body
    assert r.history.filter(history_change_reason="confirm").count() == 1


def test_replacement_ends_the_old_appointment_on_the_effective_date(head_market, market, officer_market, candidate,
                                                                     secretary):
    old = Officer.objects.get(user=officer_market)
    old.appointed_on = dt.date(2025, 1, 1)
    old.save()
    body = ExternalUnitFactory(name="市场监管局", kind="regulator")
    Registration.objects.create(unit=market, body=body, officer=old, registered_name="张三", registered_phone="1")
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        r = recommend(head_market, market, candidate, replaces=old, is_primary=True)
    with time_machine.travel(NOW, tick=False):
        r = rec.confirm_recommendation(actor=secretary, recommendation=r, effective_on=dt.date(2026, 3, 9))

    old.refresh_from_db()
    new = r.officer
    assert (old.status, old.ended_on) == (Officer.Status.REPLACED, dt.date(2026, 3, 9))
    assert new.is_primary and new.appointed_on == dt.date(2026, 3, 9)
    assert Registration.objects.get(unit=market).officer == new
    assert ChangeFiling.objects.filter(registration__unit=market, reason="officer_changed").exists()
    assert "接替 张三" in Notification.objects.filter(key="recommendation:%d:announced" % r.pk).first().body


def test_second_confirm_is_refused_and_appoints_once(head_market, market, candidate, secretary):
    r = recommend(head_market, market, candidate)
    rec.confirm_recommendation(actor=secretary, recommendation=r)

    with pytest.raises(WorkStateConflict):
        rec.confirm_recommendation(actor=secretary, recommendation=r)

    assert Officer.objects.filter(user=candidate).count() == 1
    assert r.history.filter(history_change_reason="confirm").count() == 1


def test_head_may_not_confirm(head_market, market, candidate, officer_market):
    r = recommend(officer_market, market, candidate)

    with pytest.raises(WorkNotAllowed):
        rec.confirm_recommendation(actor=head_market, recommendation=r)


def test_nobody_confirms_their_own_recommendation(market, candidate, secretary):
    market.head = secretary
    market.save()
    r = recommend(secretary, market, candidate)

    with pytest.raises(WorkNotAllowed):
        rec.confirm_recommendation(actor=secretary, recommendation=r)


def test_effective_date_in_the_future_is_refused(head_market, market, candidate, secretary):
    r = recommend(head_market, market, candidate)

    with pytest.raises(WorkInvalid) as exc:
        rec.confirm_recommendation(actor=secretary, recommendation=r, effective_on=dt.date.today() + dt.timedelta(1))

    assert str(exc.value) == "生效日期不能晚于今天：请在任命生效当日确认。"
    assert not Officer.objects.filter(user=candidate).exists()


def test_unit_that_gained_a_primary_meanwhile_refuses_the_confirm_and_nothing_changes(
        head_market, market, candidate, secretary, officer_market):
    Officer.objects.filter(user=officer_market).update(status=Officer.Status.LEFT)
    r = recommend(head_market, market, candidate, is_primary=True)
    Officer.objects.filter(user=officer_market).update(status=Officer.Status.ACTIVE)

    with pytest.raises(WorkInvalid):
        rec.confirm_recommendation(actor=secretary, recommendation=r)

    r.refresh_from_db()
    assert r.state == Recommendation.State.RECOMMENDED


def test_interview_then_confirm(head_market, market, candidate, secretary):
    with time_machine.travel(NOW, tick=False):
        r = recommend(head_market, market, candidate)
        r = rec.schedule_interview(actor=secretary, recommendation=r, at=NOW + dt.timedelta(days=1),
                                   place="三楼会议室")
        assert Notification.objects.filter(recipient=candidate, key__startswith="recommendation:%d:interview" % r.pk)
        r = rec.confirm_recommendation(actor=secretary, recommendation=r)

    assert r.state == Recommendation.State.CONFIRMED
    assert [h.state for h in r.history.order_by("history_id")] == ["recommended", "interview", "confirmed"]


def test_interview_in_the_past_is_refused(head_market, market, candidate, secretary):
    r = recommend(head_market, market, candidate)

    with time_machine.travel(NOW, tick=False), pytest.raises(WorkInvalid):
        rec.schedule_interview(actor=secretary, recommendation=r, at=NOW - dt.timedelta(hours=1), place="会议室")


def test_reject_needs_a_reason_and_tells_the_unit(head_market, market, candidate, secretary, officer_market):
    r = recommend(officer_market, market, candidate)
    with pytest.raises(WorkInvalid):
        rec.reject_recommendation(actor=secretary, recommendation=r, reason=" ")

    r = rec.reject_recommendation(actor=secretary, recommendation=r, reason="任职条件不足")

    assert r.state == Recommendation.State.REJECTED and r.decision_note == "任职条件不足"
    assert Notification.objects.filter(key="recommendation:%d:rejected" % r.pk,
                                       recipient__in=[officer_market, head_market]).count() == 2
    with pytest.raises(WorkStateConflict):
        rec.confirm_recommendation(actor=secretary, recommendation=r)


def test_withdraw_by_recommender_only_while_open(head_market, market, candidate, secretary, officer_market):
    r = recommend(officer_market, market, candidate)
    with pytest.raises(WorkNotAllowed):
        rec.withdraw_recommendation(actor=secretary, recommendation=r)

    rec.withdraw_recommendation(actor=officer_market, recommendation=r)

    with pytest.raises(WorkStateConflict):
        rec.withdraw_recommendation(actor=head_market, recommendation=r)


# --- visibility and pages -------------------------------------------------------------------


def test_visibility(head_market, head_prod, market, candidate, secretary, officer_prod, employee, leader, auditor):
    r = recommend(head_market, market, candidate)

    def sees(user):
        return rec.recommendations_visible_to(user).filter(pk=r.pk).exists()

    assert sees(secretary) and sees(head_market) and sees(candidate) and sees(leader) and sees(auditor)
    assert not sees(head_prod) and not sees(officer_prod) and not sees(employee)


def test_pages_answer_404_to_those_who_may_not_see(client, head_market, head_prod, market, candidate):
    r = recommend(head_market, market, candidate)
    login(client, head_prod)

    for name in ("recommendation", "recommendation-file", "recommendation-confirm", "recommendation-reject",
                 "recommendation-interview", "recommendation-withdraw"):
        assert client.get(reverse("officers:" + name, args=[r.pk])).status_code == 404


def test_head_cannot_post_a_confirm(client, head_market, market, candidate, officer_market):
    r = recommend(officer_market, market, candidate)
    login(client, head_market)

    response = client.post(reverse("officers:recommendation-confirm", args=[r.pk]),
                           {"effective_on": "2026-03-10"})

    assert response.status_code == 403
    assert Recommendation.objects.get(pk=r.pk).state == Recommendation.State.RECOMMENDED


def test_form_page_submits_a_recommendation(client, head_market, market, candidate):
    login(client, head_market)

    assert client.get(reverse("officers:recommendation-new")).status_code == 200
    response = client.post(reverse("officers:recommendation-new"), {
        "unit": market.pk, "candidate": candidate.pk, "phone": "139", "reasons": "理由", "qualifications": "条件",
        "form_file": pdf()})

    r = Recommendation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("officers:recommendation", args=[r.pk])


def test_form_page_keeps_input_on_a_refusal(client, head_market, market, candidate, officer_market):
    login(client, head_market)

    response = client.post(reverse("officers:recommendation-new"), {
        "unit": market.pk, "candidate": candidate.pk, "phone": "139", "reasons": "我的理由", "qualifications": "条件",
        "is_primary": "on", "form_file": pdf()})

    assert response.status_code == 200
    assert "请选择“更换”" in response.content.decode() and "我的理由" in response.content.decode()


def test_employee_cannot_open_the_form(client, employee):
    login(client, employee)

    assert client.get(reverse("officers:recommendation-new")).status_code == 403


def test_secretary_confirms_through_the_page(client, head_market, market, candidate, secretary):
    r = recommend(head_market, market, candidate)
    login(client, secretary)

    assert client.get(reverse("officers:recommendation-confirm", args=[r.pk])).status_code == 200
    response = client.post(reverse("officers:recommendation-confirm", args=[r.pk]),
                           {"effective_on": dt.date.today().isoformat(), "note": ""})

    assert response.status_code == 302
    assert Recommendation.objects.get(pk=r.pk).state == Recommendation.State.CONFIRMED


def test_announcements_page_for_everyone_with_fixed_queries(client, employee, head_market, market, secretary,
                                                            django_assert_max_num_queries):
    for n in range(3):
        person = UserFactory(username="p%d" % n, profile__unit=market)
        rec.confirm_recommendation(actor=secretary, recommendation=recommend(head_market, market, person))
    login(client, employee)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("officers:appointment-notices"))

    assert response.status_code == 200 and "经秘书处确认" in response.content.decode()


def test_list_queries_do_not_grow_with_rows(client, head_market, market, secretary, django_assert_max_num_queries):
    def count():
        with django_assert_max_num_queries(14) as ctx:
            assert client.get(reverse("officers:recommendations")).status_code == 200
        return len(ctx.captured_queries)

    login(client, secretary)
    recommend(head_market, market, UserFactory(username="x0", profile__unit=market))
    count()  # the first request fills the menu and session caches
    few = count()
    for n in range(1, 6):
        recommend(head_market, market, UserFactory(username="x%d" % n, profile__unit=market))

    assert count() == few

"""Handling (issue 17 §2): assignment with a deadline on the working
calendar (holidays, 调休 Saturdays, after hours), reminders and escalation
through the sweep, 督办 and investigation records, the finding, rewards
approved by someone other than the proposer, closing and sealing."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from liaison import sweeps
from liaison.errors import SuggestionInvalid, SuggestionNotAllowed, SuggestionStateConflict
from liaison.models import Notification
from suggestions import sealing, services
from suggestions.models import Case, Note, Reward, SealedCase
from tests.suggestions.conftest import TZ, submit

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=TZ), tick=False)


@pytest.mark.parametrize("start, days, due", [
    # Before the 2025 National Day holiday (1–8 October): the next workday is the 9th.
    ((2025, 9, 30, 10, 0), 1, (2025, 10, 9, 10, 0)),
    # Friday 10 October 2025 + 1: Saturday the 11th is a 调休 workday.
    ((2025, 10, 10, 10, 0), 1, (2025, 10, 11, 10, 0)),
    # After hours on the eve of the holiday: counts from the morning of the 9th.
    ((2025, 9, 30, 18, 30), 1, (2025, 10, 9, 17, 30)),
    # A plain week: Monday + 5 is the next Monday.
    ((2025, 11, 3, 9, 30), 5, (2025, 11, 10, 9, 30)),
])
def test_deadline_is_counted_in_working_days(signed_case, secretary, market, start, days, due):
    with at(*start):
        case = services.assign_case(case=signed_case, actor=secretary, unit=market, days=days)

    assert case.due_at == dt.datetime(*due, tzinfo=TZ)
    assert case.state == Case.State.ASSIGNED
    assert case.history.filter(history_change_reason="assign").count() == 1


def test_assignment_tells_the_unit_without_the_writer_or_the_text(signed_case, secretary, market, head_market):
    services.assign_case(case=signed_case, actor=secretary, unit=market, days=5)

    notice = Notification.objects.get(recipient=head_market, key__contains=":assigned:")
    assert signed_case.number in notice.subject + notice.body
    for secret in ("秦写信", "whistle_qz", "QZSIGNEDTEXT"):
        assert secret not in notice.subject + notice.body


@pytest.mark.parametrize("days", [0, 31])
def test_deadline_outside_the_range_is_refused(signed_case, secretary, market, days):
    with pytest.raises(SuggestionInvalid, match="办理期限须为 1 至 30 个工作日。"):
        services.assign_case(case=signed_case, actor=secretary, unit=market, days=days)


def test_only_a_handler_of_the_box_assigns(signed_case, gm, head_market, auditor, market):
    for actor in (gm, head_market, auditor):  # gm only approves rewards of the suggestion box
        with pytest.raises(SuggestionNotAllowed):
            services.assign_case(case=signed_case, actor=actor, unit=market, days=5)


def test_answered_case_cannot_be_reassigned(signed_case, secretary, market):
    services.record_finding(case=signed_case, actor=secretary, finding="unfounded", answer="经查不属实。")

    with pytest.raises(SuggestionStateConflict):
        services.assign_case(case=signed_case, actor=secretary, unit=market, days=5)


def _keys(case):
    return sorted(k.split(":")[2] for k in Notification.objects.filter(
        key__startswith="suggestion:%d:" % case.pk).values_list("key", flat=True).distinct())


def _run(*args):
    with at(*args):
        sweeps.run(dt.datetime(*args, tzinfo=TZ))


def test_reminder_late_notice_and_escalation_across_the_holiday(signed_case, secretary, market, head_market,
                                                               leader):
    with at(2025, 9, 29, 10, 0):  # + 2 working days: 30 September, then 9 October (holiday between)
        case = services.assign_case(case=signed_case, actor=secretary, unit=market, days=2)
    assert case.due_at == dt.datetime(2025, 10, 9, 10, 0, tzinfo=TZ)

    _run(2025, 9, 29, 12, 0)
    assert "reminder" not in _keys(case)
    _run(2025, 9, 30, 10, 5)  # one working day before the deadline: 30 September (1–8 October are off)
    assert "reminder" in _keys(case) and "overdue" not in _keys(case)
    _run(2025, 10, 5, 10, 0)  # the holiday: nothing new
    assert "overdue" not in _keys(case)
    _run(2025, 10, 9, 10, 1)
    assert "overdue" in _keys(case) and "escalated" not in _keys(case)
    _run(2025, 10, 10, 9, 59)
    assert "escalated" not in _keys(case)
    _run(2025, 10, 10, 10, 0)
    assert "escalated" in _keys(case)
    _run(2025, 10, 11, 10, 0)  # nothing more, once each
    assert Notification.objects.filter(key__contains=":escalated:", recipient=leader).count() == 1
    assert Notification.objects.filter(key__contains=":overdue:", recipient=secretary).count() == 1
    assert Notification.objects.filter(key__contains=":reminder:", recipient=head_market).count() == 1


def test_an_answered_case_is_not_chased(signed_case, secretary, market):
    with at(2025, 11, 3, 9, 30):
        services.assign_case(case=signed_case, actor=secretary, unit=market, days=1)
        services.record_finding(case=signed_case, actor=secretary, finding="adopted", answer="采纳。")

    _run(2025, 11, 6, 9, 30)

    assert "overdue" not in _keys(signed_case)


def test_reassigning_sets_a_new_deadline_that_is_chased_again(signed_case, secretary, market, prod):
    with at(2025, 11, 3, 9, 30):
        services.assign_case(case=signed_case, actor=secretary, unit=market, days=1)
    _run(2025, 11, 4, 9, 31)
    with at(2025, 11, 4, 10, 0):
        case = services.assign_case(case=signed_case, actor=secretary, unit=prod, days=1)
    _run(2025, 11, 5, 10, 1)

    assert Notification.objects.filter(key__startswith="suggestion:%d:overdue:" % case.pk).values(
        "key").distinct().count() == 2


def test_supervision_by_handlers_investigation_by_the_unit(signed_case, secretary, market, officer_market,
                                                           officer_prod, gm):
    services.assign_case(case=signed_case, actor=secretary, unit=market, days=5)

    services.add_note(case=signed_case, actor=secretary, kind=Note.Kind.SUPERVISION, text="请加快。")
    services.add_note(case=signed_case, actor=officer_market, kind=Note.Kind.INVESTIGATION, text="已核查。")
    with pytest.raises(SuggestionNotAllowed, match="只有本信箱的办理人可以督办。"):
        services.add_note(case=signed_case, actor=officer_market, kind=Note.Kind.SUPERVISION, text="督办")
    with pytest.raises(SuggestionNotAllowed):
        services.add_note(case=signed_case, actor=officer_prod, kind=Note.Kind.INVESTIGATION, text="x")
    with pytest.raises(SuggestionInvalid, match="请填写内容。"):
        services.add_note(case=signed_case, actor=secretary, kind=Note.Kind.SUPERVISION, text=" ")
    assert list(signed_case.notes.values_list("kind", flat=True)) == ["supervision", "investigation"]
    assert Notification.objects.filter(recipient=secretary, key__contains=":investigation:").exists()


def test_the_unit_cannot_record_the_finding(signed_case, secretary, market, head_market):
    services.assign_case(case=signed_case, actor=secretary, unit=market, days=5)

    with pytest.raises(SuggestionNotAllowed):
        services.record_finding(case=signed_case, actor=head_market, finding="unfounded", answer="不属实")


def test_finding_needs_an_answer_and_is_recorded_once(signed_case, secretary):
    with pytest.raises(SuggestionInvalid, match="请填写给提交人的答复。"):
        services.record_finding(case=signed_case, actor=secretary, finding="founded", answer="")
    services.record_finding(case=signed_case, actor=secretary, finding="founded", answer="属实，已处理。")

    with pytest.raises(SuggestionStateConflict):
        services.record_finding(case=signed_case, actor=secretary, finding="unfounded", answer="改")
    assert Case.objects.get(pk=signed_case.pk).finding == "founded"


@pytest.fixture
def founded(signed_case, secretary):
    return services.record_finding(case=signed_case, actor=secretary, finding="founded", answer="属实。")


def test_founded_complaint_suggests_the_seeds_200_yuan(founded):
    assert services.suggested_amount(founded) == Decimal("200")


def test_reward_approved_by_another_person(founded, secretary, gm):
    reward = services.propose_reward(case=founded, actor=secretary, amount="200", reason="投诉属实（制度六.3）")

    services.decide_reward(reward=reward, actor=gm, approve=True, note="同意")

    reward.refresh_from_db()
    assert reward.state == Reward.State.APPROVED and reward.decided_by == gm
    assert list(reward.history.values_list("history_change_reason", flat=True)) == ["approve", "propose"]


def test_the_proposer_may_not_approve_their_own_reward(founded, secretary):
    reward = services.propose_reward(case=founded, actor=secretary, amount="200", reason="属实")

    with pytest.raises(SuggestionNotAllowed, match="奖励须由提议人以外的人审批。"):
        services.decide_reward(reward=reward, actor=secretary, approve=True)
    assert Reward.objects.get(pk=reward.pk).state == Reward.State.PROPOSED


def test_someone_outside_the_box_may_not_approve(founded, secretary, leader, auditor):
    reward = services.propose_reward(case=founded, actor=secretary, amount="200", reason="属实")

    for actor in (leader, auditor):
        with pytest.raises(SuggestionNotAllowed):
            services.decide_reward(reward=reward, actor=actor, approve=True)


def test_a_reward_is_decided_once_and_refusal_needs_a_reason(founded, secretary, gm):
    reward = services.propose_reward(case=founded, actor=secretary, amount="200", reason="属实")
    with pytest.raises(SuggestionInvalid, match="不批准时请写明理由。"):
        services.decide_reward(reward=reward, actor=gm, approve=False)
    services.decide_reward(reward=reward, actor=gm, approve=False, note="证据不足")

    with pytest.raises(SuggestionStateConflict):
        services.decide_reward(reward=reward, actor=gm, approve=True)


def test_no_reward_for_an_unfounded_case_or_twice(signed_case, secretary, founded):
    services.propose_reward(case=founded, actor=secretary, amount="200", reason="属实")
    with pytest.raises(SuggestionStateConflict):
        services.propose_reward(case=founded, actor=secretary, amount="100", reason="再来")


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1000000"])
def test_bad_amounts_are_refused(founded, secretary, amount):
    with pytest.raises(SuggestionInvalid):
        services.propose_reward(case=founded, actor=secretary, amount=amount, reason="属实")


def test_closing_waits_for_the_reward_decision_then_seals(founded, secretary, gm, settings):
    settings.ARCHIVE_SEAL_KEY = "test-seal-key"
    reward = services.propose_reward(case=founded, actor=secretary, amount="200", reason="属实")
    with pytest.raises(SuggestionStateConflict, match="奖励尚未审批，不能办结。"):
        services.close_case(case=founded, actor=secretary)
    services.decide_reward(reward=reward, actor=gm, approve=True)

    case = services.close_case(case=founded, actor=secretary)

    sealed = SealedCase.objects.get(case=case)
    assert case.state == Case.State.CLOSED and sealed.position == 1
    assert "QZSIGNEDTEXT" in sealed.content and "秦写信" not in sealed.content and "whistle_qz" not in sealed.content
    assert sealing.verify_sealed_cases() == []
    with pytest.raises(SuggestionStateConflict):
        services.add_note(case=case, actor=secretary, kind="supervision", text="再督办")


def test_a_tampered_sealed_case_no_longer_verifies(founded, secretary, settings):
    settings.ARCHIVE_SEAL_KEY = "test-seal-key"
    services.close_case(case=founded, actor=secretary)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE suggestions_sealedcase SET content = replace(content, '属实。', '不属实。')")

    assert sealing.verify_sealed_cases() == [founded.number]


def test_an_unanswered_case_cannot_be_closed(signed_case, secretary):
    with pytest.raises(SuggestionStateConflict):
        services.close_case(case=signed_case, actor=secretary)


def test_a_gm_mailbox_case_is_handled_by_the_gm_not_hr(writer, category, handlers, gm, secretary, prod):
    case, _code = submit(writer, category, signed=False, box="gm_mailbox")

    with pytest.raises(SuggestionNotAllowed):
        services.assign_case(case=case, actor=secretary, unit=prod, days=3)
    assert services.assign_case(case=case, actor=gm, unit=prod, days=3).unit == prod


def test_a_refused_action_keeps_what_was_typed(client, anonymous_case, secretary):
    """trial 17: an action refused by the form or the service redirected to a blank page, losing the text."""
    client.force_login(secretary)
    url = reverse("suggestions:answer", args=[anonymous_case.pk])
    response = client.post(url, {"finding": "bogus", "answer": "经核查 QZKEPTANSWER"})
    assert response.status_code == 200 and "QZKEPTANSWER" in response.content.decode()
    response = client.post(reverse("suggestions:note", args=[anonymous_case.pk]), {"kind": "bogus", "text": "QZKEPTNOTE"})
    assert response.status_code == 200 and "QZKEPTNOTE" in response.content.decode()
    services.record_finding(case=anonymous_case, actor=secretary, finding="founded", answer="属实。")
    response = client.post(reverse("suggestions:reward", args=[anonymous_case.pk]),
                           {"amount": "abc", "reason": "理由 QZKEPTREASON"})
    assert response.status_code == 200 and "QZKEPTREASON" in response.content.decode()
    assert not Reward.objects.filter(case=anonymous_case).exists()


def test_a_service_refusal_comes_back_with_the_text_and_a_chinese_message(client, anonymous_case, secretary):
    client.force_login(secretary)
    services.record_finding(case=anonymous_case, actor=secretary, finding="unfounded", answer="不属实。")
    answer = "第二次答复 QZSECOND"
    response = client.post(reverse("suggestions:answer", args=[anonymous_case.pk]),
                           {"finding": "founded", "answer": answer})
    text = response.content.decode()
    assert response.status_code == 200
    assert "已由他人答复" in text
    anonymous_case.refresh_from_db()
    assert anonymous_case.finding == "unfounded"

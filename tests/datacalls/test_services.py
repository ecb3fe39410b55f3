"""datacalls.services: send, draft, submit, head review, return and
resubmit, remind, close — with the unhappy paths (wrong user, wrong state,
bad input) and the history rows."""
import datetime as dt

import pytest
import time_machine

from datacalls import services
from datacalls.models import Answer, Call
from liaison.errors import AnswerInvalid, DataCallNotAllowed, DataCallStateConflict
from liaison.models import Notification
from tests.datacalls.conftest import TZ, make_call

pytestmark = pytest.mark.django_db

BEFORE_DUE = dt.datetime(2026, 3, 18, 10, 0, tzinfo=TZ)
AFTER_DUE = dt.datetime(2026, 3, 23, 10, 0, tzinfo=TZ)


def test_sending_opens_one_occurrence_with_an_answer_per_unit_and_tells_the_officers(occurrence, officer_market):
    assert occurrence.due_at == dt.datetime(2026, 3, 20, 17, 30, tzinfo=TZ)
    assert occurrence.answers.count() == 2
    assert set(occurrence.answers.values_list("state", flat=True)) == {Answer.State.PENDING}
    assert Notification.objects.filter(recipient=officer_market, kind="task").count() == 1


def test_only_the_secretariat_creates_calls(officer_market, market):
    with pytest.raises(DataCallNotAllowed):
        make_call(officer_market, [market])


def test_unknown_field_type_is_refused(secretary, market):
    with pytest.raises(AnswerInvalid) as info:
        make_call(secretary, [market], fields=[{"key": "x", "label": "X", "type": "photo"}])

    assert "类型不可用" in str(info.value.errors)


def test_sending_twice_is_refused(sent, secretary):
    with pytest.raises(DataCallStateConflict) as info:
        services.send_call(call=sent, actor=secretary)

    assert str(info.value) == "该报送任务已下发。"


def test_draft_then_submit_on_time(market_answer, officer_market):
    with time_machine.travel(BEFORE_DUE, tick=False):
        services.save_draft(answer=market_answer, actor=officer_market, raw={"opinion": "", "amount": "１２.５"})
        answer = services.submit_answer(answer=market_answer, actor=officer_market,
                                        raw={"opinion": "价格偏高", "amount": "１２.５", "level": "满意"})

    assert answer.state == Answer.State.SUBMITTED
    assert answer.values == {"opinion": "价格偏高", "amount": "12.5", "level": "满意"}
    assert answer.late is False
    assert list(answer.history.values_list("history_change_reason", flat=True)) == ["submit", "draft", "open"]


def test_submit_without_a_required_field_shows_the_chinese_error(market_answer, officer_market):
    with pytest.raises(AnswerInvalid) as info:
        services.submit_answer(answer=market_answer, actor=officer_market, raw={"amount": "abc"})

    assert info.value.errors["opinion"] == "必填项未填写"
    assert "数字" in info.value.errors["amount"]
    market_answer.refresh_from_db()
    assert market_answer.state == Answer.State.PENDING


def test_late_answer_is_marked_not_refused(market_answer, officer_market):
    with time_machine.travel(AFTER_DUE, tick=False):
        answer = services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "迟到的意见"})

    assert answer.state == Answer.State.SUBMITTED
    assert answer.late is True


def test_officer_of_another_unit_may_not_answer(market_answer, officer_prod):
    with pytest.raises(DataCallNotAllowed):
        services.submit_answer(answer=market_answer, actor=officer_prod, raw={"opinion": "x"})


def test_submitted_answer_cannot_be_submitted_again(market_answer, officer_market):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})

    with pytest.raises(DataCallStateConflict):
        services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "y"})

    assert market_answer.history.filter(history_change_reason="submit").count() == 1


def test_return_with_reason_and_resubmit(market_answer, officer_market, secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})

    with pytest.raises(AnswerInvalid):
        services.return_answer(answer=market_answer, actor=secretary, reason="  ")
    returned = services.return_answer(answer=market_answer, actor=secretary, reason="请补充具体客户名称")
    resubmitted = services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "客户甲：价格偏高"})

    assert returned.state == Answer.State.RETURNED
    assert Notification.objects.filter(recipient=officer_market, key__contains=":returned:").count() == 1
    assert resubmitted.state == Answer.State.SUBMITTED
    assert resubmitted.return_reason == ""
    assert market_answer.history.filter(history_change_reason="return").count() == 1


def test_officer_may_not_return_and_draft_cannot_be_returned(market_answer, officer_market, secretary):
    with pytest.raises(DataCallStateConflict):
        services.return_answer(answer=market_answer, actor=secretary, reason="x")
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})
    with pytest.raises(DataCallNotAllowed):
        services.return_answer(answer=market_answer, actor=officer_market, reason="x")


def test_head_review_route(secretary, market, officer_market, head_market, head_prod):
    call = make_call(secretary, [market], head_review=True)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    answer = call.occurrences.get().answers.get()

    with time_machine.travel(BEFORE_DUE, tick=False):
        reviewing = services.submit_answer(answer=answer, actor=officer_market, raw={"opinion": "x"})
        with pytest.raises(DataCallNotAllowed):
            services.review_answer(answer=answer, actor=head_prod, approve=True)
        approved = services.review_answer(answer=answer, actor=head_market, approve=True)

    assert reviewing.state == Answer.State.REVIEWING
    assert Notification.objects.filter(recipient=head_market, key__contains=":review:").exists()
    assert approved.state == Answer.State.SUBMITTED
    assert approved.submitted_by == head_market


def test_head_returns_for_rework(secretary, market, officer_market, head_market):
    call = make_call(secretary, [market], head_review=True)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    answer = call.occurrences.get().answers.get()
    services.submit_answer(answer=answer, actor=officer_market, raw={"opinion": "x"})

    returned = services.review_answer(answer=answer, actor=head_market, approve=False, reason="数据不全")

    assert returned.state == Answer.State.RETURNED
    assert returned.return_reason == "数据不全"


def test_remind_only_the_units_still_out(occurrence, market_answer, officer_market, officer_prod, secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})

    with time_machine.travel(BEFORE_DUE, tick=False):
        n = services.remind_units(occurrence=occurrence, actor=secretary)

    assert n == 1
    assert Notification.objects.filter(recipient=officer_prod, kind="chase").count() == 1
    assert not Notification.objects.filter(recipient=officer_market, kind="chase").exists()


def test_officer_may_not_remind(occurrence, officer_market):
    with pytest.raises(DataCallNotAllowed):
        services.remind_units(occurrence=occurrence, actor=officer_market)


def test_close_marks_missing_answers_and_refuses_later_changes(occurrence, market_answer, officer_market, secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})

    services.close_occurrence(occurrence=occurrence, actor=secretary)

    states = dict(occurrence.answers.values_list("unit__code", "state"))
    assert states == {"market": Answer.State.SUBMITTED, "prod": Answer.State.MISSED}
    with pytest.raises(DataCallStateConflict):
        services.close_occurrence(occurrence=occurrence, actor=secretary)
    prod_answer = occurrence.answers.get(unit__code="prod")
    with pytest.raises(DataCallStateConflict):
        services.save_draft(answer=prod_answer, actor=prod_answer.unit.officers.get().user, raw={})


def test_all_units_call_reaches_every_active_unit(secretary, market, prod, finance):
    call = make_call(secretary, [], recipients=Call.Recipients.ALL)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)

    assert call.occurrences.get().answers.count() == 3


def test_call_without_units_is_not_sent(secretary):
    call = make_call(secretary, [])

    with pytest.raises(DataCallStateConflict):
        services.send_call(call=call, actor=secretary)

"""The yearly assessment (officers.assessment): a worked example with every
part checked, hand scores and adjustments with history, publication with the
award, the flag and the notice, and who may see and change what."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from datacalls.models import Answer, Call, Occurrence
from infoflow.models import Item, ReviewStep, StepAssignee
from liaison.models import Notification
from officers.assessment import (
    AssessmentInvalid,
    AssessmentStateConflict,
    adjust_score,
    compute_period,
    enter_hand_score,
    open_period,
    publish_period,
    set_weights,
)
from officers.assessment_models import AssessmentResult, OfficerAward
from officers.meeting_models import Invitation, Meeting, Training, TrainingAttendance
from officers.models import Officer
from officers.work_models import AccountabilityCase, ReplacementFlag

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 1, 10, 10, 0, tzinfo=TZ)


def at(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def year_of_records(market, prod, officer_market, officer_prod, head_market, secretary):
    """officer_market's 2026, built so that every part has a known score
    under the default criteria (the numbers are in test_worked_example)."""
    Officer.objects.filter(user__in=[officer_market, officer_prod]).update(appointed_on=dt.date(2025, 1, 1))

    def item(subject, state, **extra):
        return Item.objects.create(unit=market, initiator=officer_market, subject=subject, summary="摘要",
                                   state=state, submitted_at=at(3, 2), number="NX-2026-%03d" % Item.objects.count(),
                                   **extra)

    item("对外报送", Item.State.COMPLETED, direction="external")          # publication: 3
    item("部门采用", Item.State.APPROVED)                                  # department: 1
    item("领导报告", Item.State.TRANSMITTED, kind="report")                # organisation: 2
    item("被退回", Item.State.RETURNED)                                    # not adopted: 0
    item("保密事项 QZSECRET", Item.State.APPROVED, confidentiality="restricted")  # department: 1
    Item.objects.create(unit=market, initiator=officer_market, subject="去年", summary="-",  # outside the year
                        state=Item.State.COMPLETED, submitted_at=dt.datetime(2025, 12, 31, 10, tzinfo=TZ))

    call = Call.objects.create(title="月度报送", created_by=secretary)
    outcomes = [("accepted", False), ("submitted", False), ("submitted", True), ("missed", False)]
    for month, (state, late) in enumerate(outcomes, start=1):
        occurrence = Occurrence.objects.create(call=call, period="2026-%02d" % month, period_start=dt.date(2026, month, 1),
                                               period_end=dt.date(2026, month, 28), due_at=at(month, 28),
                                               opened_at=at(month, 1), closed_at=at(month, 28))
        Answer.objects.create(occurrence=occurrence, unit=market, state=state, late=late)
        Answer.objects.create(occurrence=occurrence, unit=prod, state="accepted")

    decided = Item.objects.create(unit=prod, initiator=officer_prod, subject="审核", summary="-", state="approved",
                                  number="NB-2026-001")
    for index, (due, decided_at) in enumerate([(at(4, 2), at(4, 1)), (at(5, 2), at(5, 3))]):
        step = ReviewStep.objects.create(item=decided, review_round=1, stage_index=index, name="初审",
                                         decider="unit_head", state="approved", due_at=due, closed_at=decided_at)
        StepAssignee.objects.create(step=step, user=officer_market, decision="approved", decided_at=decided_at,
                                    decided_by=officer_market)

    attendance = ["present", "present", "delegate", "excused", "absent"]
    for month, value in enumerate(attendance, start=1):
        meeting = Meeting.objects.create(title="联络员例会 %d 月" % month, planned_on=dt.date(2026, month, 5),
                                         starts_at=at(month, 5), agenda="议程", organiser=secretary, state="held")
        Invitation.objects.create(meeting=meeting, user=officer_market, attendance=value)
    training = Training.objects.create(title="信息写作培训", content="-", trainer="讲师", starts_at=at(6, 1),
                                       hours=Decimal("8"), organiser=secretary)
    TrainingAttendance.objects.create(training=training, user=officer_market, present=True, hours=Decimal("8"))
    AccountabilityCase.objects.create(officer=Officer.objects.get(user=officer_market), kind="late",
                                      occurred_on=dt.date(2026, 7, 1), finding="迟报", sanction="points", points=3)


@pytest.fixture
def period(secretary):
    with time_machine.travel(NOW, tick=False):
        return open_period(actor=secretary, year=2026)


def part(result, code):
    return Decimal(result.parts[code]["score"])


def test_worked_example_each_part_from_the_records(year_of_records, period, secretary, officer_market, officer_prod):
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)

    mine = AssessmentResult.objects.get(period=period, user=officer_market)
    # items: 3 + 1 + 2 + 0 + 1 = 7 adoption points of a target of 20, weight 30 → 10.50
    assert mine.parts["items"]["raw"] == "7.00" and part(mine, "items") == Decimal("10.50")
    assert len(mine.parts["items"]["records"]) == 5
    # data calls: 2 on time of 4 due, weight 15 → 7.50
    assert part(mine, "datacalls") == Decimal("7.50")
    # review steps: 1 of 2 by the due time, weight 10 → 5.00
    assert part(mine, "reviews") == Decimal("5.00")
    # meetings: present, present, delegate = 3 attended, 1 absent (leave does not count), weight 10 → 7.50
    assert part(mine, "meetings") == Decimal("7.50")
    # training: 8 of 16 hours, weight 10 → 5.00
    assert part(mine, "training") == Decimal("5.00")
    # accountability: 3 points deducted
    assert part(mine, "accountability") == Decimal("-3.00")
    # hand scores not yet entered
    assert part(mine, "attitude") == part(mine, "network") == part(mine, "dues") == Decimal("0")
    assert mine.total == Decimal("32.50")
    # a ratio part without records scores its weight: nothing was missed
    theirs = AssessmentResult.objects.get(period=period, user=officer_prod)
    assert part(theirs, "reviews") == Decimal("10.00") and part(theirs, "meetings") == Decimal("10.00")
    assert part(theirs, "datacalls") == Decimal("15.00") and part(theirs, "items") == Decimal("0.00")
    assert theirs.total == Decimal("35.00")
    assert (theirs.rank, mine.rank) == (1, 2)


def test_breakdown_names_a_restricted_item_by_number_only(year_of_records, period, secretary, officer_market):
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)

    labels = [r["label"] for r in AssessmentResult.objects.get(user=officer_market).parts["items"]["records"]]

    assert not any("QZSECRET" in label for label in labels)


def test_hand_scores_and_adjustment_change_the_total_with_history(year_of_records, period, secretary, officer_market):
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)
        mine = AssessmentResult.objects.get(period=period, user=officer_market)
        attitude = period.criteria.get(code="attitude")
        enter_hand_score(actor=secretary, result=mine, criterion=attitude, score="8", comment="积极主动")
        enter_hand_score(actor=secretary, result=mine, criterion=period.criteria.get(code="network"), score="6",
                         comment="建立了联络网络")
        adjust_score(actor=secretary, result=mine, points="2.5", reason="年中补报信息两条")
        compute_period(actor=secretary, period=period)  # a recompute keeps both

    mine.refresh_from_db()
    assert part(mine, "attitude") == Decimal("8.00") and mine.parts["attitude"]["records"][0]["label"] == "积极主动"
    assert mine.total == Decimal("32.50") + 8 + 6 + Decimal("2.5")
    assert mine.history.filter(history_change_reason="年中补报信息两条", adjustment=Decimal("2.5")).count() == 1
    assert mine.hand_scores.get(criterion=attitude).history.count() == 1


@pytest.mark.parametrize("score,comment", [("11", "太高"), ("-1", "负数"), ("abc", "不是数"), ("5", "  ")])
def test_bad_hand_scores_are_refused(year_of_records, period, secretary, officer_market, score, comment):
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)
    mine = AssessmentResult.objects.get(period=period, user=officer_market)

    with pytest.raises(AssessmentInvalid):
        enter_hand_score(actor=secretary, result=mine, criterion=period.criteria.get(code="attitude"), score=score,
                         comment=comment)


def test_a_computed_criterion_takes_no_hand_score(year_of_records, period, secretary, officer_market):
    compute_period(actor=secretary, period=period)
    mine = AssessmentResult.objects.get(period=period, user=officer_market)

    with pytest.raises(AssessmentInvalid):
        enter_hand_score(actor=secretary, result=mine, criterion=period.criteria.get(code="items"), score="5",
                         comment="不行")


def test_adjustment_needs_a_reason(year_of_records, period, secretary, officer_market):
    compute_period(actor=secretary, period=period)
    mine = AssessmentResult.objects.get(period=period, user=officer_market)

    with pytest.raises(AssessmentInvalid, match="理由"):
        adjust_score(actor=secretary, result=mine, points="3", reason=" ")


@pytest.mark.parametrize("who", ["officer_market", "head_market", "leader", "auditor"])
def test_only_hr_changes_an_assessment(request, year_of_records, period, secretary, officer_market, who):
    compute_period(actor=secretary, period=period)
    mine = AssessmentResult.objects.get(period=period, user=officer_market)
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        adjust_score(actor=actor, result=mine, points="3", reason="自己加分")
    with pytest.raises(PermissionDenied):
        set_weights(actor=actor, period=period, weights={"items": "50"})
    with pytest.raises(PermissionDenied):
        publish_period(actor=actor, period=period)
    with pytest.raises(PermissionDenied):
        open_period(actor=actor, year=2030)


def test_weights_are_checked_and_used(year_of_records, period, secretary, officer_market):
    with pytest.raises(AssessmentInvalid):
        set_weights(actor=secretary, period=period, weights={"items": "200"})

    set_weights(actor=secretary, period=period, weights={"items": "60"})
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)

    assert part(AssessmentResult.objects.get(user=officer_market), "items") == Decimal("21.00")  # 60 × 7/20
    with time_machine.travel(NOW, tick=False):
        set_weights(actor=secretary, period=period, weights={"items": "30"})  # recomputes the results
    assert part(AssessmentResult.objects.get(user=officer_market), "items") == Decimal("10.50")
    assert period.criteria.get(code="items").history.filter(history_change_reason="weight").count() == 2


def test_publish_names_the_excellent_flags_the_failed_and_freezes(settings, year_of_records, period, secretary,
                                                                   officer_market, officer_prod, employee):
    settings.ASSESSMENT_PASS = 34
    settings.ASSESSMENT_EXCELLENT = "top:1"
    with time_machine.travel(NOW, tick=False):
        publish_period(actor=secretary, period=period)

    period.refresh_from_db()
    best = AssessmentResult.objects.get(user=officer_prod)
    worst = AssessmentResult.objects.get(user=officer_market)
    assert period.is_published and period.pass_mark == 34
    assert best.excellent and best.passed and not worst.passed and not worst.excellent
    assert OfficerAward.objects.get().user == officer_prod
    assert ReplacementFlag.objects.filter(officer__user=officer_market, rule="assessment",
                                          case_key="assessment:2026").count() == 1
    notice = Notification.objects.get(recipient=employee, key="assessment:%d:published" % period.pk)
    assert "孙八" in notice.body
    assert Notification.objects.filter(recipient=officer_prod, key="assessment:%d:award" % period.pk).exists()
    with pytest.raises(AssessmentStateConflict):
        adjust_score(actor=secretary, result=worst, points="50", reason="补救")
    with pytest.raises(AssessmentStateConflict):
        publish_period(actor=secretary, period=period)


def test_a_year_is_opened_once(period, secretary):
    with pytest.raises(AssessmentInvalid):
        open_period(actor=secretary, year=2026)


def test_command_prints_the_ranking_highest_first(year_of_records, period, secretary, capsys):
    with time_machine.travel(NOW, tick=False):
        compute_period(actor=secretary, period=period)

    call_command("assessment", "2026")

    lines = capsys.readouterr().out.splitlines()
    assert lines == ["1\tofficer_prod\t生产部\t35.0", "2\tofficer_market\t市场部\t32.5"]

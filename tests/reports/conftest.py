"""Report fixtures: March 2026 with known records of every kind the built-in sections count
(the figures are asserted in test_figures.py), and the leader named as recipient."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from briefs.models import Adoption
from incidents import services as incident_services
from incidents.models import Severity
from infoflow.models import Item, OnTimeDay
from officers.meeting_models import Invitation, Meeting, Training, TrainingAttendance
from reports.models import Recipient

TZ = dt.timezone(dt.timedelta(hours=8))
APRIL_2 = dt.datetime(2026, 4, 2, 9, 0, tzinfo=TZ)  # after March: its reports may be made


def at(moment):
    return time_machine.travel(moment, tick=False)


def march(day, hour=10):
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def _item(unit, initiator, n, *, kind="routine", state="completed", submitted=None, subject="信息"):
    return Item.objects.create(unit=unit, initiator=initiator, subject="%s %d" % (subject, n), summary="摘要",
                               kind=kind, state=state, submitted_at=submitted, number="T-2026-%03d" % n)


@pytest.fixture
def named_leader(leader):
    Recipient.objects.create(user=leader)
    return leader


@pytest.fixture
def march_records(market, prod, officer_market, officer_prod, head_market, secretary, auditor):
    """Four items of March (market: one done, one in review, one cancelled; prod: one archived report),
    one of February and a draft; on-time day totals; a data call due 20 March answered by market only;
    a held meeting (present, absent, delegate) and a cancelled one; an induction training; two adoptions;
    two incidents found in March, one closed."""
    done = _item(market, officer_market, 1, submitted=march(2))
    _item(market, officer_market, 2, state="in_review", submitted=march(3))
    _item(market, officer_market, 3, kind="coordination", state="cancelled", submitted=march(4))
    report = _item(prod, officer_prod, 4, kind="report", state="archived", submitted=march(5))
    _item(market, officer_market, 5, submitted=dt.datetime(2026, 2, 27, 10, 0, tzinfo=TZ))
    _item(market, officer_market, 6, state="draft")

    OnTimeDay.objects.create(kind="review", day=dt.date(2026, 3, 10), unit=market, done=4, done_on_time=3)
    OnTimeDay.objects.create(kind="feedback", day=dt.date(2026, 3, 11), unit=prod, done=2, done_on_time=1)
    OnTimeDay.objects.create(kind="review", day=dt.date(2026, 2, 10), unit=prod, done=9, done_on_time=0)

    from datacalls import services as calls
    from tests.datacalls.conftest import make_call

    call = make_call(secretary, [market, prod])
    with at(march(10, 9)):
        calls.send_call(call=call, actor=secretary)
    with at(march(12)):
        calls.submit_answer(answer=call.occurrences.get().answers.get(unit=market), actor=officer_market,
                            raw={"opinion": "客户满意"})

    held = Meeting.objects.create(title="三月例会", planned_on=dt.date(2026, 3, 12), starts_at=march(12, 14),
                                  agenda="例会", organiser=secretary, state=Meeting.State.HELD)
    for user, attendance in ((officer_market, "present"), (officer_prod, "absent"), (head_market, "delegate")):
        Invitation.objects.create(meeting=held, user=user, attendance=attendance)
    Meeting.objects.create(kind="ad_hoc", title="临时会", planned_on=dt.date(2026, 3, 20), starts_at=march(20, 9),
                           agenda="x", organiser=secretary, state=Meeting.State.CANCELLED)
    training = Training.objects.create(title="岗前培训", content="制度", trainer="周敏", starts_at=march(16, 9),
                                       hours=Decimal("2.0"), is_induction=True, organiser=secretary)
    TrainingAttendance.objects.create(training=training, user=officer_market, present=True, hours=Decimal("2.0"))
    TrainingAttendance.objects.create(training=training, user=officer_prod, present=False, hours=Decimal("0"))

    Adoption.objects.create(item=done, level="organisation", recorded_by=secretary, recorded_at=march(20))
    Adoption.objects.create(item=report, level="department", recorded_by=secretary, recorded_at=march(21))

    severity = Severity.objects.create(code="t", name="测试级", limit_days=3, remind_days=1, sort_order=1)
    fields = {"description": "经过", "found_by": "张三", "severity": severity}
    with at(march(5)):
        first = incident_services.report_incident(actor=officer_market, title="误发邮件", found_at=march(5, 9),
                                                  **fields)
    with at(march(6)):
        incident_services.close_incident(incident=first, actor=secretary, conclusion="已删除")
    with at(march(20)):
        incident_services.report_incident(actor=officer_market, title="U盘丢失", found_at=march(20, 9), **fields)

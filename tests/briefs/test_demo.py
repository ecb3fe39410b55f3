"""The demo publication (briefs.demo): three items released across channels,
one correction, one published bulletin issue of the three; idempotent."""
import pytest
import time_machine

from briefs import demo
from briefs.models import Adoption, BulletinIssue
from officers import demo as officers_demo
from publication.models import Correction, ReleaseRecord

pytestmark = pytest.mark.django_db


def test_demo_releases_corrects_and_publishes_a_bulletin():
    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        officers_demo.seed()
        created = demo.seed()
        again = demo.seed()

    assert (created, again) == (4, 0)
    records = ReleaseRecord.objects.select_related("release__item")
    assert len({r.release.item_id for r in records}) == 3
    assert {r.channel.code for r in records} == {"intranet", "wechat_oa", "notice_board", "website"}
    assert Correction.objects.count() == 1
    issue = BulletinIssue.objects.get()
    assert (issue.state, issue.period, issue.number) == ("published", "2026-02", 1)
    assert [e.title for e in issue.entries.order_by("position")][1] == "二号生产线节能改造见成效"
    assert issue.record.item_numbers.count(",") == 2
    assert set(Adoption.objects.values_list("level", flat=True)) == {"publication", "organisation"}

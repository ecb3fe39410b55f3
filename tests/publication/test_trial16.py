"""Findings of trial 16 (a new user's walk and an attacker's probes of the
bulletin): what a correction shows on the bulletin, a cancelled item, the
listing's correction badge, correcting an item only planned."""
import datetime as dt

import pytest
from django.urls import reverse

from infoflow.models import Item
from infoflow.services.chain import cancel_item
from liaison.errors import StateConflict
from publication.selectors import bulletin_releases, release_calendar
from publication.services import corrections, release
from tests.publication.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_bulletin(org, publish, bulletin_channel, news):
    def make(**fields):
        item = publish(**fields)
        release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel, category=news)
        return item

    return make


def _approved_correction(org, original, *, confidentiality, kind="correction"):
    correction = corrections.create_correction(actor=org["secretary"], original=original, kind=kind,
                                               subject="更正：董事会人事安排", summary="涉密的人事调整名单")
    Item.objects.filter(pk=correction.item_id).update(state=Item.State.APPROVED, confidentiality=confidentiality)
    return correction


@pytest.mark.parametrize("confidentiality", ["internal", "restricted"])
def test_a_non_public_correction_puts_no_text_on_the_bulletin(client, org, on_bulletin, confidentiality):
    original = on_bulletin()
    _approved_correction(org, original, confidentiality=confidentiality)
    client.force_login(org["employee"])

    page = client.get(reverse("publication:bulletin-detail", args=[original.release.pk])).content.decode()

    assert "本信息已更正" in page  # the notice stays, its content does not
    assert "董事会人事安排" not in page and "涉密的人事调整名单" not in page


def test_a_public_correction_shows_its_text_and_links_only_when_on_the_bulletin(client, org, on_bulletin, wechat):
    original = on_bulletin()
    correction = _approved_correction(org, original, confidentiality="public")
    release.record_release(actor=org["secretary"], item=Item.objects.get(pk=correction.item_id), channel=wechat)
    client.force_login(org["employee"])

    page = client.get(reverse("publication:bulletin-detail", args=[original.release.pk])).content.decode()

    assert "涉密的人事调整名单" in page
    correction_release = Item.objects.get(pk=correction.item_id).release
    assert reverse("publication:bulletin-detail", args=[correction_release.pk]) not in page  # not on the bulletin: no dead link


def test_a_correction_page_does_not_name_an_original_made_restricted(client, org, on_bulletin, bulletin_channel,
                                                                      news):
    original = on_bulletin(subject="原信息之机密标题")
    correction = _approved_correction(org, original, confidentiality="public")
    release.record_release(actor=org["secretary"], item=Item.objects.get(pk=correction.item_id),
                           channel=bulletin_channel, category=news)
    Item.objects.filter(pk=original.pk).update(confidentiality="restricted")
    client.force_login(org["employee"])

    page = client.get(reverse("publication:bulletin-detail",
                              args=[Item.objects.get(pk=correction.item_id).release.pk])).content.decode()

    assert "本信息为更正" in page and "原信息之机密标题" not in page


def test_a_draft_correction_puts_no_badge_on_the_listing(client, org, on_bulletin):
    original = on_bulletin()
    corrections.create_correction(actor=org["secretary"], original=original, kind="retraction",
                                  subject="撤回声明", summary="")
    client.force_login(org["employee"])

    assert "有更正或撤回" not in client.get(reverse("publication:bulletin")).content.decode()
    Item.objects.filter(correction_of__original=original).update(state=Item.State.APPROVED)
    assert "有更正或撤回" in client.get(reverse("publication:bulletin")).content.decode()


def test_a_cancelled_item_leaves_the_bulletin(client, org, on_bulletin):
    item = on_bulletin(subject="作废的信息")
    cancel_item(item=item, actor=org["officer_market"], reason="内容有误，作废")
    client.force_login(org["employee"])

    assert "作废的信息" not in client.get(reverse("publication:bulletin")).content.decode()
    assert client.get(reverse("publication:bulletin-detail", args=[item.release.pk])).status_code == 404
    assert client.post(reverse("publication:bulletin-feedback", args=[item.release.pk]),
                       {"text": "还能反馈吗"}).status_code == 404
    assert not bulletin_releases().filter(item=item).exists()


def test_an_item_only_planned_is_not_corrected(org, publish, wechat, frozen):
    item = publish()
    release.plan_release(actor=org["secretary"], item=item, planned_on=NOW.date(), channels=[wechat],
                         person_in_charge=org["secretary"])

    with pytest.raises(StateConflict):
        corrections.create_correction(actor=org["secretary"], original=item, kind="correction",
                                      subject="更正", summary="")


def test_the_calendar_month_runs_from_local_midnight_to_local_midnight(org, publish, wechat, bulletin_channel, news,
                                                                        frozen):
    """The month's bounds are local (Asia/Shanghai) midnights, compared on the column itself (index-friendly)."""
    tz = NOW.tzinfo
    inside = publish(subject="二月最后一刻")
    release.record_release(actor=org["secretary"], item=inside, channel=wechat,
                           released_at=dt.datetime(2026, 2, 28, 23, 59, tzinfo=tz))
    outside = publish(subject="三月第一刻")
    release.record_release(actor=org["secretary"], item=outside, channel=wechat,
                           released_at=dt.datetime(2026, 3, 1, 0, 0, tzinfo=tz))

    rows = release_calendar(org["secretary"], first=dt.date(2026, 2, 1), last=dt.date(2026, 2, 28))

    assert [r.release.item_id for r in rows[wechat]["done"]] == [inside.pk]


def test_a_subject_with_a_line_break_goes_by_e_mail_on_one_line(org, publish):
    item = publish(subject="市场部通报\r\nBcc: evil@example.com")

    subject, _body = release.email_content(item)

    assert "\n" not in subject and "\r" not in subject and subject == "市场部通报 Bcc: evil@example.com"

"""Release (issue 16 item 3): the re-check the route may require, a record
per channel (time, link, publisher, evidence), channels as data, the e-mail
release (no internal content), release plans."""
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infoflow.models import Item
from infoflow.services.chain import open_step, submit_item
from liaison.errors import InvalidInput, NotAllowed, StateConflict
from liaison.models import Notification
from publication.models import ReleasePlan, ReleaseRecord
from publication.services import release
from tests.infoflow.conftest import png_upload
from tests.publication.conftest import drive

pytestmark = pytest.mark.django_db


def test_the_route_with_a_recheck_holds_the_item_after_the_leader(org, make_item, frozen, recheck_route,
                                                                  bulletin_channel, news):
    item = submit_item(item=make_item(kind="publication", confidentiality="public"), actor=org["officer_market"])
    item = drive(item, org, until_stage="发布前复核")

    assert item.route_name == "信息发布（发布前复核）"
    assert item.state == Item.State.IN_REVIEW and open_step(item).name == "发布前复核"
    assert release.recheck_required(item) and not release.recheck_done(item)
    with pytest.raises(StateConflict):
        release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel, category=news)

    item = drive(item, org)

    assert item.state == Item.State.APPROVED and release.recheck_done(item)
    record = release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel, category=news)
    assert record.release.item == item


def test_a_route_without_a_recheck_releases_after_the_leader(org, publish, bulletin_channel, news):
    item = publish()

    assert item.state == Item.State.APPROVED and not release.recheck_required(item)
    assert release.release_refusal(item) == ""


def test_a_release_record_keeps_time_link_publisher_evidence_and_the_channel_name(org, publish, wechat, frozen):
    item = publish()
    record = release.record_release(actor=org["secretary"], item=item, channel=wechat,
                                    link="https://mp.weixin.qq.com/s/abc", evidence=png_upload("截图.png"))
    wechat.name = "公司公众号（新）"
    wechat.save()

    record.refresh_from_db()
    assert (record.channel_name, record.channel_kind, record.link, record.released_by, record.evidence_name) == (
        "微信公众号", "outside", "https://mp.weixin.qq.com/s/abc", org["secretary"], "截图.png")
    assert record.evidence.name and record.release.first_released_at == record.released_at
    assert Notification.objects.filter(recipient=org["officer_market"], key=f"publication:record:{record.pk}").exists()


def test_the_same_channel_twice_is_refused(org, publish, wechat):
    item = publish()
    release.record_release(actor=org["secretary"], item=item, channel=wechat)

    with pytest.raises(StateConflict):
        release.record_release(actor=org["secretary"], item=item, channel=wechat)
    assert ReleaseRecord.objects.count() == 1


def test_the_bulletin_needs_a_category(org, publish, bulletin_channel):
    with pytest.raises(InvalidInput):
        release.record_release(actor=org["secretary"], item=publish(), channel=bulletin_channel)
    assert not ReleaseRecord.objects.exists()


def test_only_the_secretariat_or_the_channel_manager_records(org, publish, wechat, bulletin_channel, news):
    item = publish()
    wechat.manager = org["head_market"]
    wechat.save()

    with pytest.raises(NotAllowed):
        release.record_release(actor=org["officer_market"], item=item, channel=wechat)
    with pytest.raises(NotAllowed):
        release.record_release(actor=org["head_market"], item=item, channel=bulletin_channel, category=news)
    record = release.record_release(actor=org["head_market"], item=item, channel=wechat)
    assert record.released_by == org["head_market"]


def test_an_item_still_in_review_is_not_released(org, make_item, frozen, wechat):
    item = submit_item(item=make_item(kind="publication", confidentiality="public"), actor=org["officer_market"])

    with pytest.raises(StateConflict):
        release.record_release(actor=org["secretary"], item=item, channel=wechat)


def test_an_internal_item_goes_by_e_mail_as_a_link_only(org, publish, email_channel, wechat,
                                                        django_capture_on_commit_callbacks):
    item = publish(confidentiality="internal", subject="内部人事调整安排", summary="拟调整三名中层干部。")

    with pytest.raises(StateConflict):
        release.record_release(actor=org["secretary"], item=item, channel=wechat)
    with django_capture_on_commit_callbacks(execute=True):
        record = release.record_release(actor=org["secretary"], item=item, channel=email_channel)

    assert record.recipients == 2
    [message] = mail.outbox
    assert sorted(message.bcc) == ["all@example.com", "news@example.com"]
    text = message.subject + message.body
    assert "内部人事调整安排" not in text and "中层干部" not in text
    assert item.number in text and f"/items/{item.pk}/" in text


def test_a_public_item_goes_by_e_mail_with_its_text(org, publish, email_channel, django_capture_on_commit_callbacks):
    item = publish()
    with django_capture_on_commit_callbacks(execute=True):
        release.record_release(actor=org["secretary"], item=item, channel=email_channel)

    [message] = mail.outbox
    assert message.subject == "市场部完成一季度客户满意度调查" and "满意度达到百分之九十二。" in message.body


def test_a_restricted_item_is_never_released(org, publish, email_channel, wechat):
    item = publish(confidentiality="restricted")

    for channel in (email_channel, wechat):
        with pytest.raises((StateConflict, NotAllowed)):
            release.record_release(actor=org["secretary"], item=item, channel=channel)
    assert not mail.outbox


def test_an_empty_distribution_list_is_refused(org, publish, email_channel):
    email_channel.distribution_list.addresses = " \n"
    email_channel.distribution_list.save()

    with pytest.raises(InvalidInput):
        release.record_release(actor=org["secretary"], item=publish(), channel=email_channel)


def test_a_plan_names_date_channels_person_and_is_done_when_all_went_out(org, publish, wechat, bulletin_channel,
                                                                        news, frozen):
    item = publish()
    plan = release.plan_release(actor=org["secretary"], item=item, planned_on=timezone.localdate(), channels=[wechat, bulletin_channel],
        person_in_charge=org["head_market"], preparation="提前一天预热", category=news)

    assert Notification.objects.filter(recipient=org["head_market"], key__startswith="publication:plan:").exists()
    release.record_release(actor=org["secretary"], item=item, channel=wechat)
    assert ReleasePlan.objects.get(pk=plan.pk).state == ReleasePlan.State.PLANNED
    release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel)
    assert ReleasePlan.objects.get(pk=plan.pk).state == ReleasePlan.State.DONE


def test_a_plan_in_the_past_or_by_someone_else_is_refused(org, publish, wechat):
    item = publish()
    with pytest.raises(InvalidInput):
        release.plan_release(actor=org["secretary"], item=item, planned_on=timezone.localdate().replace(year=2025),
                             channels=[wechat], person_in_charge=org["head_market"])
    with pytest.raises(NotAllowed):
        release.plan_release(actor=org["officer_market"], item=item, planned_on=timezone.localdate(),
                             channels=[wechat], person_in_charge=org["head_market"])


def test_an_evidence_file_that_is_not_allowed_is_refused(org, publish, wechat):
    with pytest.raises(InvalidInput):
        release.record_release(actor=org["secretary"], item=publish(), channel=wechat,
                               evidence=SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 100))
    assert not ReleaseRecord.objects.exists()


def test_the_item_form_offers_the_channels_kept_as_data(client, org, make_item, frozen, wechat):
    from infoflow.forms import release_channel_choices
    from infoflow.services import drafting
    from publication.models import Channel

    Channel.objects.create(code="video", name="视频号", kind=Channel.Kind.OUTSIDE, sort_order=60)
    wechat.is_active = False
    wechat.save()

    codes = [code for code, _name in release_channel_choices()]
    assert "video" in codes and "wechat_oa" not in codes
    item = make_item(kind="publication", release_channels=["video"])
    assert item.channels_display == "视频号"
    with pytest.raises(InvalidInput):
        drafting.update_item(item=item, actor=org["officer_market"], fields={"release_channels": ["wechat_oa"]})
    Channel.objects.filter(code="video").update(name="企业视频号")
    item.refresh_from_db()
    assert item.channels_display == "企业视频号"

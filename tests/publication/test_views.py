"""The release desk, release and plan forms, the calendar and the correction
form: who gets in (403 / 404), what they keep on an error, fixed queries."""
import pytest
from django.urls import reverse
from django.utils import timezone

from publication.models import Correction, ReleasePlan, ReleaseRecord
from publication.services import release

pytestmark = pytest.mark.django_db


def test_the_desk_is_the_secretariats(client, org, publish):
    item = publish()
    client.force_login(org["secretary"])
    assert item.subject in client.get(reverse("publication:desk")).content.decode()
    for role in ("officer_market", "employee", "leader"):
        client.force_login(org[role])
        assert client.get(reverse("publication:desk")).status_code == 403


def test_the_desk_lists_through_a_fixed_number_of_queries(client, org, publish, wechat,
                                                          django_assert_max_num_queries):
    release.record_release(actor=org["secretary"], item=publish(), channel=wechat)
    client.force_login(org["secretary"])
    client.get(reverse("publication:desk"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("publication:desk"))
    for n in range(4):
        release.record_release(actor=org["secretary"], item=publish(subject=f"第{n}条"), channel=wechat)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("publication:desk"))


def test_the_release_form_records_a_release(client, org, publish, wechat):
    item = publish()
    client.force_login(org["secretary"])

    response = client.post(reverse("publication:release", args=[item.pk]),
                           {"channel": wechat.pk, "link": "https://mp.weixin.qq.com/s/x"})

    assert response.status_code == 302
    assert ReleaseRecord.objects.get().link == "https://mp.weixin.qq.com/s/x"


def test_the_release_form_keeps_what_was_typed_on_an_error(client, org, publish, bulletin_channel):
    item = publish()
    client.force_login(org["secretary"])

    response = client.post(reverse("publication:release", args=[item.pk]),
                           {"channel": bulletin_channel.pk, "note": "请于上午发布"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "发布到门户公告栏须选择栏目" in page and "请于上午发布" in page
    assert not ReleaseRecord.objects.exists()


def test_someone_who_does_not_see_the_item_gets_404_and_a_non_publisher_403(client, org, publish):
    item = publish(confidentiality="restricted")
    client.force_login(org["employee"])
    assert client.get(reverse("publication:release", args=[item.pk])).status_code == 404
    item = publish()
    client.force_login(org["officer_market"])
    assert client.get(reverse("publication:release", args=[item.pk])).status_code == 403
    assert client.get(reverse("publication:plan", args=[item.pk])).status_code == 403


def test_the_plan_form_and_the_calendar(client, org, publish, wechat, bulletin_channel, news):
    item = publish()
    client.force_login(org["secretary"])
    today = timezone.localdate()

    response = client.post(reverse("publication:plan", args=[item.pk]), {
        "planned_on": today.isoformat(), "channels": [wechat.pk, bulletin_channel.pk], "category": news.pk,
        "person_in_charge": org["head_market"].pk, "preparation": "提前预热"})
    release.record_release(actor=org["secretary"], item=publish(subject="已发布的另一条"), channel=wechat)
    calendar = client.get(reverse("publication:calendar") + "?month=" + today.strftime("%Y-%m")).content.decode()

    assert response.status_code == 302
    assert ReleasePlan.objects.get().preparation == "提前预热"
    assert item.subject in calendar and "已发布的另一条" in calendar
    client.force_login(org["employee"])
    assert client.get(reverse("publication:calendar")).status_code == 403


def test_a_bad_month_shows_the_current_one(client, org):
    client.force_login(org["secretary"])
    assert client.get(reverse("publication:calendar") + "?month=2026-13").status_code == 200


def test_the_correction_form_drafts_a_linked_item(client, org, publish, wechat):
    item = publish()
    release.record_release(actor=org["secretary"], item=item, channel=wechat)
    client.force_login(org["officer_market"])

    response = client.post(reverse("publication:correct", args=[item.pk]),
                           {"kind": "correction", "subject": "更正：满意度数据", "summary": "应为百分之九十。"})

    correction = Correction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("infoflow:item-detail",
                                                                         args=[correction.item_id])
    assert (correction.original, correction.item.state, correction.item.unit) == (item, "draft", item.unit)
    client.force_login(org["employee"])
    assert client.get(reverse("publication:correct", args=[item.pk])).status_code in (403, 404)


def test_the_home_page_and_menu_lead_to_the_bulletin(client, org):
    client.force_login(org["employee"])
    home = client.get("/").content.decode()
    assert 'href="/bulletin/"' in home and 'href="/publication/"' not in home
    client.force_login(org["secretary"])
    assert 'href="/publication/"' in client.get("/").content.decode()


def test_the_calendar_lists_the_newest_and_counts_the_rest(client, org, publish, wechat, monkeypatch,
                                                           django_assert_max_num_queries):
    from publication import selectors

    monkeypatch.setattr(selectors, "CALENDAR_ROWS", 1)
    release.record_release(actor=org["secretary"], item=publish(subject="较早的一条"), channel=wechat)
    release.record_release(actor=org["secretary"], item=publish(subject="较新的一条"), channel=wechat)
    client.force_login(org["secretary"])

    page = client.get(reverse("publication:calendar")).content.decode()

    assert "较新的一条" in page and "较早的一条" not in page and "另有 1 条已发布" in page
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("publication:calendar"))
    for n in range(3):
        release.record_release(actor=org["secretary"], item=publish(subject=f"又一条{n}"), channel=wechat)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("publication:calendar")).content.decode()

    assert "又一条2" in page and "另有 4 条已发布" in page

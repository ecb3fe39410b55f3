"""The bulletin page /bulletin/ (issue 16 item 4) and corrections (item 7):
public released items only, by category, search, paging, views, feedback,
a fixed number of queries; a correction shown on both items."""
import pytest
from django.test import RequestFactory
from django.urls import reverse

from archive.models import ArchivedRecord
from infoflow.models import Item
from infoflow.services.chain import submit_item
from liaison.errors import StateConflict
from publication.models import BulletinCategory, Correction, Feedback, ReleaseRecord
from publication.selectors import bulletin_releases, corrections_of_record
from publication.services import corrections, release
from publication.templatetags.publication_tags import record_corrections
from tests.publication.conftest import drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_bulletin(org, publish, bulletin_channel, news):
    """on_bulletin(**fields) → a public item released on the bulletin (新闻动态)."""

    def make(category=None, **fields):
        item = publish(**fields)
        release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel, category=category or news)
        return item

    return make


def test_the_employee_reads_a_public_release(client, org, on_bulletin):
    item = on_bulletin()
    client.force_login(org["employee"])

    listing = client.get(reverse("publication:bulletin"))
    detail = client.get(reverse("publication:bulletin-detail", args=[item.release.pk]))

    assert listing.status_code == 200 and item.subject in listing.content.decode()
    assert detail.status_code == 200 and "满意度达到百分之九十二。" in detail.content.decode()


def test_internal_and_restricted_items_never_appear_however_released(client, org, publish, on_bulletin,
                                                                       email_channel, bulletin_channel, news):
    public = on_bulletin()
    internal = publish(confidentiality="internal", subject="内部通报甲")
    release.record_release(actor=org["secretary"], item=internal, channel=email_channel)
    # Released on the bulletin and made internal / restricted afterwards (by mistake or by the admin).
    later_internal = on_bulletin(subject="后改为内部的信息乙")
    later_restricted = on_bulletin(subject="后改为限定范围的信息丙")
    Item.objects.filter(pk=later_internal.pk).update(confidentiality="internal")
    Item.objects.filter(pk=later_restricted.pk).update(confidentiality="restricted")
    client.force_login(org["employee"])

    page = client.get(reverse("publication:bulletin")).content.decode()

    assert public.subject in page
    for hidden in (internal, later_internal, later_restricted):
        assert hidden.subject not in page
    assert set(bulletin_releases().values_list("item_id", flat=True)) == {public.pk}
    for hidden in (later_internal, later_restricted):
        assert client.get(reverse("publication:bulletin-detail", args=[hidden.release.pk])).status_code == 404
    assert client.get(reverse("publication:bulletin") + "?q=丙").content.decode().count("信息丙") == 0


def test_released_on_an_outside_channel_only_is_not_on_the_bulletin(org, publish, wechat):
    item = publish()
    release.record_release(actor=org["secretary"], item=item, channel=wechat)

    assert not bulletin_releases().exists()


def test_categories_search_and_newest_first(client, org, on_bulletin, frozen):
    notices = BulletinCategory.objects.get(code="notices")
    first = on_bulletin(subject="一号新闻")
    frozen.shift(60)
    second = on_bulletin(subject="二号通知", category=notices)
    client.force_login(org["employee"])

    everything = client.get(reverse("publication:bulletin")).content.decode()
    only_notices = client.get(reverse("publication:bulletin") + "?c=notices").content.decode()
    searched = client.get(reverse("publication:bulletin") + "?q=一号").content.decode()

    assert everything.index(second.subject) < everything.index(first.subject)
    assert second.subject in only_notices and first.subject not in only_notices
    assert first.subject in searched and second.subject not in searched


def test_the_page_statement_shows_what_the_selector_finds(org, on_bulletin, publish, wechat, frozen):
    """publication.selectors.bulletin_page (one plain statement) pages the same
    rows, views and counts as bulletin_releases with bulletin_views: by
    category, by search (Chinese text anywhere in the subject or the summary,
    the number, case-insensitive, LIKE's characters taken literally), and a
    page number out of range shown as Paginator.get_page shows it (issue 12)."""
    from django.core.paginator import Paginator

    from publication.selectors import bulletin_page, bulletin_views

    notices = BulletinCategory.objects.get(code="notices")
    made = []
    for n in range(5):
        made.append(on_bulletin(subject=f"第{n}条客户回访安排 100%_done", summary=f"摘要{n} Visit",
                                category=notices if n % 2 else None))
        frozen.shift(60)
    Item.objects.filter(pk=made[3].pk).update(confidentiality="internal")  # leaves the bulletin
    corrected = made[4]
    correction = publish(subject="更正：第4条")
    Correction.objects.create(original=corrected, item=correction, kind=Correction.Kind.CORRECTION,
                              created_by=org["secretary"])
    elsewhere = publish(subject="只在微信发布的客户回访")
    release.record_release(actor=org["secretary"], item=elsewhere, channel=wechat)
    keys = ("pk", "first_released_at", "item__subject", "item__unit__name", "category__name", "has_correction",
            "views")
    cases = 0
    for category in (None, notices):
        for query in ("", "客户回访", "回访安排", "摘要2", "visit", made[1].number, "100%", "%_", "无此内容"):
            for number in (None, "1", "2", "3", "0", "-1", "abc"):
                expected = Paginator(bulletin_releases(category=category, query=query)
                                     .annotate(views=bulletin_views()).values(*keys), 2).get_page(number)
                page = bulletin_page(category=category, query=query, number=number, per_page=2)
                assert (page.number, page.paginator.count, page.paginator.num_pages) == (
                    expected.number, expected.paginator.count, expected.paginator.num_pages), (category, query, number)
                assert list(page.object_list) == list(expected.object_list), (category, query, number)
                cases += bool(expected.paginator.count)
    assert cases > 40
    assert bulletin_page(query="回访安排").paginator.count == 4
    assert bulletin_page(query="VISIT").paginator.count == 4
    assert [row["has_correction"] for row in bulletin_page().object_list][0] is True


def test_the_bulletin_pages_through_a_fixed_number_of_queries(client, org, on_bulletin, django_assert_max_num_queries):
    on_bulletin(subject="第一条")
    client.force_login(org["employee"])
    client.get(reverse("publication:bulletin"))  # session and menu caches warm
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("publication:bulletin"))
    for n in range(6):
        on_bulletin(subject=f"第{n + 2}条")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("publication:bulletin"))
    assert page.content.decode().count("第") >= 7


def test_views_are_counted_once_per_session(client, org, on_bulletin):
    item = on_bulletin()
    url = reverse("publication:bulletin-detail", args=[item.release.pk])
    client.force_login(org["employee"])
    client.get(url)
    client.get(url)
    client.force_login(org["officer_prod"])
    client.get(url)

    assert ReleaseRecord.objects.get(release=item.release).views == 2


def test_a_reader_leaves_feedback_and_an_empty_one_is_refused(client, org, on_bulletin):
    item = on_bulletin()
    client.force_login(org["employee"])
    url = reverse("publication:bulletin-feedback", args=[item.release.pk])

    empty = client.post(url, {"text": "  "})
    kept = client.post(url, {"text": "希望多发此类信息"})

    assert empty.status_code == 400 and "请填写反馈内容" in empty.content.decode()
    assert kept.status_code == 302
    assert list(Feedback.objects.values_list("author__username", "text")) == [("employee", "希望多发此类信息")]
    assert "希望多发此类信息" in client.get(reverse("publication:bulletin-detail", args=[item.release.pk])).content.decode()


def test_feedback_on_an_item_not_on_the_bulletin_is_404(client, org, publish, wechat):
    item = publish()
    release.record_release(actor=org["secretary"], item=item, channel=wechat)
    client.force_login(org["employee"])

    assert client.post(reverse("publication:bulletin-feedback", args=[item.release.pk]), {"text": "x"}).status_code == 404


def _released_correction(org, original, bulletin_channel, news, kind="correction"):
    correction = corrections.create_correction(actor=org["officer_market"], original=original, kind=kind,
                                               subject="关于满意度调查的更正", summary="满意度应为百分之九十。")
    item = submit_item(item=correction.item, actor=org["officer_market"])
    item = drive(item, org)
    release.record_release(actor=org["secretary"], item=item, channel=bulletin_channel, category=news)
    return Correction.objects.select_related("item__release").get(pk=correction.pk)


def test_a_correction_is_shown_on_both_items(client, org, on_bulletin, bulletin_channel, news):
    original = on_bulletin()
    correction = _released_correction(org, original, bulletin_channel, news)
    client.force_login(org["employee"])

    on_original = client.get(reverse("publication:bulletin-detail", args=[original.release.pk])).content.decode()
    on_correction = client.get(reverse("publication:bulletin-detail", args=[correction.item.release.pk])).content.decode()
    listing = client.get(reverse("publication:bulletin")).content.decode()

    assert "本信息已更正" in on_original and "满意度应为百分之九十。" in on_original
    assert "本信息为更正，原信息" in on_correction and original.subject in on_correction
    assert "有更正或撤回" in listing
    client.force_login(org["officer_market"])
    item_page = client.get(reverse("infoflow:item-detail", args=[original.pk])).content.decode()
    correction_page = client.get(reverse("infoflow:item-detail", args=[correction.item_id])).content.decode()
    assert "本信息已登记更正" in item_page and correction.item.subject in item_page
    assert "本信息是对以下信息的更正" in correction_page and original.subject in correction_page


def test_a_correction_in_draft_puts_no_notice_on_the_bulletin(client, org, on_bulletin):
    original = on_bulletin()
    corrections.create_correction(actor=org["secretary"], original=original, kind="retraction",
                                  subject="撤回声明", summary="该信息撤回。")
    client.force_login(org["employee"])

    assert "本信息已撤回" not in client.get(
        reverse("publication:bulletin-detail", args=[original.release.pk])).content.decode()


def test_only_a_released_item_is_corrected_and_retracted_once(org, publish, on_bulletin):
    with pytest.raises(StateConflict):
        corrections.create_correction(actor=org["secretary"], original=publish(), kind="correction",
                                      subject="更正", summary="")
    original = on_bulletin()
    corrections.create_correction(actor=org["secretary"], original=original, kind="retraction",
                                  subject="撤回", summary="")
    with pytest.raises(StateConflict):
        corrections.create_correction(actor=org["secretary"], original=original, kind="retraction",
                                      subject="再撤回", summary="")


def test_the_archived_record_is_not_changed_and_shows_the_link(org, on_bulletin):
    original = on_bulletin()
    correction = corrections.create_correction(actor=org["secretary"], original=original, kind="correction",
                                               subject="更正说明", summary="更正内容")

    request = RequestFactory().get("/")
    request.user = org["officer_market"]
    shown = record_corrections({"request": request}, ArchivedRecord(item=original))["corrections"]
    assert [c.pk for c in shown] == [correction.pk]
    assert not corrections_of_record(ArchivedRecord(item=original), org["employee"]).exists()

"""Pages of the bulletin: who sees drafts and published issues, editing
through the pages with the input kept, the confirm steps, the adoption
page, and the monthly summary page and workbook (fixed query counts)."""
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory

from briefs.models import Adoption, BulletinIssue
from briefs.services import issues as services
from publication.models import Channel, Release, ReleaseRecord
from publication.services.feedback import leave_feedback
from tests.briefs.conftest import NOW, TZ, make_item
from tests.datacalls.test_workbook import NO_LIBREOFFICE, libreoffice_convert

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(filled, secretary):
    with time_machine.travel(NOW, tick=False):
        return services.publish_issue(issue=filled, actor=secretary)


def test_a_draft_is_a_404_for_everyone_but_the_secretariat(client, filled, employee, officer_market, secretary):
    for user in (employee, officer_market):
        client.force_login(user)
        assert client.get("/briefs/%d/" % filled.pk).status_code == 404
        assert client.get("/briefs/%d/issue.docx" % filled.pk).status_code == 404
        assert filled.title + " （发布时编号）" not in client.get("/briefs/").content.decode()
    client.force_login(secretary)
    assert client.get("/briefs/%d/" % filled.pk).status_code == 200


def test_a_published_issue_is_read_by_all_staff(client, published, employee):
    client.force_login(employee)

    page = client.get("/briefs/%d/" % published.pk).content.decode()

    assert "2026年第1期" in page and "市场部签约三家新客户" in page
    assert "编入" not in page and "/publish" not in page  # no editing controls
    assert "2026年第1期" in client.get("/briefs/").content.decode()


def test_compiling_through_the_pages(client, draft, adopted, secretary):
    client.force_login(secretary)

    page = client.get("/briefs/%d/?q=%s" % (draft.pk, adopted[1].number)).content.decode()
    assert adopted[1].subject in page and adopted[0].subject not in page
    for item in adopted:
        client.post("/briefs/%d/add" % draft.pk, {"item": item.pk})
    entry = draft.entries.get(item=adopted[2])
    client.post("/briefs/entries/%d/move" % entry.pk, {"dir": "up"})
    response = client.post("/briefs/entries/%d/edit/" % entry.pk, {"title": "新标题", "text": "新正文"})

    assert response.status_code == 302
    assert list(draft.entries.order_by("position").values_list("title", flat=True)) == [
        adopted[0].subject, "新标题", adopted[1].subject]


def test_an_empty_text_keeps_what_was_typed(client, filled, secretary):
    client.force_login(secretary)
    entry = filled.entries.first()

    response = client.post("/briefs/entries/%d/edit/" % entry.pk, {"title": "保留的标题", "text": " "})

    assert response.status_code == 200
    assert "保留的标题" in response.content.decode()
    entry.refresh_from_db()
    assert entry.title != "保留的标题"


def test_publishing_and_removing_ask_first(client, filled, secretary):
    client.force_login(secretary)
    entry = filled.entries.first()

    assert "不能再修改" in client.get("/briefs/%d/publish" % filled.pk).content.decode()
    assert "移出" in client.get("/briefs/entries/%d/remove" % entry.pk).content.decode()
    filled.refresh_from_db()
    assert filled.is_draft and filled.entries.count() == 3

    client.post("/briefs/%d/publish" % filled.pk)
    filled.refresh_from_db()
    assert filled.number == 1


def test_an_outsider_cannot_add_or_publish(client, filled, adopted, officer_market):
    client.force_login(officer_market)

    assert client.post("/briefs/%d/publish" % filled.pk).status_code == 404
    assert client.post("/briefs/%d/add" % filled.pk, {"item": adopted[0].pk}).status_code == 404
    assert client.get("/briefs/new/").status_code == 403
    assert client.get("/briefs/adoptions/").status_code == 403


def test_recording_adoption_by_number(client, adopted, secretary):
    client.force_login(secretary)

    response = client.post("/briefs/adoptions/", {"number": adopted[0].number, "level": "publication", "note": "省报"})
    missing = client.post("/briefs/adoptions/", {"number": "NX-0000-000", "level": "department", "note": "打错了"})

    assert response.status_code == 302
    assert Adoption.objects.get(item=adopted[0]).level == "publication"
    assert "找不到编号" in missing.content.decode() and "打错了" in missing.content.decode()
    assert adopted[0].number in client.get("/briefs/adoptions/?level=publication").content.decode()


def _release(item, channel, secretary, at, views):
    release, _created = Release.objects.get_or_create(item=item, defaults={"created_by": secretary,
                                                                          "first_released_at": at})
    return ReleaseRecord.objects.create(release=release, channel=channel, channel_name=channel.name,
                                        channel_kind=channel.kind, released_by=secretary, released_at=at, views=views)


@pytest.fixture
def month_of_releases(adopted, secretary, employee, market, officer_market):
    intranet = Channel.objects.get(code="intranet")
    wechat = Channel.objects.get(code="wechat_oa")
    at = dt.datetime(2026, 3, 12, 10, tzinfo=TZ)
    _release(adopted[0], intranet, secretary, at, 40)
    _release(adopted[0], wechat, secretary, at, 200)
    _release(adopted[1], intranet, secretary, at, 15)
    _release(adopted[2], intranet, secretary, dt.datetime(2026, 4, 1, 9, tzinfo=TZ), 5)  # next month
    leave_feedback(actor=employee, release=adopted[0].release, text="好")
    Adoption.objects.create(item=adopted[0], level="publication", recorded_by=secretary,
                            recorded_at=dt.datetime(2026, 3, 20, 10, tzinfo=TZ))
    return adopted


def test_summary_counts_per_channel_department_and_adoption(client, month_of_releases, secretary):
    client.force_login(secretary)

    with time_machine.travel(NOW, tick=False):
        response = client.get("/briefs/summary/?month=2026-03")

    s = response.context["s"]
    intranet = Channel.objects.get(code="intranet").name
    assert {c["name"]: (c["records"], c["views"]) for c in s["channels"]} == {intranet: (2, 55), "微信公众号": (1, 200)}
    by_unit = {d["unit"]: d for d in s["departments"]}
    assert (by_unit["市场部"]["released"], by_unit["市场部"]["feedback"], by_unit["市场部"]["publication"]) == (1, 0, 1)
    assert by_unit["生产部"]["released"] == 1
    assert s["adoption"]["total"] == 1 and s["totals"]["released"] == 2
    assert s["releases"][0]["number"] == month_of_releases[0].number and s["releases"][0]["views"] == 240


def test_summary_page_queries_do_not_grow_with_releases(client, month_of_releases, secretary, market,
                                                        officer_market, django_assert_max_num_queries):
    client.force_login(secretary)
    client.get("/briefs/summary/?month=2026-03")
    with django_assert_max_num_queries(12) as few:
        client.get("/briefs/summary/?month=2026-03")
    intranet = Channel.objects.get(code="intranet")
    for n in range(12):
        item = make_item(market, officer_market, "更多信息%d" % n)
        _release(item, intranet, secretary, dt.datetime(2026, 3, 15, 10, tzinfo=TZ), n)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/briefs/summary/?month=2026-03")

    assert len(response.context["s"]["releases"]) == 14


def test_summary_workbook_has_the_pages_numbers_and_keeps_text_as_text(client, month_of_releases, secretary):
    item = month_of_releases[1]
    item.subject = "=HYPERLINK(\"http://x\")"
    item.save(update_fields=["subject"])
    client.force_login(secretary)

    response = client.get("/briefs/summary.xlsx?month=2026-03")

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["发布渠道", "部门", "发布明细", "简报"]
    rows = list(book["发布渠道"].iter_rows(values_only=True))
    assert (Channel.objects.get(code="intranet").name, 2, 55) in rows and ("微信公众号", 1, 200) in rows
    detail = list(book["发布明细"].iter_rows(values_only=True))
    assert any(r[1] == "=HYPERLINK(\"http://x\")" for r in detail)
    assert book["发布明细"]["B3"].data_type == "s" or all(
        c.data_type == "s" for row in book["发布明细"].iter_rows() for c in row if c.value == item.subject)


@NO_LIBREOFFICE
def test_libreoffice_opens_the_summary_workbook(client, month_of_releases, secretary, tmp_path):
    client.force_login(secretary)
    path = tmp_path / "summary.xlsx"
    path.write_bytes(client.get("/briefs/summary.xlsx?month=2026-03").content)

    libreoffice_convert(path, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)

    text = (tmp_path / "summary.csv").read_text(encoding="utf-8")
    assert "%s,2,55" % Channel.objects.get(code="intranet").name in text and "微信公众号,1,200" in text


@pytest.mark.parametrize("who", ["employee", "officer_market", "head_market"])
def test_summary_is_for_the_secretariat_and_leaders(client, request, who, market, leader):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/briefs/summary/").status_code == 403
    assert client.get("/briefs/summary.xlsx").status_code == 403
    client.force_login(leader)
    assert client.get("/briefs/summary/").status_code == 200


def test_list_queries_do_not_grow_with_issues(client, secretary, adopted, django_assert_max_num_queries):
    client.force_login(secretary)
    services.create_issue(actor=secretary, period="2026-01")
    client.get("/briefs/")
    for month in range(2, 12):
        issue = services.create_issue(actor=secretary, period="2026-%02d" % month)
        services.add_item(issue=issue, item=adopted[0], actor=secretary)

    with django_assert_max_num_queries(12):
        response = client.get("/briefs/")

    assert len(response.context["page"]) == 11


def test_the_bulletin_block_lists_published_issues(client, published, employee):
    request = RequestFactory().get("/bulletin/")
    request.user = employee

    html = Template('{% include "briefs/_bulletin_block.html" %}').render(Context({"request": request}))

    assert "2026年第1期" in html and "/briefs/%d/" % published.pk in html
    assert BulletinIssue.objects.filter(state="published").count() == 1


def test_the_secretariat_reaches_the_bulletin_from_home_and_everyone_from_the_menu(client, secretary, employee):
    client.force_login(secretary)
    home = client.get("/").content.decode()
    assert 'href="/briefs/"' in home and 'href="/briefs/summary/"' in home
    client.force_login(employee)
    home = client.get("/").content.decode()
    assert 'href="/briefs/"' in home and 'href="/briefs/summary/"' not in home

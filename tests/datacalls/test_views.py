"""The pages: list, matrix (fixed queries at 10 and 500 units, own unit
first), answer page (draft, submit, errors in Chinese), secretariat actions,
the consolidated workbook read back with openpyxl, and 404 for others."""
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse

from datacalls import services
from datacalls.models import Answer, ReplacementFlag
from liaison import sweeps
from officers.models import OrgUnit
from tests.datacalls.conftest import TZ, make_call

pytestmark = pytest.mark.django_db
BEFORE_DUE = dt.datetime(2026, 3, 18, 10, 0, tzinfo=TZ)


def test_officer_list_shows_own_unit_task(client, sent, officer_market, market_answer):
    client.force_login(officer_market)

    response = client.get(reverse("datacalls:list"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "季度顾客意见征询" in text
    assert reverse("datacalls:answer", args=[market_answer.pk]) in text
    assert "未填报" in text


def test_list_search_and_outsider_sees_nothing(client, sent, outsider):
    client.force_login(outsider)

    response = client.get(reverse("datacalls:list") + "?q=季度")

    assert "季度顾客意见征询" not in response.content.decode()


def test_officer_matrix_shows_only_own_unit(client, occurrence, officer_market):
    client.force_login(officer_market)

    text = client.get(reverse("datacalls:occurrence", args=[occurrence.pk])).content.decode()

    assert "市场部" in text
    assert "生产部" not in text


def test_secretary_matrix_own_unit_first_and_filters(client, occurrence, secretary, market_answer, officer_market):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})
    client.force_login(secretary)

    out = client.get(reverse("datacalls:occurrence", args=[occurrence.pk]) + "?status=out").content.decode()
    history = client.get(reverse("datacalls:occurrence", args=[occurrence.pk]) + "?unit=%d" % market_answer.unit_id)

    assert "生产部" in out and "市场部" not in out.split("<tbody>")[1].split("</tbody>")[0]
    assert "市场部 的历次报送" in history.content.decode()


def test_outsider_gets_404_everywhere(client, occurrence, market_answer, outsider):
    client.force_login(outsider)

    for name, pk in (("datacalls:occurrence", occurrence.pk), ("datacalls:answer", market_answer.pk),
                     ("datacalls:workbook", occurrence.pk), ("datacalls:summary", occurrence.pk),
                     ("datacalls:series", occurrence.call_id)):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_officer_of_other_unit_gets_404_for_answer(client, market_answer, officer_prod):
    client.force_login(officer_prod)

    assert client.get(reverse("datacalls:answer", args=[market_answer.pk])).status_code == 404


def test_answer_page_draft_then_submit(client, market_answer, officer_market):
    client.force_login(officer_market)
    url = reverse("datacalls:answer", args=[market_answer.pk])

    with time_machine.travel(BEFORE_DUE, tick=False):
        bad = client.post(url, {"action": "submit", "opinion": "", "amount": "很多"})
        draft = client.post(url, {"action": "draft", "opinion": "初稿", "amount": "１,２００"})
        done = client.post(url, {"action": "submit", "opinion": "终稿", "amount": "1200", "level": "一般"})

    assert bad.status_code == 200
    assert "必填项未填写" in bad.content.decode()
    assert "很多" in bad.content.decode()  # the input is kept
    assert draft.status_code == 302 and done.status_code == 302
    market_answer.refresh_from_db()
    assert market_answer.state == Answer.State.SUBMITTED
    assert market_answer.values == {"opinion": "终稿", "amount": "1200", "level": "一般"}


def test_secretary_returns_and_officer_resubmits_through_pages(client, market_answer, officer_market, secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})
    client.force_login(secretary)
    client.post(reverse("datacalls:answer-return", args=[market_answer.pk]), {"reason": "请补充"})
    client.force_login(officer_market)

    page = client.get(reverse("datacalls:answer", args=[market_answer.pk])).content.decode()
    client.post(reverse("datacalls:answer", args=[market_answer.pk]), {"action": "submit", "opinion": "补充后"})

    assert "请补充" in page
    market_answer.refresh_from_db()
    assert market_answer.state == Answer.State.SUBMITTED


def test_officer_cannot_return_through_the_page(client, market_answer, officer_market):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})
    client.force_login(officer_market)

    response = client.post(reverse("datacalls:answer-return", args=[market_answer.pk]), {"reason": "x"}, follow=True)

    assert "只有秘书处可以管理报送任务。" in response.content.decode()
    market_answer.refresh_from_db()
    assert market_answer.state == Answer.State.SUBMITTED


def test_bulk_remind_button(client, occurrence, secretary):
    client.force_login(secretary)

    response = client.post(reverse("datacalls:remind", args=[occurrence.pk]), {"all": "1"}, follow=True)

    assert "已提醒 2 个单位。" in response.content.decode()


def test_workbook_read_back_one_row_per_unit(client, occurrence, market_answer, officer_market, secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "=1+1", "amount": "12.5"})
    client.force_login(secretary)

    response = client.get(reverse("datacalls:workbook", args=[occurrence.pk]))

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "单位"
    assert [r[0] for r in rows[1:] if r[0]] == ["市场部", "生产部"]
    market_row = rows[1]
    assert "=1+1" in market_row  # text, not a formula
    assert 12.5 in market_row


def test_officer_workbook_holds_only_own_unit(client, occurrence, officer_market):
    client.force_login(officer_market)

    response = client.get(reverse("datacalls:workbook", args=[occurrence.pk]))

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [r[0] for r in book.worksheets[0].iter_rows(min_row=2, values_only=True) if r[0]] == ["市场部"]


def test_summary_page(client, occurrence, market_answer, officer_market, secretary):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x", "amount": "12.5"})
    client.force_login(secretary)

    text = client.get(reverse("datacalls:summary", args=[occurrence.pk])).content.decode()

    assert "销售额" in text and "12.5" in text
    assert "生产部" in text  # missing


def test_secretary_creates_and_sends_call_through_pages(client, secretary, market, officer_market):
    client.force_login(secretary)

    response = client.post(reverse("datacalls:create"), {
        "title": "参检人员名单", "recipients": "selected", "schedule": "once", "due_on": "2026-10-20",
        "anchor": "end", "offset_days": "0", "offset_unit": "days", "due_time": "17:30", "close_after_days": "5",
        "visibility": "secretariat", "two_miss": "series", "units": [market.pk],
        "field_lines": "names | 参检人员 | 表格 | 是 | | name:姓名:文本, dept:岗位:文本\nnote | 备注 | 长文本 | 否",
    })
    call = market.datacalls.get()
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, 0, tzinfo=TZ), tick=False):
        client.post(reverse("datacalls:series-send", args=[call.pk]))

    assert response.status_code == 302
    assert call.fields[0]["type"] == "table" and len(call.fields[0]["columns"]) == 2
    assert call.occurrences.get().due_at == dt.datetime(2026, 10, 20, 17, 30, tzinfo=TZ)


def test_bad_field_lines_are_shown_in_chinese(client, secretary, market):
    client.force_login(secretary)

    response = client.post(reverse("datacalls:create"), {
        "title": "x", "recipients": "selected", "schedule": "once", "due_on": "2026-10-20", "anchor": "end",
        "offset_days": "0", "offset_unit": "days", "due_time": "17:30", "close_after_days": "5",
        "visibility": "secretariat", "two_miss": "series", "field_lines": "a | 甲 | 照片\na | 乙 | 文本",
    })

    text = response.content.decode()
    assert "类型不可用" in text and "重复" in text


def test_officer_may_not_open_the_create_page(client, officer_market):
    client.force_login(officer_market)

    assert client.get(reverse("datacalls:create")).status_code == 403


def test_flags_page_for_head_and_hr_only(client, sent, market, head_market, head_prod, secretary):
    occurrence = sent.occurrences.get()
    ReplacementFlag.objects.create(unit=market, call=sent, first_occurrence=occurrence,
                                   raised_at=dt.datetime(2026, 4, 1, tzinfo=TZ))
    client.force_login(head_market)
    seen_by_head = client.get(reverse("datacalls:flags")).content.decode()
    client.force_login(head_prod)
    seen_by_other = client.get(reverse("datacalls:flags")).content.decode()

    assert "市场部" in seen_by_head
    assert "市场部" not in seen_by_other


def _units(n):
    OrgUnit.objects.bulk_create([OrgUnit(code="u%04d" % i, name="单位%04d" % i, number_prefix="U%d" % i)
                                 for i in range(n)])
    return list(OrgUnit.objects.filter(code__startswith="u"))


@pytest.mark.parametrize("n", [10, 500])
def test_matrix_queries_do_not_grow_with_units(client, secretary, django_assert_max_num_queries, n):
    units = _units(n)
    call = make_call(secretary, units)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    occurrence = call.occurrences.get()
    client.force_login(secretary)
    url = reverse("datacalls:occurrence", args=[occurrence.pk])
    client.get(url)

    with django_assert_max_num_queries(12):
        response = client.get(url)

    assert response.content.decode().count('data-label="单位"') == n


@pytest.mark.parametrize("n", [10, 500])
def test_list_queries_do_not_grow_with_units(client, secretary, django_assert_max_num_queries, n):
    units = _units(n)
    call = make_call(secretary, units)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    client.force_login(secretary)
    client.get(reverse("datacalls:list"))

    with django_assert_max_num_queries(12):
        client.get(reverse("datacalls:list"))


def test_home_card_counts(rf, sent, officer_market, secretary):
    def render(user):
        request = rf.get("/")
        request.user = user
        return Template('{% include "datacalls/_home_cards.html" %}').render(Context({"request": request}))

    with time_machine.travel(dt.datetime(2026, 3, 23, 9, 0, tzinfo=TZ), tick=False):
        officer_card = render(officer_market)
    secretary_card = render(secretary)

    assert "本单位有 1 项报送任务待填报。" in officer_card and "逾期 1" in officer_card
    assert "进行中的报送期次 1 个。" in secretary_card


def test_uploaded_files_download_only_for_those_who_see_the_answer(client, market_answer, officer_market,
                                                                    officer_prod, outsider):
    stored = services.store_file(answer=market_answer, actor=officer_market,
                                 upload=SimpleUploadedFile("名单.pdf", b"%PDF-1.4 list"))
    url = reverse("datacalls:file", args=[stored["id"]])

    client.force_login(officer_market)
    own = client.get(url)
    client.force_login(officer_prod)
    other = client.get(url)
    client.force_login(outsider)
    outside = client.get(url)

    assert own.status_code == 200 and b"".join(own.streaming_content) == b"%PDF-1.4 list"
    assert other.status_code == 404 and outside.status_code == 404


def test_call_attachment_downloads_for_recipients_only(client, secretary, market, officer_market, outsider):
    call = make_call(secretary, [market], attachment=SimpleUploadedFile("说明.pdf", b"%PDF-1.4 notes"))
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    url = reverse("datacalls:series-attachment", args=[call.pk])

    client.force_login(officer_market)
    seen = client.get(url)
    client.force_login(outsider)

    assert seen.status_code == 200
    assert client.get(url).status_code == 404
    assert client.get(reverse("datacalls:series-template", args=[call.pk])).status_code == 404


def test_editing_a_sent_call_lets_the_sweep_find_the_next_period_again(sent, secretary):
    services.update_call(call=sent, actor=secretary, data={"title": "改名后的任务"})

    sent.refresh_from_db()
    assert sent.notice_at is None and sent.title == "改名后的任务"


def test_series_page_edit_and_stop(client, sent, secretary, officer_market):
    client.force_login(secretary)

    page = client.get(reverse("datacalls:series", args=[sent.pk])).content.decode()
    form = client.get(reverse("datacalls:series-edit", args=[sent.pk])).content.decode()
    client.post(reverse("datacalls:series-end", args=[sent.pk]))
    client.force_login(officer_market)
    officer_edit = client.get(reverse("datacalls:series-edit", args=[sent.pk]))

    assert "季度顾客意见征询" in page and sent.occurrences.get().period in page
    assert "opinion | 顾客意见 | longtext | 是" in form
    sent.refresh_from_db()
    assert sent.state == "ended"
    assert officer_edit.status_code == 403


def test_head_reviews_through_the_answer_page(client, secretary, market, officer_market, head_market):
    call = make_call(secretary, [market], head_review=True)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    answer = call.occurrences.get().answers.get()
    services.submit_answer(answer=answer, actor=officer_market, raw={"opinion": "x"})
    client.force_login(head_market)

    page = client.get(reverse("datacalls:answer", args=[answer.pk])).content.decode()
    client.post(reverse("datacalls:answer-approve", args=[answer.pk]))

    assert "审核通过并报送" in page
    answer.refresh_from_db()
    assert answer.state == Answer.State.SUBMITTED


@pytest.mark.parametrize("n", [10, 500])
def test_series_grid_of_units_and_periods_in_fixed_queries(client, secretary, django_assert_max_num_queries, n):
    units = _units(n)
    call = make_call(secretary, units, schedule="monthly", due_on=None, anchor="end", offset_days=-5)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, 0, tzinfo=TZ), tick=False):
        sweeps.run()
    client.force_login(secretary)
    url = reverse("datacalls:series", args=[call.pk])
    client.get(url)

    with django_assert_max_num_queries(12):
        text = client.get(url).content.decode()

    assert "2026-01" in text and "2026-02" in text
    assert text.count('data-label="2026-02"') == n


def test_officer_sees_only_own_row_in_the_series_grid(client, sent, officer_market):
    client.force_login(officer_market)

    text = client.get(reverse("datacalls:series", args=[sent.pk])).content.decode()

    grid = text.split("各单位历次报送")[1]
    assert "市场部" in grid and "生产部" not in grid

"""The organisation's communication log has a menu entry, a period and a
department filter, and every export button names what the file holds
(issue 10, 6.3)."""
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from infoflow.services.chain import submit_item

pytestmark = pytest.mark.django_db


def subjects(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def three_items(org, make_item):
    """Market items submitted on 3 and 20 March, a production item on 10 March."""
    made = {}
    for day, unit, actor, subject in (
        ("2026-03-03 10:00+08:00", org["market"], org["officer_market"], "三月初市场部通知"),
        ("2026-03-10 10:00+08:00", org["prod"], org["officer_prod"], "三月中生产部通知"),
        ("2026-03-20 10:00+08:00", org["market"], org["officer_market"], "三月下旬市场部通知"),
    ):
        with time_machine.travel(day, tick=False):
            item = make_item(subject=subject, kind="routine", unit=unit, actor=actor)
            submit_item(item=item, actor=actor)
        made[subject] = item
    return made


def test_secretariat_menu_links_the_whole_log(client, org):
    client.force_login(org["secretary"])

    page = client.get(reverse("home")).content.decode()

    assert reverse("exports:log-overview") in page
    assert "通信记录" in page


def test_officer_menu_has_no_whole_log_entry(client, org):
    client.force_login(org["officer_market"])

    page = client.get(reverse("home")).content.decode()

    assert reverse("exports:log-overview") not in page


def test_whole_log_page_counts_and_names_every_row(client, org, three_items):
    client.force_login(org["secretary"])

    page = client.get(reverse("exports:log-overview")).content.decode()

    assert "导出全部通信记录（3 条）" in page


def test_period_and_department_filter_narrow_the_log_and_its_file(client, org, three_items):
    client.force_login(org["secretary"])
    query = "?date_from=2026-03-01&date_to=2026-03-15&unit=%s" % org["market"].pk

    page = client.get(reverse("exports:log-overview") + query).content.decode()
    response = client.get(reverse("exports:log") + query)

    assert "导出所选期间和部门的通信记录（1 条）" in page
    assert "发起日期从=2026-03-01" in page
    assert subjects(response) == ["三月初市场部通知"]


def test_an_empty_period_offers_no_export(client, org, three_items):
    client.force_login(org["secretary"])

    page = client.get(reverse("exports:log-overview") + "?date_from=2025-01-01&date_to=2025-01-31").content.decode()

    assert "所选期间和部门没有通信记录，无可导出的内容。" in page
    assert reverse("exports:log") + "?" not in page


def test_my_items_export_button_names_the_tab_and_its_count(client, org, make_item, three_items):
    make_item(subject="一份草稿")
    client.force_login(org["officer_market"])

    waiting = client.get(reverse("infoflow:my-items") + "?tab=waiting").content.decode()
    done = client.get(reverse("infoflow:my-items") + "?tab=done").content.decode()
    drafts = client.get(reverse("infoflow:my-items") + "?tab=drafts").content.decode()

    assert "导出「待传递/待反馈」列表（2 条）" in waiting
    assert "「已办结」列表为空，无可导出" in done
    assert "导出「草稿」列表（1 条）" in drafts


def test_inbox_export_button_says_this_list(client, org):
    client.force_login(org["head_market"])

    page = client.get(reverse("infoflow:review-inbox")).content.decode()

    assert "本页列表为空，无可导出" in page

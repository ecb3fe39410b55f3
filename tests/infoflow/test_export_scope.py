"""The export from a list holds exactly that list's rows (issue 7)."""
import io

import openpyxl
import pytest
from django.urls import reverse

from infoflow.models import Item
from infoflow.services.chain import submit_item

pytestmark = pytest.mark.django_db


def numbers_and_subjects(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_my_items_tab_exports_only_that_tab(client, org, make_item):
    draft = make_item(subject="草稿一份")
    sent = make_item(subject="已提交一份", kind="routine")
    submit_item(item=sent, actor=org["officer_market"])
    client.force_login(org["officer_market"])

    page = client.get(reverse("infoflow:my-items") + "?tab=drafts").content.decode()
    assert "scope=mine%3Adrafts" in page

    response = client.get(reverse("exports:log") + "?scope=mine:drafts")

    assert response.status_code == 200
    assert numbers_and_subjects(response) == [draft.subject]


def test_review_inbox_export_holds_the_inbox_items(client, org, make_item):
    reviewed = make_item(subject="需部门负责人审核", kind="coordination", needs_coordination=True)
    submit_item(item=reviewed, actor=org["officer_market"])
    other = make_item(subject="与负责人无关的草稿")
    client.force_login(org["head_market"])

    response = client.get(reverse("exports:log") + "?scope=reviews")

    assert numbers_and_subjects(response) == [reviewed.subject]
    assert Item.objects.filter(pk=other.pk).exists()


def test_unknown_scope_falls_back_to_what_the_user_may_see(client, org, make_item):
    make_item(subject="市场部草稿")
    client.force_login(org["outsider"])

    response = client.get(reverse("exports:log") + "?scope=mine:everything")

    assert numbers_and_subjects(response) == []

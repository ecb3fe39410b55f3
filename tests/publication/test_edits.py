"""Reviewers' edits kept as diffs (issue 16 item 1): who may edit at which
stage, what is kept, the submitter told, the diff in the timeline and in the
archived snapshot."""
import pytest
from django.urls import reverse

from archive import snapshot
from infoflow.models import Attachment, Item
from infoflow.services import drafting
from infoflow.services.chain import open_step, submit_item, take_step
from liaison.errors import NotAllowed
from liaison.models import Notification
from publication.diffs import plain_diff, text_diff
from publication.models import ItemEdit
from tests.infoflow.conftest import pdf_upload
from tests.publication.conftest import drive

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_initial_review(org, make_item, frozen):
    """A publication taken by the secretary at the initial review (a "may edit" stage)."""
    item = submit_item(item=make_item(kind="publication", release_channels=["intranet"],
                                      subject="市场部召开客户座谈会", summary="会议于三月八日召开，到会客户二十家。"),
                       actor=org["officer_market"])
    take_step(step=open_step(item), actor=org["secretary"])
    item.refresh_from_db()
    return item


def test_the_initial_reviewer_edits_and_each_change_is_kept(org, at_initial_review):
    drafting.update_item(item=at_initial_review, actor=org["secretary"],
                         fields={"subject": "市场部召开重点客户座谈会", "summary": "会议于三月八日召开，到会重点客户二十二家。"})

    edits = list(ItemEdit.objects.filter(item=at_initial_review).order_by("field"))
    assert [(e.field, e.before, e.after, e.edited_by, e.stage_name) for e in edits] == [
        ("subject", "市场部召开客户座谈会", "市场部召开重点客户座谈会", org["secretary"], "秘书处初审"),
        ("summary", "会议于三月八日召开，到会客户二十家。", "会议于三月八日召开，到会重点客户二十二家。", org["secretary"], "秘书处初审"),
    ]


def test_the_submitter_is_told_of_the_edit(org, at_initial_review):
    drafting.update_item(item=at_initial_review, actor=org["secretary"], fields={"summary": "改写后的摘要。"})

    notice = Notification.objects.get(recipient=org["officer_market"], key__startswith="publication:edit:")
    assert "内容摘要" in notice.body and "周秘书" in notice.body
    assert not Notification.objects.filter(recipient=org["secretary"], key__startswith="publication:edit:").exists()


def test_an_unchanged_save_keeps_no_edit_and_tells_nobody(org, at_initial_review):
    drafting.update_item(item=at_initial_review, actor=org["secretary"],
                         fields={"subject": at_initial_review.subject, "summary": at_initial_review.summary})

    assert not ItemEdit.objects.exists()
    assert not Notification.objects.filter(key__startswith="publication:edit:").exists()


def test_the_head_at_a_stage_without_the_edit_right_may_not_edit(org, at_initial_review):
    item = drive(at_initial_review, org, until_stage="部门负责人")
    assert open_step(item).name == "部门负责人"

    with pytest.raises(NotAllowed):
        drafting.update_item(item=item, actor=org["head_market"], fields={"summary": "负责人想改"})
    with pytest.raises(NotAllowed):
        drafting.update_item(item=item, actor=org["secretary"], fields={"summary": "初审已过，不能再改"})
    assert not ItemEdit.objects.exists()


def test_the_submitter_may_not_edit_during_review(org, at_initial_review):
    with pytest.raises(NotAllowed):
        drafting.update_item(item=at_initial_review, actor=org["officer_market"], fields={"summary": "自己改"})


def test_a_draft_edited_by_its_author_is_not_a_reviewer_edit(org, make_item, frozen):
    item = make_item(kind="publication")
    drafting.update_item(item=item, actor=org["officer_market"], fields={"summary": "草稿阶段修改"})

    assert not ItemEdit.objects.exists()


def test_attachments_added_and_removed_by_the_reviewer_are_kept(org, at_initial_review):
    added = drafting.add_attachment(item=at_initial_review, actor=org["secretary"], upload=pdf_upload("新闻稿.pdf"))
    drafting.remove_attachment(attachment=added, actor=org["secretary"])

    assert list(ItemEdit.objects.order_by("pk").values_list("field", "before", "after")) == [
        ("attachment_added", "", "新闻稿.pdf"), ("attachment_removed", "新闻稿.pdf", ""),
    ]
    assert not Attachment.objects.filter(pk=added.pk).exists()


def test_the_submitter_may_not_remove_an_attachment_during_review(org, at_initial_review):
    attachment = drafting.add_attachment(item=at_initial_review, actor=org["secretary"], upload=pdf_upload())

    with pytest.raises(NotAllowed):
        drafting.remove_attachment(attachment=attachment, actor=org["officer_market"])


def test_the_timeline_shows_the_edit_as_a_diff(client, org, at_initial_review):
    drafting.update_item(item=at_initial_review, actor=org["secretary"],
                         fields={"summary": "会议于三月八日召开，到会重点客户二十家。"})
    client.force_login(org["officer_market"])

    page = client.get(reverse("infoflow:item-detail", args=[at_initial_review.pk])).content.decode()

    assert "审核中修改文稿" in page
    assert "<ins>重点</ins>" in page


def test_the_diff_runs_read_in_order():
    assert text_diff("到会客户二十家", "到会重点客户二十二家") == [
        {"op": "equal", "text": "到会"}, {"op": "insert", "text": "重点"}, {"op": "equal", "text": "客户二十"},
        {"op": "insert", "text": "二"}, {"op": "equal", "text": "家"},
    ]
    assert plain_diff("甲乙", "甲丙") == "甲[-乙-]{+丙+}"


def test_the_archived_snapshot_has_the_final_text_and_the_diffs(org, at_initial_review):
    drafting.update_item(item=at_initial_review, actor=org["secretary"], fields={"summary": "最终文本。"})
    item = Item.objects.prefetch_related(*snapshot.related()).get(pk=at_initial_review.pk)

    data = snapshot.build(item, [])

    assert data["item"]["summary"] == "最终文本。"
    assert data["edits"][0]["field"] == "summary"
    assert data["edits"][0]["diff"] == "[-会议于三月八日召开，到会客户二十家-]{+最终文本+}。"
    assert data["edits"][0]["edited_by_label"] == "周秘书"

"""One form submission is one item (issue 10 §6.1): a form with an error
saves nothing, marks the field, and keeps the uploaded files for the
corrected submission — new item, 收文 registration and (officers) the filing
proof. Also the text limits and the upload checks the forms now run."""
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from infoflow.models import Attachment, Item
from liaison.uploads import SESSION_KEY
from tests.factories import ExternalUnitFactory
from tests.infoflow.conftest import pdf_upload
from tests.infoflow.test_views import form_data

pytestmark = pytest.mark.django_db


def kept_tokens(response):
    return re.findall(r'name="pending_files" value="([0-9a-f]{32})"', response.content.decode())


def field_errors(response, name):
    return response.context["form"].errors.get(name, [])


# --- new item -----------------------------------------------------------------------


def test_submit_without_feedback_time_saves_nothing_marks_the_field_and_keeps_the_file(client, org):
    client.force_login(org["officer_market"])

    response = client.post(
        reverse("infoflow:item-create"),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("函件.pdf")]},
    )

    assert response.status_code == 200
    assert not Item.objects.exists() and not Attachment.objects.exists()
    assert field_errors(response, "expected_feedback_at") == ["需要反馈的信息提交时须填写预计反馈时间（具体日期和时间）。"]
    text = response.content.decode()
    assert "函件.pdf" in text and len(kept_tokens(response)) == 1
    assert 'checked' in text.split(kept_tokens(response)[0])[1][:40]
    assert "尚未保存：请修改下面标出的项目后重新提交。已上传的文件已保留。" in text


def test_the_corrected_submit_creates_one_item_with_the_kept_file(client, org):
    client.force_login(org["officer_market"])
    first = client.post(
        reverse("infoflow:item-create"),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("函件.pdf")]},
    )
    token = kept_tokens(first)[0]

    client.post(reverse("infoflow:item-create"), {**form_data(org), "submit": "1", "pending_files": [token]})

    item = Item.objects.get()
    assert item.state == Item.State.IN_REVIEW and item.number
    assert [a.original_name for a in item.attachments.all()] == ["函件.pdf"]
    assert item.attachments.get().file.read().startswith(b"%PDF")
    assert client.session[SESSION_KEY] == {}


def test_unticking_a_kept_file_leaves_it_out(client, org):
    client.force_login(org["officer_market"])
    client.post(
        reverse("infoflow:item-create"),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("旧.pdf")]},
    )

    client.post(reverse("infoflow:item-create"), {**form_data(org), "submit": "1", "files": [pdf_upload("新.pdf")]})

    assert [a.original_name for a in Item.objects.get().attachments.all()] == ["新.pdf"]


def test_a_token_from_another_session_is_not_accepted(client, org):
    other = client.__class__()
    other.force_login(org["officer_market"])
    first = other.post(
        reverse("infoflow:item-create"),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("别人的.pdf")]},
    )
    token = kept_tokens(first)[0]
    client.force_login(org["officer_market"])

    client.post(reverse("infoflow:item-create"), {**form_data(org), "submit": "1", "pending_files": [token]})

    assert not Item.objects.get().attachments.exists()


def test_a_submission_refused_by_the_service_leaves_no_draft(client, org, monkeypatch):
    from infoflow.services import chain
    from liaison.errors import InvalidInput

    def refuse(**kwargs):
        raise InvalidInput("本部门尚未设置负责人，无法提交审核。")

    monkeypatch.setattr(chain, "submit_item", refuse)
    client.force_login(org["officer_market"])

    response = client.post(
        reverse("infoflow:item-create"), {**form_data(org), "submit": "1", "files": [pdf_upload("函件.pdf")]}
    )

    assert response.status_code == 200
    assert "本部门尚未设置负责人" in response.content.decode()
    assert not Item.objects.exists() and not Attachment.objects.exists()
    assert len(kept_tokens(response)) == 1


def test_editing_a_draft_with_an_error_keeps_the_same_draft_and_the_file(client, org):
    client.force_login(org["officer_market"])
    client.post(reverse("infoflow:item-create"), form_data(org, expected_feedback_at=""))  # a draft, no time yet
    draft = Item.objects.get()

    response = client.post(
        reverse("infoflow:item-edit", args=[draft.pk]),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("补充.pdf")]},
    )
    token = kept_tokens(response)[0]
    client.post(
        reverse("infoflow:item-edit", args=[draft.pk]), {**form_data(org), "submit": "1", "pending_files": [token]}
    )

    assert field_errors(response, "expected_feedback_at")
    assert Item.objects.count() == 1
    draft.refresh_from_db()
    assert draft.state == Item.State.IN_REVIEW
    assert [a.original_name for a in draft.attachments.all()] == ["补充.pdf"]


def test_the_route_preview_button_keeps_the_file(client, org):
    client.force_login(org["officer_market"])

    response = client.post(
        reverse("infoflow:item-create"), {**form_data(org), "preview": "1", "files": [pdf_upload("函件.pdf")]}
    )

    assert len(kept_tokens(response)) == 1 and not Item.objects.exists()


def test_a_refused_file_marks_the_field_and_keeps_the_good_one(client, org):
    client.force_login(org["officer_market"])

    response = client.post(
        reverse("infoflow:item-create"),
        {**form_data(org), "submit": "1", "files": [pdf_upload("好.pdf"), SimpleUploadedFile("空.pdf", b"")]},
    )

    assert field_errors(response, "files") == ["文件“空.pdf”是空文件（0 字节），请检查后重新选择。"]
    assert not Item.objects.exists()
    assert "好.pdf" in response.content.decode() and len(kept_tokens(response)) == 1


# --- text limits --------------------------------------------------------------------


def test_a_summary_over_its_limit_is_refused_with_the_limit_named(client, org):
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:item-create"), {**form_data(org, summary="长" * 5001), "submit": "1"})

    assert field_errors(response, "summary") == ["“内容摘要”最多 5000 字，现有 5001 字，请精简后再提交。"]
    assert not Item.objects.exists()


def test_the_form_states_each_text_limit(client, org):
    client.force_login(org["officer_market"])

    text = client.get(reverse("infoflow:item-create")).content.decode()

    assert 'maxlength="5000"' in text and "最多 5000 字。" in text
    assert 'maxlength="200"' in text and 'maxlength="1000"' in text


@pytest.mark.parametrize(
    "form_name, field, limit",
    [("OpinionForm", "opinion", 2000), ("TransmitForm", "note", 1000), ("TransmitForm", "written_record", 2000),
     ("QuestionForm", "text", 2000), ("ReplyForm", "reply", 5000), ("AnswerForm", "result", 5000),
     ("AnswerForm", "next_steps", 2000), ("ProgressForm", "text", 2000), ("CancelForm", "reason", 500),
     ("IncomingForm", "summary", 5000), ("IncomingForm", "remarks", 1000)],
)
def test_every_text_field_has_its_limit(form_name, field, limit):
    from infoflow import forms

    form = getattr(forms, form_name)(data={field: "字" * (limit + 1)})
    form.is_valid()

    assert form.fields[field].widget.attrs["maxlength"] == str(limit)
    assert any(("最多 %s 字" % limit) in e for e in form.errors[field])


def test_a_too_long_progress_note_says_so(client, org, make_item):
    item = make_item()
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:progress", args=[item.pk]), {"text": "进" * 2001}, follow=True)

    assert "“进展”最多 2000 字，现有 2001 字" in response.content.decode()


# --- 收文 ---------------------------------------------------------------------------


def incoming_data(org, **extra):
    source = ExternalUnitFactory(name="市发展改革委", kind="regulator")
    data = {
        "source_unit": source.pk, "source_reference": "发改〔2026〕12号", "received_at": "2026-01-05T09:00",
        "subject": "关于报送年度计划的通知", "summary": "请于月底前报送。", "urgency": "normal",
        "confidentiality": "internal", "needs_answer": "on", "expected_feedback_at": "2099-01-31T17:00",
        "units": [org["market"].pk],
    }
    data.update(extra)
    return data


def test_incoming_with_an_error_keeps_the_scan_and_registers_once(client, org):
    org["secretary"].profile.unit = org["finance"]
    org["secretary"].profile.save()
    client.force_login(org["secretary"])

    first = client.post(
        reverse("infoflow:incoming-create"),
        {**incoming_data(org, received_at="2099-01-01T09:00"), "files": [pdf_upload("来文扫描.pdf")]},
    )
    token = kept_tokens(first)[0]
    client.post(reverse("infoflow:incoming-create"), {**incoming_data(org), "pending_files": [token]})

    assert field_errors(first, "received_at") == ["收文时间不能晚于当前时间。"]
    assert "来文扫描.pdf" in first.content.decode()
    item = Item.objects.get()
    assert [a.original_name for a in item.attachments.all()] == ["来文扫描.pdf"]


# --- uploads ------------------------------------------------------------------------


def docx_bytes(extra_size=0, packed=True):
    buffer = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if packed else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if extra_size:
            archive.writestr("word/media/blank.bin", b"\0" * extra_size)
    return buffer.getvalue()


def test_a_docx_that_unpacks_beyond_the_limit_is_refused(settings):
    from infoflow.files import inspect_upload
    from liaison.errors import AttachmentRejected

    settings.ATTACHMENT_MAX_UNPACKED_MB = 5
    data = docx_bytes(extra_size=6 * 1024 * 1024)
    assert len(data) < 100 * 1024  # a few KB packed

    with pytest.raises(AttachmentRejected) as caught:
        inspect_upload(SimpleUploadedFile("报告.docx", data))

    assert caught.value.message.startswith("文件“报告.docx”解压后约 6 MB，超过 5 MB 的上限")


def test_a_docx_packed_implausibly_tight_is_refused_below_the_limit(settings):
    from infoflow.files import inspect_upload
    from liaison.errors import AttachmentRejected

    settings.ATTACHMENT_MAX_UNPACKED_MB = 200
    data = docx_bytes(extra_size=50 * 1024 * 1024)  # 50 MB of zeros pack to ~50 KB: 1000 to 1

    with pytest.raises(AttachmentRejected):
        inspect_upload(SimpleUploadedFile("报告.docx", data))


def test_an_ordinary_docx_passes():
    from infoflow.files import inspect_upload

    info = inspect_upload(SimpleUploadedFile("报告.docx", docx_bytes(extra_size=2 * 1024 * 1024, packed=False)))

    assert info["content_type"].endswith("wordprocessingml.document")


def test_an_empty_upload_on_the_item_page_says_the_file_is_empty(client, org, make_item):
    item = make_item()
    client.force_login(org["officer_market"])

    response = client.post(
        reverse("infoflow:attachment-add", args=[item.pk]), {"files": [SimpleUploadedFile("空.pdf", b"")]}, follow=True
    )

    text = response.content.decode()
    assert "文件“空.pdf”是空文件（0 字节）" in text
    assert "请选择要上传的文件" not in text


def test_no_file_chosen_still_asks_for_one(client, org, make_item):
    item = make_item()
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:attachment-add", args=[item.pk]), {}, follow=True)

    assert "请选择要上传的文件。" in response.content.decode()


# --- transmission evidence and answer files ------------------------------------------


def test_transmit_with_an_error_keeps_the_evidence(client, org, make_item):
    from infoflow.models import Transmission
    from tests.infoflow.portal import approved

    item = approved(make_item, org)
    client.force_login(org["officer_market"])
    url = reverse("infoflow:transmit", args=[item.pk])

    first = client.post(url, {"methods": ["phone"], "evidence": [pdf_upload("回执.pdf")]})  # phone needs a record
    tokens = re.findall(r'name="pending_evidence" value="([0-9a-f]{32})"', first.content.decode())
    client.post(url, {"methods": ["phone"], "written_record": "与王五通话，已告知", "pending_evidence": tokens})

    assert field_errors(first, "written_record") == ["电话传递须补充书面记录。"]
    assert len(tokens) == 1
    transmission = Transmission.objects.get(item=item)
    assert [a.original_name for a in Attachment.objects.filter(transmission=transmission)] == ["回执.pdf"]


def test_the_answer_form_keeps_its_files_on_an_error():
    from infoflow.forms import AnswerForm

    class Session(dict):
        modified = False

    class Request:
        session = Session()

    from liaison.uploads import PendingUploads

    form = AnswerForm(data={"result": ""}, files=_files(pdf_upload("反馈.pdf")), pending=PendingUploads(Request()))

    assert not form.is_valid()
    assert [label for _token, label in form.fields["pending_files"].choices] == ["反馈.pdf（1 KB）"]


def _files(*uploads):
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict({"files": list(uploads)})


def test_kept_files_older_than_a_day_are_cleared_whoever_left_them(client, org, settings):
    import os
    import time

    from django.core.files.storage import default_storage

    stale = default_storage.save("pending/abandoned", io.BytesIO(b"old"))
    old = time.time() - 2 * 24 * 3600
    os.utime(default_storage.path(stale), (old, old))
    client.force_login(org["officer_market"])

    client.post(
        reverse("infoflow:item-create"),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("函件.pdf")]},
    )

    assert not default_storage.exists(stale)
    assert len(default_storage.listdir("pending")[1]) == 1


def test_another_forms_kept_files_are_not_offered(client, org):
    client.force_login(org["officer_market"])
    client.post(
        reverse("infoflow:item-create"),
        {**form_data(org, expected_feedback_at=""), "submit": "1", "files": [pdf_upload("草稿附件.pdf")]},
    )

    response = client.post(reverse("infoflow:item-create"), {**form_data(org, expected_feedback_at=""), "submit": "1"})

    assert "草稿附件.pdf" not in response.content.decode()

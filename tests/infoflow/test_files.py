"""Attachments are checked by content, size and image dimensions, stored under random names."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from infoflow.files import inspect_upload
from infoflow.models import Attachment
from infoflow.services.chain import submit_item
from infoflow.services.drafting import add_attachment, remove_attachment
from liaison.errors import AttachmentRejected, NotAllowed, StateConflict
from tests.infoflow.conftest import pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def upload(name, data):
    return SimpleUploadedFile(name, data)


def ooxml(main="word/document.xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main, "<x/>")
    return buffer.getvalue()


def test_pdf_is_accepted_with_its_hash():
    info = inspect_upload(pdf_upload())

    assert info["content_type"] == "application/pdf"
    assert len(info["sha256"]) == 64 and info["size"] > 0


@pytest.mark.parametrize("name, data, content_type", [
    ("报告.docx", ooxml(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("统计.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("旧文件.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "application/msword"),
    ("说明.txt", "中文说明\n".encode("gb18030"), "text/plain"),
    ("名单.csv", "姓名,电话\n张三,138\n".encode(), "text/csv"),
])
def test_office_and_text_files_are_accepted(name, data, content_type):
    assert inspect_upload(upload(name, data))["content_type"] == content_type


def test_ofd_is_accepted_by_its_zip_content():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")

    assert inspect_upload(upload("公文.ofd", buffer.getvalue()))["content_type"] == "application/ofd"


@pytest.mark.parametrize("name, data", [
    ("合同.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200),  # renamed executable
    ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    ("archive.zip", ooxml()),
    ("报告.docx", ooxml("other/thing.xml")),
    ("notes.txt", b"abc\x00def"),
    ("letter.pdf.exe", b"%PDF-1.4\n%%EOF"),
    ("letter.docx", b"%PDF-1.4\n%%EOF"),
])
def test_content_that_does_not_match_is_refused(name, data):
    with pytest.raises(AttachmentRejected) as error:
        inspect_upload(upload(name, data))

    assert "类型不受支持，或内容与扩展名不符" in error.value.message


def test_small_photos_are_refused():
    with pytest.raises(AttachmentRejected) as error:
        inspect_upload(png_upload(size=(640, 480)))

    assert error.value.message == "图片“photo.png”为 640×480 像素，照片须至少 800×600 像素。"
    assert inspect_upload(png_upload(size=(600, 800)))["content_type"] == "image/png"


def test_empty_and_oversized_files_are_refused(settings):
    settings.ATTACHMENT_MAX_MB = 1
    with pytest.raises(AttachmentRejected) as error:
        inspect_upload(upload("big.txt", b"a" * (1024 * 1024 + 1)))
    assert error.value.message == "文件“big.txt”超过 1 MB 的大小上限。"
    with pytest.raises(AttachmentRejected):
        inspect_upload(upload("empty.txt", b""))


def test_attachment_is_stored_under_a_random_name(org, make_item):
    item = make_item()

    attachment = add_attachment(item=item, actor=org["officer_market"], upload=png_upload("现场照片.png"))

    assert attachment.original_name == "现场照片.png"
    assert "现场照片" not in attachment.file.name and not attachment.file.name.endswith(".png")
    assert attachment.file.storage.exists(attachment.file.name)
    assert attachment.history.first().history_user == org["officer_market"]


def test_attachment_wrong_user_and_wrong_state(org, make_item, frozen):
    item = make_item()
    with pytest.raises(NotAllowed):
        add_attachment(item=item, actor=org["officer_prod"], upload=pdf_upload())
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload())
    with pytest.raises(NotAllowed):
        remove_attachment(attachment=attachment, actor=org["officer_prod"])

    submit_item(item=item, actor=org["officer_market"])

    with pytest.raises(StateConflict):
        add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload())
    with pytest.raises(StateConflict):
        remove_attachment(attachment=attachment, actor=org["officer_market"])


def test_remove_attachment_from_a_draft(org, make_item, django_capture_on_commit_callbacks):
    item = make_item()
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload())
    stored = attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        remove_attachment(attachment=attachment, actor=org["officer_market"])

    assert not Attachment.objects.exists()
    assert not attachment.file.storage.exists(stored)

"""Previews of attachments and the printed form (issue 15 §7, §8).

Inline only for real PDFs and images — whatever the file is called — with
nosniff and a safe type; a watermark for internal and restricted items; the
printed form and its PDF carry every opinion; an item the user may not see is
a 404 on every one of these URLs.
"""
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from infoflow.models import Attachment
from infoflow.services.chain import approve_step, return_step, submit_item
from infoflow.services.drafting import add_attachment
from liaison import pdf as pdf_module
from liaison.pdf import html_to_pdf
from tests.infoflow.conftest import png_upload

pytestmark = pytest.mark.django_db

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def real_pdf(text="附件正文 contract"):
    return html_to_pdf("<html><body style='font-family:\"Noto Sans CJK SC\"'><p>%s</p></body></html>" % text)


def store(item, actor, name, data, content_type="application/pdf"):
    """A stored attachment with the given bytes (bypassing the upload check, as a legacy or
    tampered file would be): the preview must judge the bytes itself."""
    attachment = Attachment(item=item, original_name=name, content_type=content_type, size=len(data),
                            uploaded_by=actor)
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


def preview(client, item, attachment):
    return client.get(reverse("infoflow:attachment-preview", args=[item.pk, attachment.pk]))


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_of_an_internal_item_opens_inline_watermarked(client, org, make_item):
    item = make_item(confidentiality="internal")
    attachment = store(item, org["officer_market"], "合同.pdf", real_pdf())
    client.force_login(org["officer_market"])

    response = preview(client, item, attachment)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content)
    assert "附件正文" in text
    assert "officer_market" in text and "示范有限公司" in text  # organisation, user (and time) on the page


def test_pdf_of_a_public_item_opens_inline_unchanged(client, org, make_item):
    item = make_item(confidentiality="public")
    data = real_pdf()
    attachment = store(item, org["officer_market"], "a.pdf", data)
    client.force_login(org["officer_market"])

    response = preview(client, item, attachment)

    assert response["Content-Disposition"].startswith("inline")
    assert response.content == data


def test_image_opens_inline_reencoded_with_a_watermark_when_restricted(client, org, make_item):
    item = make_item(confidentiality="restricted", direction="external")
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=png_upload())
    client.force_login(org["officer_market"])

    response = preview(client, item, attachment)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(response.content)).convert("L")
    assert image.getextrema()[0] < 250  # the all-white upload now has grey watermark text on it


def test_image_of_a_public_item_has_no_watermark(client, org, make_item):
    item = make_item(confidentiality="public")
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=png_upload())
    client.force_login(org["officer_market"])

    response = preview(client, item, attachment)

    assert Image.open(io.BytesIO(response.content)).convert("L").getextrema() == (255, 255)


@pytest.mark.parametrize("name,data,content_type", [
    ("page.html", HTML, "text/html"),
    ("drawing.svg", SVG, "image/svg+xml"),
    ("renamed.pdf", HTML, "application/pdf"),
    ("renamed.png", SVG, "image/png"),
    ("renamed.jpg", HTML + b"\xff\xd8\xff", "image/jpeg"),
    ("report.docx", b"PK\x03\x04" + b"\0" * 64, "application/vnd.openxmlformats-officedocument."
                                                 "wordprocessingml.document"),
    ("notes.txt", "纯文本".encode(), "text/plain"),
])
def test_anything_but_a_real_pdf_or_image_downloads(client, org, make_item, name, data, content_type):
    item = make_item()
    attachment = store(item, org["officer_market"], name, data, content_type)
    client.force_login(org["officer_market"])

    response = preview(client, item, attachment)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == data


def test_pdf_that_cannot_be_watermarked_downloads_instead(client, org, make_item):
    item = make_item(confidentiality="internal")
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = store(item, org["officer_market"], "broken.pdf", broken)
    client.force_login(org["officer_market"])

    response = preview(client, item, attachment)

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"


def reviewed_item(org, make_item):
    """An item returned once and approved twice: three opinions with names and times."""
    item = make_item(direction="external", confidentiality="internal")
    item = submit_item(item=item, actor=org["officer_market"])
    return_step(step=item.steps.get(state="open"), actor=org["head_market"], opinion="请补充交货期限，退回修改。")
    item = submit_item(item=item, actor=org["officer_market"])
    approve_step(step=item.steps.get(state="open"), actor=org["head_market"], opinion="已补充，同意报送。")
    approve_step(step=item.steps.get(state="open"), actor=org["leader"], opinion="同意，请按时反馈客户。")
    item.refresh_from_db()
    return item


OPINIONS = ("请补充交货期限，退回修改。", "已补充，同意报送。", "同意，请按时反馈客户。")


def test_print_page_is_the_form_with_every_opinion(client, org, make_item):
    item = reviewed_item(org, make_item)
    client.force_login(org["officer_market"])

    response = client.get(reverse("infoflow:item-print", args=[item.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for field in ("信息编号", "发起部门", "发起人", "接收部门/单位", "接收人", "信息主题", "内容摘要", "紧急程度",
                  "传递方式", "发起时间", "预计反馈时间", "实际反馈时间", "处理状态", "备注", "归档编号"):
        assert field in html
    for opinion in OPINIONS:
        assert opinion in html
    assert item.number in html


def test_print_pdf_contains_every_opinion_with_name_and_time(client, org, make_item):
    item = reviewed_item(org, make_item)
    client.force_login(org["officer_market"])

    response = client.get(reverse("infoflow:item-print-pdf", args=[item.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.content).replace("\n", "").replace(" ", "")
    for opinion in OPINIONS:
        assert opinion in text
    for assignee in item.steps.get(review_round=2, stage_index=0).assignees.all():
        assert (assignee.user.get_full_name() or assignee.user.username) in text
        assert assignee.decided_at.astimezone().strftime("%Y-%m-%d") in text
    assert item.number in text and item.subject.replace(" ", "") in text


def test_print_pdf_without_a_cjk_font_says_what_to_install(client, org, make_item, monkeypatch):
    item = make_item()
    monkeypatch.setattr(pdf_module, "cjk_font_available", lambda: False)
    client.force_login(org["officer_market"])

    response = client.get(reverse("infoflow:item-print-pdf", args=[item.pk]))

    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()


@pytest.mark.parametrize("name", ["item-print", "item-print-pdf", "attachment-preview"])
def test_someone_who_may_not_see_the_item_gets_404(client, org, make_item, name):
    item = make_item(confidentiality="internal")
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=png_upload())
    args = [item.pk, attachment.pk] if name == "attachment-preview" else [item.pk]
    client.force_login(org["outsider"])

    assert client.get(reverse("infoflow:%s" % name, args=args)).status_code == 404
    client.force_login(org["officer_market"])
    assert client.get(reverse("infoflow:%s" % name, args=args)).status_code == 200


def test_attachment_of_another_item_is_404_in_preview(client, org, make_item):
    item, other = make_item(), make_item(subject="另一条")
    attachment = add_attachment(item=other, actor=org["officer_market"], upload=png_upload())
    client.force_login(org["officer_market"])

    assert preview(client, item, attachment).status_code == 404

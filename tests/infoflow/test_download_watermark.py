"""Watermarked downloads of attachments (issue 18 §4).

The download link of an internal or restricted item's PDF or image carries the
organisation, the user and the time (a PDF stamp, an image overlay); a public
item's files and Office files download byte for byte unchanged.
"""
import io

import pytest
from django.urls import reverse
from PIL import Image, ImageChops
from pypdf import PdfReader

from tests.infoflow.test_print_preview import real_pdf, store

pytestmark = pytest.mark.django_db

DOCX = b"PK\x03\x04" + b"\x00" * 60 + b"word/document.xml"


def download(client, item, attachment):
    return client.get(reverse("infoflow:attachment", args=[item.pk, attachment.pk]))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def png_bytes(size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("level", ["internal", "restricted"])
def test_pdf_download_of_an_internal_or_restricted_item_is_stamped(client, org, make_item, level):
    extra = {"direction": "external"} if level == "restricted" else {}
    item = make_item(confidentiality=level, **extra)
    attachment = store(item, org["officer_market"], "合同.pdf", real_pdf())
    client.force_login(org["officer_market"])

    response = download(client, item, attachment)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body(response))).pages)
    assert "附件正文" in text
    assert "officer_market" in text and "示范有限公司" in text


def test_image_download_of_an_internal_item_carries_an_overlay_at_full_size(client, org, make_item):
    item = make_item(confidentiality="internal")
    original = png_bytes((3000, 2000))
    attachment = store(item, org["officer_market"], "现场.png", original, "image/png")
    client.force_login(org["officer_market"])

    response = download(client, item, attachment)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    marked = Image.open(io.BytesIO(body(response))).convert("RGB")
    plain = Image.open(io.BytesIO(original)).convert("RGB")
    assert marked.size == plain.size  # a download keeps the full size (a preview is shrunk)
    assert ImageChops.difference(marked, plain).getbbox() is not None


def test_public_item_downloads_are_unchanged(client, org, make_item):
    item = make_item(confidentiality="public")
    pdf, png = real_pdf(), png_bytes()
    pdf_attachment = store(item, org["officer_market"], "a.pdf", pdf)
    png_attachment = store(item, org["officer_market"], "b.png", png, "image/png")
    client.force_login(org["officer_market"])

    assert body(download(client, item, pdf_attachment)) == pdf
    assert body(download(client, item, png_attachment)) == png


def test_office_file_of_an_internal_item_downloads_unchanged(client, org, make_item):
    item = make_item(confidentiality="internal")
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    attachment = store(item, org["officer_market"], "方案.docx", DOCX, mime)
    client.force_login(org["officer_market"])

    response = download(client, item, attachment)

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == mime
    assert body(response) == DOCX


def test_a_user_who_may_not_see_the_item_gets_404(client, org, make_item):
    item = make_item(confidentiality="internal")
    attachment = store(item, org["officer_market"], "合同.pdf", real_pdf())
    client.force_login(org["outsider"])

    assert download(client, item, attachment).status_code == 404

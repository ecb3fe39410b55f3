"""Archived files open in the browser by the rules of item previews (issue 15 §7):
a real image inline and watermarked, an HTML file renamed .png downloads; the
download itself is never typed from the file name; a record one may not see is a 404."""
import io

import pytest
from guardian.shortcuts import assign_perm
from PIL import Image

from archive.services import archive_item
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><script>alert(document.cookie)</script>"


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def record(make_item, officer_market):
    item = make_item(subject="限定范围的人事调整", confidentiality="restricted",
                     files=[("photo.png", png()), ("page.png", HTML), ("page.html", HTML)])
    assign_perm("infoflow.view_item", officer_market, item)
    return archive_item(item=item)


def login(client, user):
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def index_of(record, name):
    return record.files.get(original_name=name).index


def test_an_archived_image_opens_inline_with_a_watermark(client, record, officer_market):
    login(client, officer_market)

    response = client.get("/archive/records/%d/files/%d/preview/" % (record.pk, index_of(record, "photo.png")))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(response.content)).convert("L").getextrema()[0] < 250


def test_html_named_png_downloads_and_no_download_is_typed_from_its_name(client, record, officer_market):
    login(client, officer_market)

    preview = client.get("/archive/records/%d/files/%d/preview/" % (record.pk, index_of(record, "page.png")))
    download = client.get("/archive/records/%d/files/%d/" % (record.pk, index_of(record, "page.html")))

    assert preview["Content-Type"] == "application/octet-stream"
    assert preview["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")


def test_a_record_you_may_not_see_is_a_404_in_preview(client, record, head_prod):
    login(client, head_prod)

    assert client.get("/archive/records/%d/files/1/preview/" % record.pk).status_code == 404

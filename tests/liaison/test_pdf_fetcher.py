"""liaison.pdf reads a PDF's resources from this server's disk, never over the network (trial 15)."""
import pytest

from liaison import pdf


def test_static_files_come_from_disk_whatever_the_host():
    got = pdf.static_url_fetcher("http://attacker.example:8080/static/css/print-form.css")
    assert got["mime_type"] == "text/css" and len(got["string"]) > 100


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8000/items/1/",
    "file:///etc/passwd",
    "http://host/static/../../etc/passwd",
    "http://host/static/css/no-such-file.css",
])
def test_anything_else_is_refused(url):
    with pytest.raises(ValueError):
        pdf.static_url_fetcher(url)


@pytest.mark.skipif(not pdf.cjk_font_available() or pdf.weasyprint is None, reason="needs WeasyPrint and a CJK font")
def test_a_pdf_with_an_outside_image_is_still_made():
    html = ('<html><head><link rel="stylesheet" href="/static/css/print-form.css"></head>'
            '<body><p>信息交流记录表</p><img src="http://169.254.169.254/x.png"></body></html>')
    assert pdf.html_to_pdf(html, base_url="http://testserver/").startswith(b"%PDF-")

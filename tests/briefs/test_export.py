"""A bulletin issue from three adopted items exported to PDF and .docx and
read back: the text extracted from each file is compared with the issue."""
import io
import re

import docx
import pytest
import time_machine
from pypdf import PdfReader

from briefs.export import issue_docx, issue_pdf
from briefs.services import issues as services
from tests.briefs.conftest import NOW

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    """Text without whitespace (PDF extraction breaks lines where it likes)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def published(filled, adopted, secretary):
    entry = filled.entries.get(item=adopted[1])
    services.edit_entry(entry=entry, actor=secretary, title="二号线节能改造见成效",
                        text="生产部完成二号线节能改造。\n改造后能耗下降百分之十二。")
    with time_machine.travel(NOW, tick=False):
        return services.publish_issue(issue=filled, actor=secretary)


def expected_lines(issue):
    lines = [issue.title, "2026年第1期", "2026年3月30日", "本期聚焦一季度工作。"]
    for entry in issue.entries.order_by("position"):
        lines += [entry.title, entry.item_number] + [p for p in entry.text.splitlines() if p.strip()]
    return lines


def test_pdf_reads_back_with_the_cover_and_every_entry(published, client, employee):
    client.force_login(employee)

    response = client.get("/briefs/%d/issue.pdf" % published.pk)

    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    for line in expected_lines(published):
        assert squash(line) in text, line
    assert "生产部完成二号线节能改造，能耗下降百分之十二。" not in text  # the item's own text was edited away
    # The download is the sealed PDF kept with the record.
    assert data == published.record.pdf.open("rb").read()


def test_docx_reads_back_with_the_cover_and_every_entry(published, client, employee):
    client.force_login(employee)

    response = client.get("/briefs/%d/issue.docx" % published.pk)

    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    text = squash("\n".join(paragraphs))
    for line in expected_lines(published):
        assert squash(line) in text, line
    titles = [e.title for e in published.entries.order_by("position")]
    assert [p for p in paragraphs if p in titles] == titles  # the body keeps the issue's order


def test_a_draft_prints_without_a_number(filled):
    entries = list(filled.entries.order_by("position"))

    text = squash("".join(p.extract_text() for p in PdfReader(io.BytesIO(issue_pdf(filled, entries))).pages))
    doc_text = squash(" ".join(p.text for p in docx.Document(io.BytesIO(issue_docx(filled, entries))).paragraphs))

    assert "（发布时编号）" in text and "（发布时编号）" in doc_text

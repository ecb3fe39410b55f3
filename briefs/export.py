"""An issue as a document: the print HTML (cover + entries), its PDF through
the shared helper (liaison.pdf.html_to_pdf, WeasyPrint) and a Word file
(.docx, python-docx). A draft prints "（发布时编号）" in place of its number."""
from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from liaison.pdf import PDF_FONT_FAMILY, html_to_pdf

DOCX_FONT = "SimSun"  # 宋体: Word's default CJK font on Chinese Windows; LibreOffice substitutes


def cover_date(issue) -> str:
    day = issue.issue_date or timezone.localdate()
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def issue_html(issue, entries) -> str:
    """The whole print document (cover page, then the entries in order)."""
    return render_to_string("briefs/print.html", {
        "issue": issue, "entries": entries, "cover_date": cover_date(issue), "font_family": PDF_FONT_FAMILY,
    })


def issue_pdf(issue, entries) -> bytes:
    """The issue's PDF bytes. Raises liaison.pdf.PdfUnavailable (no CJK font)."""
    return html_to_pdf(issue_html(issue, entries))


def _font(run, size=None, bold=False, color=None):
    run.font.name = DOCX_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def issue_docx(issue, entries) -> bytes:
    """The issue as a .docx (Word 2007+, opens in WPS and LibreOffice): a cover
    (title in red, number, date, a rule), a page break, then each entry's
    title, source line and paragraphs."""
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(head.add_run(issue.title), size=36, bold=True, color="C00000")
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(issue.number_label), size=16)
    line = doc.add_paragraph()
    _font(line.add_run(_("编印：秘书处")), size=12)
    _font(line.add_run("\t" + cover_date(issue)), size=12)
    _font(doc.add_paragraph().add_run("—" * 30), color="C00000")
    if issue.foreword:
        p = doc.add_paragraph()
        _font(p.add_run(_("编者按：")), size=12, bold=True)
        _font(p.add_run(issue.foreword), size=12)
    contents = doc.add_paragraph()
    _font(contents.add_run(_("本期目录")), size=14, bold=True)
    for entry in entries:
        _font(doc.add_paragraph().add_run("%d. %s" % (entry.position, entry.title)), size=12)
    doc.add_page_break()
    for entry in entries:
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(title.add_run(entry.title), size=16, bold=True)
        source = doc.add_paragraph()
        source.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(source.add_run(_("（%(unit)s　信息编号 %(number)s）") % {"unit": entry.unit_name,
                                                                     "number": entry.item_number}), size=10)
        for paragraph in entry.text.splitlines():
            if paragraph.strip():
                p = doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(24)
                _font(p.add_run(paragraph.strip()), size=12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

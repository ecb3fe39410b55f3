"""The printed form of an item and attachment previews (issue 15 §7, §8).

``item_print`` is the printable page (``/items/<id>/print/``), ``item_print_pdf``
the same page as a PDF (``/items/<id>/print.pdf``, WeasyPrint through
``liaison.pdf``) and ``attachment_preview`` opens a PDF or image attachment in
the browser (``liaison.preview``: inline only for real PDFs and images,
watermarked for internal and restricted items). Each fetches the item through
the visibility selector (``get_item``): an item the user may not see is a 404.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from liaison import preview
from liaison.pdf import PdfUnavailable, html_to_pdf

from ..models import Confidentiality
from ..page_item import page_item
from ..printing import print_context
from ..visibility import record_restricted_view
from .common import get_item

WATERMARKED = (Confidentiality.INTERNAL, Confidentiality.RESTRICTED)


@login_required
@require_GET
def item_print(request, pk):
    """The item as the communication form, styled for paper (and a phone)."""
    item = page_item(request.user, pk)  # get_item's query, compiled once per user's rule
    if item.is_restricted:
        record_restricted_view(request.user, item, request)
    return render(request, "infoflow/item_print.html", {**print_context(item, request.user), "for_pdf": False})


@login_required
@require_GET
def item_print_pdf(request, pk):
    """The printable page as a PDF download; a 503 page saying what to install when no PDF can be made."""
    item = get_item(request, pk)
    if item.is_restricted:
        record_restricted_view(request.user, item, request)
    html = render_to_string("infoflow/item_print.html", {**print_context(item, request.user), "for_pdf": True},
                            request=request)
    try:
        data = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as exc:
        return render(request, "infoflow/print_unavailable.html", {"item": item, "message": exc.message}, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, "%s.pdf" % (item.number or "item-%s" % item.pk))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def attachment_preview(request, pk, attachment_pk):
    """A PDF or image attachment shown in the browser; any other file downloads (liaison.preview)."""
    item = get_item(request, pk)
    attachment = get_object_or_404(item.attachments, pk=attachment_pk)
    if item.is_restricted:
        record_restricted_view(request.user, item, request)
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    mark = preview.watermark_text(request.user) if item.confidentiality in WATERMARKED else None
    return preview.preview_response(data=data, filename=attachment.original_name, mark=mark)

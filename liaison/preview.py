"""Opening an uploaded file in the browser (issue 15 §7), the same rules for every app.

Only two kinds are ever shown inline, and which kind a file is comes from its
bytes, never its name or stored content type: a PDF (starts with ``%PDF-``)
and a raster image Pillow can decode (JPEG, PNG, GIF, TIFF, WebP, BMP). An
image is decoded and written anew as PNG or JPEG, so whatever else the file
carried (an HTML or script tail, EXIF, a polyglot) is gone. Everything else —
HTML, SVG (which can run script), Office files, OFD, text, archives, a PDF
pypdf cannot read while a watermark is due — is sent as an attachment with
``application/octet-stream``. Every answer carries
``X-Content-Type-Options: nosniff`` so a browser does not second-guess the type.

Internal and restricted files carry a watermark naming the organisation, the
user and the time (``watermark_text``): drawn into the image with Pillow, or
laid over every PDF page (``liaison.pdf.watermark_pdf``). The caller checks
permissions first (fetch through the app's visibility selector) and decides
whether a watermark is due.
"""
import io
import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError
from pypdf.errors import PyPdfError

from liaison.pdf import PdfUnavailable, watermark_pdf

log = logging.getLogger(__name__)

PDF = "pdf"
IMAGE = "image"
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "TIFF", "WEBP", "BMP"}
# A few kilobytes of PNG can declare a 9000 × 9000 canvas; decoding it with a tiled
# watermark layer twice its size would take gigabytes. Larger images download instead;
# the rest are shown at most PREVIEW_EDGE pixels on their long side (a screen's worth).
MAX_PREVIEW_PIXELS = 40_000_000
PREVIEW_EDGE = 2400
# Noto Sans CJK from Debian's fonts-noto-cjk (the font liaison.pdf needs too);
# without it the watermark falls back to Pillow's own font (Latin only).
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def sniff(data: bytes) -> str | None:
    """``"pdf"``, ``"image"`` or ``None`` for the bytes of a file (its name is not consulted)."""
    if data[:5] == b"%PDF-":
        return PDF
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format in IMAGE_FORMATS:
                return IMAGE
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    return None


def watermark_text(user, when=None) -> str:
    """``组织 · 姓名（用户名） · YYYY-MM-DD HH:MM`` (local time) for ``user`` at ``when`` (default now)."""
    when = timezone.localtime(when or timezone.now())
    name = user.get_full_name() or user.username
    who = "%s（%s）" % (name, user.username) if name != user.username else name
    return "%s · %s · %s" % (settings.ORGANISATION_NAME, who, when.strftime("%Y-%m-%d %H:%M"))


def _font(size: int):
    for path in CJK_FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _image_bytes(data: bytes, mark: str | None, *, shrink: bool = True) -> tuple[bytes, str]:
    """The image re-encoded (PNG, or JPEG for photos), at most ``PREVIEW_EDGE`` pixels on its
    long side (full size when ``shrink`` is false: downloads), with ``mark`` tiled across it.
    Raises ValueError above ``MAX_PREVIEW_PIXELS``."""
    with Image.open(io.BytesIO(data)) as source:
        if source.width * source.height > MAX_PREVIEW_PIXELS:
            raise ValueError("image too large to preview: %s × %s" % source.size)
        is_jpeg = source.format == "JPEG"
        image = ImageOps.exif_transpose(source)
        if shrink:
            image.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
        image = image.convert("RGBA")
    if mark:
        width, height = image.size
        size = max(14, min(width, height) // 28)
        font = _font(size)
        layer = Image.new("RGBA", (width * 2, height * 2), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        step_y = size * 5
        text_width = int(draw.textlength(mark, font=font)) + size * 4
        for row, y in enumerate(range(0, height * 2, step_y)):
            offset = (row % 2) * text_width // 2
            for x in range(-offset, width * 2, text_width):
                draw.text((x, y), mark, font=font, fill=(110, 110, 110, 90))
        layer = layer.rotate(30, resample=Image.BICUBIC)
        left, top = width // 2, height // 2
        image = Image.alpha_composite(image, layer.crop((left, top, left + width, top + height)))
    out = io.BytesIO()
    if is_jpeg:
        image.convert("RGB").save(out, "JPEG", quality=88)
        return out.getvalue(), "image/jpeg"
    image.save(out, "PNG", optimize=False)
    return out.getvalue(), "image/png"


def attachment_response(data: bytes, filename: str) -> HttpResponse:
    """``data`` as a download: ``application/octet-stream``, attachment, nosniff."""
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def preview_response(*, data: bytes, filename: str, mark: str | None) -> HttpResponse:
    """The file for the browser to show: a PDF or image inline (watermarked with
    ``mark`` unless it is ``None``), anything else as an attachment.

    The caller has already checked that the user may see the file. A PDF that
    cannot be watermarked (encrypted, unreadable, no CJK font) is downloaded as
    an attachment instead, exactly as the download link gives it.
    """
    kind = sniff(data)
    body, content_type = None, None
    if kind == PDF:
        if mark is None:
            body, content_type = data, "application/pdf"
        else:
            try:
                body, content_type = watermark_pdf(data, mark), "application/pdf"
            except (PdfUnavailable, PyPdfError, ValueError, KeyError, OSError) as exc:
                log.info("preview: cannot watermark %s (%s): sent as a download", filename, exc)
    elif kind == IMAGE:
        try:
            body, content_type = _image_bytes(data, mark)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            log.info("preview: cannot re-encode image %s (%s): sent as a download", filename, exc)
    if body is None:
        return attachment_response(data, filename)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(False, _inline_name(filename, content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def download_response(*, data: bytes, filename: str, mark: str | None,
                      content_type: str = "application/octet-stream") -> HttpResponse:
    """The file as a download (attachment), watermarked with ``mark`` when it is a PDF
    or an image (issue 18 §4: internal and restricted attachments).

    With ``mark`` ``None``, and for every other kind of file (Office, OFD, text,
    archives), the bytes go out unchanged with ``content_type``. A PDF that cannot
    be stamped (encrypted, unreadable, no CJK font) or an image too large to decode
    also goes out unchanged, and the reason is logged. A stamped image keeps its full
    size and is re-encoded as PNG (JPEG for photos), so the file name's extension
    follows the new type. The caller has already checked that the user may see the file.
    """
    body = None
    if mark is not None:
        kind = sniff(data)
        try:
            if kind == PDF:
                body, content_type = watermark_pdf(data, mark), "application/pdf"
            elif kind == IMAGE:
                body, content_type = _image_bytes(data, mark, shrink=False)
                filename = _inline_name(filename, content_type)
        except (PdfUnavailable, PyPdfError, ValueError, KeyError, OSError, Image.DecompressionBombError) as exc:
            log.info("download: cannot watermark %s (%s): sent unchanged", filename, exc)
            body = None
    if body is None:
        body = data
    response = HttpResponse(body, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    if mark is not None:
        response["Cache-Control"] = "private, no-store"
    return response


def _inline_name(filename: str, content_type: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return stem + {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[content_type]

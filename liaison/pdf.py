"""HTML → PDF for every app (issue 15 §8; issue 16's exports use it too).

``html_to_pdf(html, base_url)`` renders an HTML string with WeasyPrint (no
browser needed) and answers the PDF's bytes. Chinese text needs a CJK font:
Debian's ``fonts-noto-cjk`` (installed by .ci/run, named in README). Without
one every Chinese character would print as an empty box, so we refuse with
``PdfUnavailable`` whose message says what to install, rather than hand out a
PDF nobody can read. Stylesheets: put ``@page`` and the font family in the
document (``PDF_FONT_FAMILY`` names the families to ask for).

``watermark_pdf(data, text)`` overlays ``text`` (diagonal, light grey, on
every page) on an existing PDF with pypdf; the watermark page itself is made
with WeasyPrint so it carries the same CJK font.
"""
import functools
import io
import mimetypes
import os
import shutil
import subprocess
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from liaison.errors import LiaisonError

try:
    import weasyprint
except (ImportError, OSError) as _exc:  # pango missing: the app runs, PDFs say why they cannot be made
    weasyprint = None
    _WEASYPRINT_ERROR = str(_exc)

# CSS font-family list for PDFs: Noto CJK SC first (fonts-noto-cjk), then the
# other common CJK families a server may have.
PDF_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


class PdfUnavailable(LiaisonError):
    """No PDF can be made here (no CJK font, or WeasyPrint is missing); the
    message says what the administrator should install."""


@functools.lru_cache(maxsize=1)
def cjk_font_available() -> bool:
    """True when fontconfig knows a font covering Chinese (``fc-list :lang=zh``).
    Cached for the process: fonts are installed with the system, not at run time."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


def _no_font_message() -> str:
    return _("无法生成 PDF：服务器未安装中文字体。请管理员安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk）后重试。")


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """The PDF (bytes) of ``html``, a whole HTML document as a string.

    ``base_url`` resolves relative links and images (pass
    ``request.build_absolute_uri("/")`` or a ``file://`` directory; ``None``
    means no relative resources). Raises ``PdfUnavailable`` when the server has
    no CJK font (fonts-noto-cjk) or no WeasyPrint.
    """
    if not cjk_font_available():
        raise PdfUnavailable(_no_font_message())
    if weasyprint is None:  # pragma: no cover - depends on the system
        raise PdfUnavailable(_("无法生成 PDF：服务器缺少 WeasyPrint 或 pango（%(error)s）。") % {"error": _WEASYPRINT_ERROR})
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=static_url_fetcher).write_pdf()


def static_url_fetcher(url: str, timeout: int = 10, ssl_context=None) -> dict:
    """WeasyPrint's resources, from this server's disk only: a ``data:`` URL, or a URL whose
    path is under STATIC_URL, read through the staticfiles finders (or STATIC_ROOT). The URL's
    host is ignored, so a PDF never makes the server fetch over the network (from itself, which
    a single worker would wait on forever, or from a host named by the request's Host header),
    nor read ``file://`` paths. Raises ValueError for anything else (WeasyPrint skips it)."""
    if url.startswith("data:"):
        return weasyprint.default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    path = unquote(urlsplit(url).path)
    static_url = urlsplit(settings.STATIC_URL).path
    if urlsplit(url).scheme not in ("http", "https") or not path.startswith(static_url) or ".." in path:
        raise ValueError("PDF resource refused: %s" % url)
    relative = path[len(static_url):]
    found = finders.find(relative)
    if not found and settings.STATIC_ROOT:
        candidate = "%s/%s" % (str(settings.STATIC_ROOT).rstrip("/"), relative)
        found = candidate if os.path.isfile(candidate) else None
    if not found:
        raise ValueError("PDF resource not found: %s" % url)
    with open(found, "rb") as handle:
        return {"string": handle.read(), "mime_type": mimetypes.guess_type(found)[0] or "application/octet-stream",
                "redirected_url": url}


def _watermark_page(text: str, width_pt: float, height_pt: float) -> bytes:
    """A one-page transparent PDF of the given size with ``text`` repeated diagonally."""
    lines = "".join('<p>%s</p>' % escape(text) for _i in range(12))
    html = (
        "<html><head><style>"
        "@page { size: %.1fpt %.1fpt; margin: 0; }"
        "html, body { margin: 0; background: transparent; }"
        "body { font-family: %s; color: rgba(120,120,120,0.28); font-size: 15pt; overflow: hidden; }"
        ".wm { position: absolute; left: -20%%; top: -10%%; width: 140%%; transform: rotate(-30deg);"
        " transform-origin: center; }"
        ".wm p { margin: 0 0 48pt 0; white-space: nowrap; letter-spacing: 1pt; }"
        "</style></head><body><div class='wm'>%s</div></body></html>"
    ) % (width_pt, height_pt, PDF_FONT_FAMILY, lines)
    return html_to_pdf(html)


def watermark_pdf(data: bytes, text: str) -> bytes:
    """``data`` (a PDF) with ``text`` stamped over every page; answers new PDF bytes.

    Raises ``PdfUnavailable`` (no CJK font) and ``pypdf.errors.PdfReadError``
    for a PDF pypdf cannot read (encrypted or broken): the caller decides
    whether to download it unmarked as an attachment instead.
    """
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise PdfUnavailable(_("PDF 已加密，无法加水印。"))
    writer = PdfWriter()
    stamps: dict[tuple[int, int], object] = {}
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        key = (round(width), round(height))
        if key not in stamps:
            stamps[key] = PdfReader(io.BytesIO(_watermark_page(text, width, height))).pages[0]
        page.merge_page(stamps[key], over=True)
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

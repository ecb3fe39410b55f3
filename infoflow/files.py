"""Checking uploaded attachments by their content, not their name.

``inspect_upload`` reads the file once and answers its content type, size and
SHA-256, or raises AttachmentRejected with a message the uploader can act on.
Accepted: PDF, OFD, JPEG/PNG/GIF/TIFF images of at least 800×600 px (seed
003), Word/Excel/PowerPoint (OOXML and the old OLE2 formats) and plain text
or CSV in UTF-8 or GB18030. The extension must agree with the content, so a
renamed executable (or any other mismatch) is refused. Files are stored under
random names (``infoflow.models.attachment_path``) and served only as
downloads through a permission-checked view.
"""
import hashlib
import os
import zipfile

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from liaison.errors import AttachmentRejected

MIN_IMAGE = (800, 600)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# content type → extensions that may carry it
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "application/ofd": {".ofd"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/gif": {".gif"},
    "image/tiff": {".tif", ".tiff"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {".pptx"},
    "application/msword": {".doc"},
    "application/vnd.ms-excel": {".xls"},
    "application/vnd.ms-powerpoint": {".ppt"},
    "text/plain": {".txt"},
    "text/csv": {".csv"},
}
OOXML = {
    ".docx": ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
OLE2 = {".doc": "application/msword", ".xls": "application/vnd.ms-excel", ".ppt": "application/vnd.ms-powerpoint"}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/tiff"}


def _unsupported(name):
    return AttachmentRejected(
        _(
            "文件“%(name)s”的类型不受支持，或内容与扩展名不符。"
            "可上传 PDF、OFD、JPG/PNG/GIF/TIFF 图片、Word、Excel、PowerPoint 和文本文件。"
        )
        % {"name": name}
    )


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    upload.seek(0)
    return data


# A zip-based document whose parts unpack far beyond what they take packed is
# a zip bomb, whatever its total: real Office XML packs at most some 20–50 to 1.
MAX_RATIO = 200
RATIO_FLOOR = 10 * 1024 * 1024  # below 10 MB unpacked the ratio does not matter
MAX_MEMBERS = 10000


def _check_unpacked(archive, name):
    """Refuse an OOXML/OFD archive that unpacks to more than
    ATTACHMENT_MAX_UNPACKED_MB, packs implausibly tight or holds too many
    parts. Sizes are the archive's own directory entries: nothing is unpacked."""
    infos = archive.infolist()
    limit_mb = settings.ATTACHMENT_MAX_UNPACKED_MB
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos)
    too_big = unpacked > limit_mb * 1024 * 1024
    too_tight = unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(packed, 1)
    if too_big or too_tight or len(infos) > MAX_MEMBERS:
        raise AttachmentRejected(
            _("文件“%(name)s”解压后约 %(size)s MB，超过 %(max)s MB 的上限（或压缩比异常），可能是恶意构造的压缩文件，无法接收。")
            % {"name": name, "size": max(1, unpacked // (1024 * 1024)), "max": limit_mb}
        )


def _ooxml_type(upload, ext, name):
    prefix, content_type = OOXML[ext]
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names or not any(n.startswith(prefix) for n in names):
                return None
            _check_unpacked(archive, name)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    return content_type


def _ofd_type(upload, name):
    try:
        with zipfile.ZipFile(upload) as archive:
            ok = any(n.upper() == "OFD.XML" for n in archive.namelist())
            if ok:
                _check_unpacked(archive, name)
    except (zipfile.BadZipFile, OSError, ValueError):
        ok = False
    finally:
        upload.seek(0)
    return "application/ofd" if ok else None


def _text_type(data, ext):
    if b"\x00" in data:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "text/csv" if ext == ".csv" else "text/plain"
    return None


def _detect(upload, data, ext, name=""):
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        if ext in OOXML:
            return _ooxml_type(upload, ext, name)
        if ext == ".ofd":
            return _ofd_type(upload, name)
        return None  # plain zip archives are not accepted
    if head.startswith(OLE2_MAGIC):
        return OLE2.get(ext)
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime if kind.mime in EXTENSIONS else None
    if ext in (".txt", ".csv"):
        return _text_type(data, ext)
    return None


def _check_image(upload, name):
    try:
        with Image.open(upload) as image:
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError:
        raise AttachmentRejected(_("图片“%(name)s”像素过大，无法接收。") % {"name": name})
    except Exception:
        raise AttachmentRejected(_("图片“%(name)s”已损坏，无法打开。") % {"name": name})
    finally:
        upload.seek(0)
    long_side, short_side = max(width, height), min(width, height)
    if long_side < MIN_IMAGE[0] or short_side < MIN_IMAGE[1]:
        raise AttachmentRejected(
            _("图片“%(name)s”为 %(width)s×%(height)s 像素，照片须至少 800×600 像素。")
            % {"name": name, "width": width, "height": height}
        )


def inspect_upload(upload) -> dict:
    """``{"content_type", "size", "sha256"}`` of an acceptable upload; raises
    AttachmentRejected otherwise."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    max_mb = settings.ATTACHMENT_MAX_MB
    size = getattr(upload, "size", None)
    if size is not None and size > max_mb * 1024 * 1024:
        raise AttachmentRejected(_("文件“%(name)s”超过 %(max)s MB 的大小上限。") % {"name": name, "max": max_mb})
    data = _read_all(upload)
    size = len(data)
    if size == 0:
        raise AttachmentRejected(_("文件“%(name)s”是空文件（0 字节），请检查后重新选择。") % {"name": name})
    if size > max_mb * 1024 * 1024:
        raise AttachmentRejected(_("文件“%(name)s”超过 %(max)s MB 的大小上限。") % {"name": name, "max": max_mb})

    content_type = _detect(upload, data, ext, name)
    if content_type is None or ext not in EXTENSIONS.get(content_type, ()):
        raise _unsupported(name)
    if content_type in IMAGE_TYPES:
        _check_image(upload, name)
    return {"content_type": content_type, "size": size, "sha256": hashlib.sha256(data).hexdigest()}

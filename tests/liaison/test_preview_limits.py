"""liaison.preview with images too large to decode for a preview (trial 15)."""
import io

from PIL import Image

from liaison import preview


def _png(size, mode="1"):
    buffer = io.BytesIO()
    Image.new(mode, size, 1).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_huge_canvas_downloads_instead_of_being_decoded():
    data = _png((8000, 6000))  # 48 megapixels in a few kilobytes
    assert len(data) < 200_000
    response = preview.preview_response(data=data, filename="scan.png", mark="公司 · 张三 · 2026-11-30 12:00")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content == data


def test_a_large_photo_is_shown_scaled_to_a_screen():
    response = preview.preview_response(data=_png((4800, 1200), mode="RGB"), filename="wide.png", mark="公司 · 张三")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    with Image.open(io.BytesIO(response.content)) as shown:
        assert shown.size == (preview.PREVIEW_EDGE, 600)

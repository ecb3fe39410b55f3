"""Fixtures of the suggestion box: the boxes' named people as in the demo
(secretary handles the suggestion box, gm approves its rewards; gm handles
the GM's mailbox), a category, a photo, and a signed and an anonymous case."""
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from suggestions import services
from suggestions.models import Box, Case, Category, Handler
from tests.factories import UserFactory

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the receipt look-up counter
    yield
    cache.clear()


@pytest.fixture
def handlers(secretary, gm):
    Handler.objects.create(box=Box.SUGGESTION, user=secretary, role=Handler.Role.HANDLER)
    Handler.objects.create(box=Box.SUGGESTION, user=gm, role=Handler.Role.APPROVER)
    Handler.objects.create(box=Box.GM_MAILBOX, user=gm, role=Handler.Role.HANDLER)
    return {"secretary": secretary, "gm": gm}


@pytest.fixture
def category(db):
    return Category.objects.get_or_create(name="工作环境", defaults={"sort_order": 10})[0]


@pytest.fixture
def writer(market):
    """A writer with a name no page may show to anyone but the handlers."""
    return UserFactory(username="whistle_qz", first_name="秦写信", profile__unit=market)


def photo(name="photo.png", size=(800, 600)):
    data = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(data, "PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


def submit(actor, category, *, signed, box=Box.SUGGESTION, kind=Case.Kind.COMPLAINT, text="车间通风不好。", **extra):
    return services.submit_case(actor=actor, box=box, kind=kind, category=category, text=text, signed=signed,
                                contact_allowed=extra.pop("contact_allowed", signed), **extra)


@pytest.fixture
def signed_case(handlers, writer, category):
    case, code = submit(writer, category, signed=True, contact="13900000000", text="签名投诉 QZSIGNEDTEXT")
    case.code = code
    return case


@pytest.fixture
def anonymous_case(handlers, writer, category):
    case, code = submit(writer, category, signed=False, text="匿名投诉 QZANONTEXT")
    case.code = code
    return case

"""Completed items built with the ORM (independent of the infoflow services)."""
import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile

from infoflow.models import Attachment, Item, Receiver, ReviewStep, StepAssignee, Transmission

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture(autouse=True)
def _seal_key(settings):
    settings.ARCHIVE_SEAL_KEY = "test-archive-seal-key-0123456789"
    settings.ARCHIVE_FONDS_NUMBER = ""


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def make_item(market, officer_market, head_market):
    counter = {"n": 0}

    def make(*, unit=None, initiator=None, subject="关于合同续签的通知", summary="请于周五前反馈续签意见。",
             completed_at="2026-03-02 10:00", state=Item.State.COMPLETED, files=(), **fields):
        counter["n"] += 1
        unit = unit or market
        initiator = initiator or officer_market
        item = Item.objects.create(
            number="%s-2026-%03d" % (unit.number_prefix, counter["n"] + 100), unit=unit, initiator=initiator,
            subject=subject, summary=summary, state=state, submitted_at=at("2026-03-01 09:00"),
            completed_at=at(completed_at) if completed_at else None, **fields,
        )
        step = ReviewStep.objects.create(item=item, review_round=1, stage_index=0, name="部门负责人",
                                         decider="unit_head", state=ReviewStep.State.APPROVED)
        StepAssignee.objects.create(step=step, user=unit.head or head_market, decision="approved",
                                    opinion="同意，请尽快办理", decided_at=at("2026-03-01 10:00"))
        Receiver.objects.create(item=item, kind=Receiver.Kind.USER, user=initiator, state=Receiver.State.ANSWERED,
                                answer_result="已按要求完成续签")
        Transmission.objects.create(item=item, methods="email", sent_by=initiator, note="已邮件发送")
        for name, data in files:
            att = Attachment(item=item, original_name=name, content_type="application/pdf" if name.endswith(".pdf")
                             else "image/png", size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                             uploaded_by=initiator)
            att.file.save(name, ContentFile(data), save=False)
            att.save()
        return item

    return make

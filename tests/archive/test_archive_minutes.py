"""Seed 004: a coordination meeting about an item is linked to it, and its
minutes go into the item's archive record: the minutes text in the sealed
snapshot (and the catalogue's search text), the minutes file as one of the
record's own sealed copies, which verify_archive checks like any other."""
import json

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from archive.models import ArchivedFile
from archive.services import archive_item
from archive.verify import verify
from officers.models import Meeting

from .conftest import PDF, at

pytestmark = pytest.mark.django_db


def _meeting(item, organiser, *, title, starts, minutes_text="", minutes_file=None):
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.COORDINATION, title=title, item=item, organiser=organiser,
        starts_at=at(starts), planned_on=at(starts).date(), place="三楼会议室", agenda="协调合同续签",
        state=Meeting.State.MINUTED, minutes_text=minutes_text, minutes_at=at(starts),
    )
    if minutes_file:
        meeting.minutes_file.save("纪要.pdf", ContentFile(minutes_file), save=True)
    return meeting


def test_minutes_of_linked_meetings_are_sealed_into_the_items_record(make_item, secretary, client):
    item = make_item(subject="合同续签协调", files=[("合同.pdf", PDF)])
    _meeting(item, secretary, title="第二次协调会", starts="2026-03-01 15:00", minutes_text="双方同意续签",
             minutes_file=PDF + b"minutes")
    _meeting(item, secretary, title="第一次协调会", starts="2026-02-27 10:00", minutes_text="明确分工")

    with time_machine.travel(at("2026-03-10 09:00"), tick=False):
        record = archive_item(item=item, actor=secretary)

    snapshot = json.loads(record.content)
    assert [m["title"] for m in snapshot["meetings"]] == ["第一次协调会", "第二次协调会"]  # oldest first
    assert snapshot["meetings"][1]["minutes_text"] == "双方同意续签"
    files = list(ArchivedFile.objects.filter(record=record).order_by("index"))
    assert [f.index for f in files] == [1, 2] and files[0].purpose != "minutes" and files[1].purpose == "minutes"
    minutes = files[-1]
    assert record.file_count == 2
    with default_storage.open(minutes.file.name, "rb") as fh:
        assert fh.read() == PDF + b"minutes"
    sealed = {a["index"]: a for a in snapshot["attachments"]}
    assert sealed[minutes.index]["sha256"] == minutes.sha256 and sealed[minutes.index]["purpose_display"] == "会议纪要"
    assert "续 签" in record.search_text and "分 工" in record.search_text
    assert verify().ok

    # Tampering with the archived minutes copy is found like any attachment's.
    with default_storage.open(minutes.file.name, "wb") as fh:
        fh.write(b"changed")
    assert not verify().ok

    client.force_login(secretary)
    page = client.get(reverse("archive:record-detail", args=[record.pk])).content.decode()
    assert "第二次协调会" in page and "双方同意续签" in page and "会议纪要" in page


def test_an_item_without_meetings_keeps_its_record_as_before(make_item, secretary):
    item = make_item(subject="无会议")
    with time_machine.travel(at("2026-03-10 09:00"), tick=False):
        record = archive_item(item=item, actor=secretary)

    assert json.loads(record.content)["meetings"] == []
    assert record.file_count == 0 and verify().ok

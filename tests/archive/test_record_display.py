"""The permanent record reads in local time and in labels (issue 10, 6.2):
review, transmission, receipt and answer times in the configured time zone,
never the sealed UTC text; methods, channels and purposes as labels, never
codes; new snapshots keep the labels as they read when sealed, old ones get
them at display time."""
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import translation

from archive.display import present
from archive.services import archive_item
from infoflow.models import Attachment, Receiver, ReviewStep, StepAssignee, Transmission

from .conftest import PDF, at


@pytest.fixture
def record(make_item, officer_market):
    # Times after 16:00 UTC: the local date is the next day.
    item = make_item(completed_at="2026-03-03 08:00", transmission_methods="email,letter",
                     release_channels="intranet,wechat_oa")
    StepAssignee.objects.filter(step__item=item).update(decided_at=at("2026-03-02 00:30"))
    Transmission.objects.filter(item=item).update(methods="email,letter", sent_at=at("2026-03-02 01:15"))
    Receiver.objects.filter(item=item).update(acknowledged_at=at("2026-03-02 07:40"),
                                              answered_at=at("2026-03-02 23:50"))
    att = Attachment(item=item, purpose=Attachment.Purpose.EVIDENCE, original_name="回执.pdf",
                     content_type="application/pdf", size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
                     uploaded_by=officer_market)
    att.file.save("回执.pdf", ContentFile(PDF), save=False)
    att.save()
    return archive_item(item=item)


def page_of(client, user, record):
    client.force_login(user)
    response = client.get("/archive/records/%d/" % record.pk)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_new_snapshots_store_the_labels_as_they_read_when_sealed(record):
    snapshot = json.loads(record.content)

    assert snapshot["format"] == 2
    assert snapshot["item"]["transmission_methods_display"] == "邮件+书面函件"
    assert snapshot["item"]["release_channels_display"] == "内网网站、微信公众号"
    assert [t["methods_display"] for t in snapshot["transmissions"]] == ["邮件+书面函件"]
    assert [a["purpose_display"] for a in snapshot["attachments"]] == ["传递凭证"]


@pytest.mark.django_db
def test_labels_are_sealed_in_chinese_whoever_archives(make_item):
    with translation.override("en"):
        snapshot = json.loads(archive_item(item=make_item(transmission_methods="email")).content)

    assert snapshot["item"]["transmission_methods_display"] == "邮件"
    assert snapshot["item"]["state_display"] == "已办结"


@pytest.mark.django_db
def test_the_record_page_shows_local_times_and_labels_only(client, secretary, record):
    html = page_of(client, secretary, record)

    assert "2026-03-02 00:30" in html  # review (2026-03-01T16:30Z)
    assert "2026-03-02 01:15" in html  # transmission
    assert "2026-03-02 07:40" in html and "2026-03-02 23:50" in html  # receipt, answer
    assert "邮件+书面函件" in html and "内网网站、微信公众号" in html and "传递凭证" in html
    for raw in ("T16:30", "+00:00", "2026-03-01 16:30", "email,letter", "intranet,wechat_oa",
                ">evidence", "evidence ·", "item ·"):
        assert raw not in html, raw


@pytest.mark.django_db
def test_an_old_snapshot_gets_todays_labels_at_display_time(client, secretary, record):
    # A format-1 snapshot as the first release sealed it: codes only.
    old = json.loads(record.content)
    old["format"] = 1
    for key in ("transmission_methods_display", "release_channels_display"):
        old["item"].pop(key)
    for row in old["transmissions"]:
        row.pop("methods_display")
    for row in old["attachments"]:
        row.pop("purpose_display")
    with connection.cursor() as cursor:  # the record page reads content as stored (verify is not the point)
        cursor.execute("UPDATE archive_archivedrecord SET content = %s WHERE id = %s", [json.dumps(old), record.pk])

    shown = present(old)
    assert shown["transmissions"][0]["methods_display"] == "邮件+书面函件"
    assert shown["item"]["release_channels_display"] == "内网网站、微信公众号"
    assert shown["attachments"][0]["purpose_display"] == "传递凭证"
    assert shown["transmissions"][0]["sent_at"].isoformat() == "2026-03-01T17:15:00+00:00"
    assert old["transmissions"][0]["sent_at"] == "2026-03-01T17:15:00.000+00:00"  # the sealed text is untouched

    html = page_of(client, secretary, record)
    assert "邮件+书面函件" in html and "内网网站、微信公众号" in html and "传递凭证" in html
    assert "email,letter" not in html and "intranet,wechat_oa" not in html and "T17:15" not in html
    assert "2026-03-02 01:15" in html


@pytest.mark.django_db
def test_the_record_page_in_english_keeps_the_sealed_labels_and_local_times(client, secretary, record):
    client.force_login(secretary)
    client.cookies["django_language"] = "en"
    html = client.get("/archive/records/%d/" % record.pk).content.decode()

    assert "2026-03-02 01:15" in html and "邮件+书面函件" in html and "email,letter" not in html

"""The filing proof survives a form that comes back with an error (issue 10
§6.1): HR uploads the proof with a filing time in the future, the page marks
the time and keeps the file, and the corrected form stores it."""
import re
from datetime import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from officers.models import ChangeFiling, Registration
from officers.services import update_officer_contact
from tests.factories import ExternalUnitFactory
from tests.officers.test_admin import SH, hr, market_officer  # noqa: F401  fixtures

PROOF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_filing_with_an_error_keeps_the_proof_for_the_corrected_form(hr, secretary, market_officer):  # noqa: F811
    Registration.objects.create(
        unit=market_officer.unit, body=ExternalUnitFactory(), officer=market_officer, registered_name="张三", registered_phone="1"
    )
    with time_machine.travel(datetime(2026, 9, 24, 10, 0, tzinfo=SH), tick=False):
        update_officer_contact(officer=market_officer, actor=secretary, phone="13933334444")
    filing = ChangeFiling.objects.get()
    url = reverse("admin:officers_changefiling_change", args=[filing.pk])

    with time_machine.travel(datetime(2026, 9, 25, 10, 0, tzinfo=SH), tick=False):
        first = hr.post(url, {"filed_at_0": "2026-09-26", "filed_at_1": "09:00:00", "note": "已报备",
                              "proof": SimpleUploadedFile("报备回执.pdf", PROOF)})
        tokens = re.findall(r'name="pending_proof" value="([0-9a-f]{32})"', first.content.decode())
        second = hr.post(url, {"filed_at_0": "2026-09-25", "filed_at_1": "09:00:00", "note": "已报备",
                               "pending_proof": tokens})

    assert first.status_code == 200
    assert first.context["adminform"].form.errors["filed_at"] == ["报备时间不能晚于当前时间。"]
    assert "报备回执.pdf" in first.content.decode() and len(tokens) == 1
    assert second.status_code == 302
    filing.refresh_from_db()
    assert filing.filed_at == datetime(2026, 9, 25, 9, 0, tzinfo=SH)
    assert filing.proof.name.endswith(".pdf") and filing.proof.read() == PROOF

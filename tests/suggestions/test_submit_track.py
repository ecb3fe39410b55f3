"""Submitting and following a case by its receipt code (issue 17 §1, "Done
when": anonymous follow-up, a wrong code, brute-force rate limiting)."""
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liaison.errors import SuggestionInvalid
from liaison.models import AuditEntry, Notification
from suggestions import receipts, services
from suggestions.models import Box, Case, CaseFile, Identity
from tests.suggestions.conftest import photo, submit

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}")


def test_code_has_80_random_bits_and_only_its_hash_is_stored(anonymous_case):
    code = anonymous_case.code

    assert CODE.fullmatch(code)
    stored = Case.objects.get(pk=anonymous_case.pk).receipt_hash
    assert stored == receipts.digest(receipts.normalize(code)) and code.replace("-", "") not in stored
    assert receipts.CODE_BYTES * 8 >= 80
    assert len({receipts.new_code()[0] for _ in range(200)}) == 200


def test_anonymous_case_keeps_no_link_to_its_writer(anonymous_case, writer):
    case = Case.objects.get(pk=anonymous_case.pk)

    assert not case.signed
    assert not Identity.objects.filter(case=case).exists()
    assert list(case.history.values_list("history_user_id", flat=True)) == [None]
    assert not Notification.objects.filter(recipient=writer).exists()
    assert not AuditEntry.objects.filter(user=writer).exists()


def test_signed_case_keeps_the_writer_only_in_identity(signed_case, writer):
    case = Case.objects.get(pk=signed_case.pk)
    identity = Identity.objects.get(case=case)

    assert identity.user == writer and identity.name == "秦写信" and identity.contact == "13900000000"
    assert list(case.history.values_list("history_user_id", flat=True)) == [None]
    assert str(identity) == "—"
    assert not Notification.objects.filter(recipient=writer).exists()


def test_anonymous_follow_up_by_receipt_code_without_login(anonymous_case, secretary):
    services.record_finding(case=anonymous_case, actor=secretary, finding=Case.Finding.FOUNDED,
                            answer="已核实，车间已加装通风设备。")
    client = Client()

    response = client.post("/suggestions/track/", {"code": anonymous_case.code.lower().replace("-", " ")})

    text = response.content.decode()
    assert response.status_code == 200
    assert anonymous_case.number in text and "已核实，车间已加装通风设备。" in text and "属实" in text


def test_receipt_page_before_the_answer_says_it_is_being_handled(anonymous_case):
    response = Client().post("/suggestions/track/", {"code": anonymous_case.code})

    assert "正在办理，请稍后再查。" in response.content.decode()


@pytest.mark.parametrize("code", ["AAAA-AAAA-AAAA-AAAA", "not a code", "", "QZANONTEXT"])
def test_wrong_code_gets_nothing_and_says_nothing_about_existence(anonymous_case, code):
    response = Client().post("/suggestions/track/", {"code": code})

    text = response.content.decode()
    assert response.status_code == 200
    assert "没有找到与该回执码对应的事项，请核对后重新输入。" in text
    assert anonymous_case.number not in text and "QZANONTEXT" not in text


def test_brute_force_is_stopped_even_for_the_right_code(anonymous_case, settings):
    settings.SUGGESTION_TRACK_LIMIT = 3
    client = Client()
    for n in range(3):
        assert client.post("/suggestions/track/", {"code": "AAAA-AAAA-AAAA-AAA%d" % (n + 2)}).status_code == 200

    response = client.post("/suggestions/track/", {"code": anonymous_case.code})

    assert response.status_code == 429
    text = response.content.decode()
    assert "查询次数过多，请 15 分钟后再试。" in text and anonymous_case.number not in text


def test_the_limit_is_per_client(anonymous_case, settings):
    settings.SUGGESTION_TRACK_LIMIT = 2
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        attacker.post("/suggestions/track/", {"code": "AAAA-AAAA-AAAA-AAAA"})

    response = Client(REMOTE_ADDR="198.51.100.7").post("/suggestions/track/", {"code": anonymous_case.code})

    assert response.status_code == 200 and anonymous_case.number in response.content.decode()


def test_the_counter_holds_no_ip(anonymous_case, settings):
    # A local-memory cache whatever the run uses (CI's is Redis), so its keys can be listed.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "counter-holds-no-ip"}}
    Client(REMOTE_ADDR="203.0.113.9").post("/suggestions/track/", {"code": "AAAA-AAAA-AAAA-AAAA"})

    keys = list(cache._cache.keys())
    assert keys and not any("203.0.113.9" in k for k in keys)


def test_employee_submits_from_the_form_and_sees_the_code_once(client, employee, category):
    client.force_login(employee)

    response = client.post("/suggestions/new/", {
        "box": Box.GM_MAILBOX, "kind": "suggestion", "category": category.pk, "text": "食堂延长晚餐时间。",
        "signed": "0", "photos": [photo()]})

    text = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code = CODE.search(text).group(0)
    case = Case.objects.get()
    assert case.receipt_hash == receipts.digest(receipts.normalize(code))
    assert case.box == Box.GM_MAILBOX and not case.signed and case.files.count() == 1
    assert code not in client.get("/suggestions/").content.decode()


def test_anonymous_form_with_a_contact_comes_back_with_the_text_kept(client, employee, category):
    client.force_login(employee)

    response = client.post("/suggestions/new/", {
        "box": Box.SUGGESTION, "kind": "complaint", "category": category.pk, "text": "加班费计算有误。",
        "signed": "0", "contact": "13900000000"})

    text = response.content.decode()
    assert "匿名提交不能留联系方式；如希望被联系，请选择署名。" in text and "加班费计算有误。" in text
    assert not Case.objects.exists()


def test_submitting_needs_a_login(client):
    response = client.get("/suggestions/new/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_track_page_is_open_without_login(client):
    assert client.get("/suggestions/track/").status_code == 200


def test_a_pdf_is_not_a_photo(writer, category, handlers):
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    with pytest.raises(SuggestionInvalid, match="不是照片"):
        submit(writer, category, signed=False, photos=[pdf])
    assert not Case.objects.exists() and not CaseFile.objects.exists()


def test_a_small_photo_is_refused_as_for_items(writer, category, handlers):
    with pytest.raises(SuggestionInvalid, match="800×600"):
        submit(writer, category, signed=False, photos=[photo(size=(400, 300))])


def test_empty_text_and_too_many_photos_are_refused(writer, category, handlers):
    with pytest.raises(SuggestionInvalid, match="请填写内容。"):
        submit(writer, category, signed=False, text="  ")
    with pytest.raises(SuggestionInvalid, match="最多可附 5 张照片。"):
        submit(writer, category, signed=False, photos=[photo("%d.png" % n) for n in range(6)])


def test_numbers_follow_each_other(writer, category, handlers):
    first, _ = submit(writer, category, signed=False)
    second, _ = submit(writer, category, signed=True)

    assert int(second.number[-4:]) == int(first.number[-4:]) + 1

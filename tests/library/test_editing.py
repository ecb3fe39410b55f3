"""Who may add and change entries, curation by the secretariat, and bad
input (issue 19 §1: officers add and update their department's entries, the
secretariat curates; history on every change)."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from library import services
from library.models import Category, Entry
from liaison.errors import LibraryInvalid, LibraryNotAllowed, LibraryStateConflict
from tests.library.conftest import fields, pdf

pytestmark = pytest.mark.django_db


def _post(regulation, department=None, **extra):
    data = {"title": "地方安全生产条例", "category": regulation.pk, "issuer": "江苏省人大", "reference": "",
            "valid_from": "2026-01-01", "valid_until": "", "confidentiality": "internal", "summary": "条例全文摘要",
            "body": ""}
    if department is not None:
        data["department"] = department.pk
    data.update(extra)
    return data


def test_officer_adds_an_entry_for_own_department(client, officer_market, market, regulation):
    client.force_login(officer_market)

    response = client.post("/library/new/", _post(regulation, market, files=pdf()))

    entry = Entry.objects.get(title="地方安全生产条例")
    assert response.status_code == 302 and response["Location"] == "/library/%d/" % entry.pk
    assert entry.department == market and entry.created_by == officer_market
    assert entry.files.get().original_name == "规定.pdf"
    assert entry.history.get().history_change_reason == "create"
    assert "地方" in entry.search_text and "安全" in entry.search_text


def test_officer_cannot_add_for_another_department(client, officer_market, prod, regulation):
    client.force_login(officer_market)

    response = client.post("/library/new/", _post(regulation, prod))

    assert response.status_code == 200
    assert not Entry.objects.exists()
    with pytest.raises(LibraryNotAllowed):
        services.create_entry(actor=officer_market, department=prod, fields=fields(regulation))


def test_employee_without_post_may_not_add(client, employee):
    client.force_login(employee)

    assert client.get("/library/new/").status_code == 403
    assert "录入资料" not in client.get("/library/").content.decode()


def test_officer_updates_own_department_entry_with_history(client, officer_market, internal_entry, regulation):
    client.force_login(officer_market)

    response = client.post("/library/%d/edit/" % internal_entry.pk, _post(regulation, title="安全生产法规汇编（2026版）"))

    internal_entry.refresh_from_db()
    assert response.status_code == 302
    assert internal_entry.title == "安全生产法规汇编（2026版）"
    assert [h.history_change_reason for h in internal_entry.history.order_by("history_id")] == ["create", "update"]


def test_officer_of_another_department_may_see_but_not_edit(client, officer_prod, internal_entry, regulation):
    client.force_login(officer_prod)

    assert client.get("/library/%d/" % internal_entry.pk).status_code == 200
    assert client.get("/library/%d/edit/" % internal_entry.pk).status_code == 403
    assert client.post("/library/%d/edit/" % internal_entry.pk, _post(regulation, title="改")).status_code == 403
    with pytest.raises(LibraryNotAllowed):
        services.update_entry(actor=officer_prod, entry=internal_entry, fields=fields(regulation, title="改"))
    internal_entry.refresh_from_db()
    assert internal_entry.title == "安全生产法规汇编"


def test_secretariat_edits_any_entry_and_curates(secretary, internal_entry, regulation):
    services.update_entry(actor=secretary, entry=internal_entry, fields=fields(regulation, title="汇编（秘书处校订）"))
    services.set_featured(actor=secretary, entry=internal_entry, featured=True)
    services.withdraw_entry(actor=secretary, entry=internal_entry, reason="已废止")
    services.restore_entry(actor=secretary, entry=internal_entry)

    internal_entry.refresh_from_db()
    assert internal_entry.state == Entry.State.ACTIVE and not internal_entry.featured  # withdrawing unfeatures
    reasons = [h.history_change_reason for h in internal_entry.history.order_by("history_id")]
    assert reasons == ["create", "update", "feature", "withdraw", "restore"]
    assert internal_entry.history.order_by("history_id").last().history_user == secretary


def test_only_the_secretariat_withdraws_and_features(client, officer_market, internal_entry):
    with pytest.raises(LibraryNotAllowed):
        services.withdraw_entry(actor=officer_market, entry=internal_entry, reason="x")
    with pytest.raises(LibraryNotAllowed):
        services.set_featured(actor=officer_market, entry=internal_entry, featured=True)
    client.force_login(officer_market)
    assert client.get("/library/%d/withdraw/" % internal_entry.pk).status_code == 403


def test_withdraw_needs_a_confirmation_and_a_reason(client, secretary, internal_entry):
    client.force_login(secretary)

    page = client.get("/library/%d/withdraw/" % internal_entry.pk)
    refused = client.post("/library/%d/withdraw/" % internal_entry.pk, {"reason": "  "})

    assert "确定撤回" in page.content.decode()
    assert refused.status_code == 200
    internal_entry.refresh_from_db()
    assert internal_entry.state == Entry.State.ACTIVE
    with pytest.raises(LibraryInvalid, match="请填写撤回原因"):
        services.withdraw_entry(actor=secretary, entry=internal_entry, reason=" ")


def test_withdrawn_entry_cannot_be_edited_or_withdrawn_again(secretary, officer_market, internal_entry, regulation):
    services.withdraw_entry(actor=secretary, entry=internal_entry, reason="已废止")

    with pytest.raises(LibraryStateConflict, match="已撤回"):
        services.update_entry(actor=officer_market, entry=internal_entry, fields=fields(regulation))
    with pytest.raises(LibraryStateConflict):
        services.withdraw_entry(actor=secretary, entry=internal_entry, reason="再撤")
    with pytest.raises(LibraryStateConflict):
        services.set_featured(actor=secretary, entry=internal_entry, featured=True)


def test_until_before_from_is_refused_and_input_kept(client, officer_market, market, regulation):
    client.force_login(officer_market)

    response = client.post("/library/new/", _post(regulation, market, valid_from="2026-05-01",
                                                  valid_until="2026-04-30"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "“有效期至”不能早于“生效日期”。" in html
    assert 'value="地方安全生产条例"' in html  # what was typed stays
    assert not Entry.objects.exists()
    with pytest.raises(LibraryInvalid):
        services.create_entry(actor=officer_market, department=market,
                              fields=fields(regulation, valid_from=dt.date(2026, 5, 1), valid_until=dt.date(2026, 4, 1)))


def test_inactive_category_and_empty_title_are_refused(officer_market, market, regulation):
    retired = Category.objects.create(name="旧类别", active=False)

    with pytest.raises(LibraryInvalid, match="启用的资料类别"):
        services.create_entry(actor=officer_market, department=market, fields=fields(retired))
    with pytest.raises(LibraryInvalid, match="请填写标题"):
        services.create_entry(actor=officer_market, department=market, fields=fields(regulation, title="  "))


def test_refused_attachment_keeps_the_good_one_for_the_corrected_form(client, officer_market, market, regulation):
    client.force_login(officer_market)
    bad = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = client.post("/library/new/", _post(regulation, market, files=[pdf("好文件.pdf"), bad]))

    html = response.content.decode()
    assert response.status_code == 200 and not Entry.objects.exists()
    assert "好文件.pdf" in html  # offered as a kept file


def test_files_are_removed_and_history_kept(officer_market, make_entry, market, regulation):
    entry = make_entry(officer_market, market, files=[pdf("a.pdf"), pdf("b.pdf")])
    first = entry.files.order_by("pk").first()

    services.update_entry(actor=officer_market, entry=entry, fields=fields(regulation), remove_files=[first.pk])

    assert list(entry.files.values_list("original_name", flat=True)) == ["b.pdf"]
    assert first.history.filter(history_type="-").exists()


def test_garbage_ids_and_filters_do_not_fail(client, officer_market, internal_entry):
    client.force_login(officer_market)

    for query in ({"category": "x'"}, {"department": "-1"}, {"validity": "nope"}, {"page": "999"},
                  {"q": "&|!:*()"}, {"q": "法"}, {"state": "withdrawn"}):
        assert client.get("/library/", query).status_code == 200, query
    assert client.get("/library/999999/").status_code == 404

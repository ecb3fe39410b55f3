"""The outside obligations calendar (relations/services/obligations.py)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from relations.errors import AlreadyDone, InvalidInput
from relations.models import Obligation, Occurrence
from relations.selectors import obligations_visible_to, occurrences_visible_to
from relations.services.obligations import complete_occurrence, create_obligation, next_due_on
from tests.relations.conftest import MONDAY, at, make_obligation

pytestmark = pytest.mark.django_db


def proof(name="receipt.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 receipt", content_type="application/pdf")


@pytest.mark.parametrize("due, recurrence, anchor, expected", [
    (dt.date(2026, 1, 31), "monthly", 31, dt.date(2026, 2, 28)),
    (dt.date(2026, 2, 28), "monthly", 31, dt.date(2026, 3, 31)),
    (dt.date(2026, 11, 30), "quarterly", 30, dt.date(2027, 2, 28)),
    (dt.date(2026, 6, 30), "yearly", 30, dt.date(2027, 6, 30)),
    (dt.date(2028, 2, 29), "yearly", 29, dt.date(2029, 2, 28)),
    (dt.date(2026, 6, 30), "once", 30, None),
])
def test_the_next_due_date_keeps_the_day_of_the_month(due, recurrence, anchor, expected):
    assert next_due_on(due, recurrence, anchor) == expected


def test_creating_an_obligation_opens_its_first_due_date(obligation, secretary):
    assert [o.due_on for o in obligation.occurrences.all()] == [dt.date(2026, 3, 20)]
    assert obligation.history.get().history_user == secretary


def test_only_the_secretariat_creates_obligations(officer_market, regulator, market):
    with pytest.raises(PermissionDenied):
        make_obligation(officer_market, regulator, owner_unit=market)


def test_an_obligation_needs_an_owner(secretary, regulator):
    with at(MONDAY), pytest.raises(InvalidInput, match="请指定责任部门或责任人"):
        create_obligation(actor=secretary, obligation=Obligation(body=regulator, title="年报",
                                                                 first_due_on=dt.date(2026, 3, 20)))


@pytest.mark.parametrize("who", ["officer_market", "head_market", "leader", "secretary", "auditor", "gm"])
def test_the_owner_unit_and_the_secretariat_see_it(request, occurrence, who):
    assert occurrences_visible_to(request.getfixturevalue(who)).filter(pk=occurrence.pk).exists()


@pytest.mark.parametrize("who", ["officer_prod", "head_prod", "employee", "outsider"])
def test_others_do_not_see_it(request, occurrence, who):
    assert not obligations_visible_to(request.getfixturevalue(who)).exists()


def test_done_with_proof_opens_next_years_due_date(occurrence, officer_market):
    with at(MONDAY):
        done, following = complete_occurrence(actor=officer_market, occurrence=occurrence, proof=proof(),
                                              note="已在公示系统报送并公示")

    assert done.done_by == officer_market and done.proof.name.endswith(".pdf")
    assert following.due_on == dt.date(2027, 3, 20)
    assert done.history.filter(history_change_reason="done").count() == 1
    with pytest.raises(AlreadyDone, match="该事项已办结"):
        complete_occurrence(actor=officer_market, occurrence=occurrence, proof=proof(), note="again")
    assert Occurrence.objects.filter(obligation=occurrence.obligation).count() == 2


def test_a_one_off_obligation_has_no_next_due_date(secretary, regulator, market):
    obligation = make_obligation(secretary, regulator, owner_unit=market, recurrence="once")

    _done, following = complete_occurrence(actor=secretary, occurrence=obligation.occurrences.get(), proof=proof(),
                                           note="已办结")

    assert following is None and obligation.occurrences.count() == 1


@pytest.mark.parametrize("file, note, message", [
    (None, "说明", "请上传办理凭证"),
    ("receipt.pdf", " ", "请填写办理说明"),
    ("receipt.exe", "说明", "凭证应为 PDF、图片、Office 文件或 ZIP"),
])
def test_done_needs_a_proof_file_and_a_note(occurrence, officer_market, file, note, message):
    with pytest.raises(InvalidInput, match=message):
        complete_occurrence(actor=officer_market, occurrence=occurrence, proof=proof(file) if file else None,
                            note=note)
    assert Occurrence.objects.get(pk=occurrence.pk).done_at is None


def test_another_unit_cannot_complete_it(occurrence, officer_prod):
    with pytest.raises(PermissionDenied):
        complete_occurrence(actor=officer_prod, occurrence=occurrence, proof=proof(), note="x")


def test_a_named_person_does_it_without_a_unit(secretary, regulator, officer_prod):
    obligation = make_obligation(secretary, regulator, owner_user=officer_prod, title="联络员备案续期")

    assert occurrences_visible_to(officer_prod).filter(obligation=obligation).exists()
    complete_occurrence(actor=officer_prod, occurrence=obligation.occurrences.get(), proof=proof(), note="已续期")

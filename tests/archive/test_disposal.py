import pytest
import time_machine
from django.core.files.storage import default_storage

from archive.models import ArchivedFile, ArchivedRecord, DestructionEntry, DisposalBatch, Retention
from archive.selectors import records_past_retention
from archive.services import archive_item
from archive.services.disposal import (
    appraise_record,
    decide_disposal,
    explain_gap,
    lift_hold,
    propose_disposal,
    set_hold,
)
from archive.verify import verify
from infoflow.models import Attachment, Item
from liaison.errors import ArchiveInvalid, ArchiveNotAllowed, ArchiveStateConflict

from .conftest import PDF, at

AFTER = at("2027-06-01 10:00")  # normal records (1 year from 2026-03-02) are due


@pytest.fixture
def due_record(make_item):
    return archive_item(item=make_item(files=[("合同.pdf", PDF)]))


@pytest.fixture
def supervisors(auditor, legal):
    return [auditor, legal]


@pytest.mark.django_db
def test_past_retention_lists_due_records_but_never_permanent_or_held(make_item, due_record, secretary):
    permanent = archive_item(item=make_item())
    appraise_record(record=permanent, actor=secretary, new_retention=Retention.PERMANENT, reason="具有长期价值")
    held = archive_item(item=make_item())
    set_hold(record=held, actor=secretary, reason="诉讼未结")

    with time_machine.travel(AFTER):
        due = list(records_past_retention())

    assert due == [due_record]


@pytest.mark.django_db
def test_appraisal_extends_keeping_old_and_new_and_still_verifies(due_record, secretary):
    appraisal = appraise_record(record=due_record, actor=secretary, new_retention=Retention.D10, reason="仍有参考价值")

    due_record.refresh_from_db()
    assert (appraisal.old_retention, appraisal.new_retention) == ("D1", "D10")
    assert (due_record.retention, due_record.retention_until.isoformat()) == ("D10", "2036-03-02")
    assert verify().ok


@pytest.mark.django_db
def test_appraisal_cannot_shorten(due_record, secretary):
    appraise_record(record=due_record, actor=secretary, new_retention=Retention.D5, reason="延长")

    with pytest.raises(ArchiveInvalid):
        appraise_record(record=due_record, actor=secretary, new_retention=Retention.D3, reason="缩短")


@pytest.mark.django_db
def test_disposal_approved_by_a_leader_purges_content_and_keeps_a_sealed_line(due_record, secretary, leader,
                                                                             supervisors,
                                                                             django_capture_on_commit_callbacks):
    item_file = Attachment.objects.get(item=due_record.item).file.name
    archived_file = due_record.files.get().file.name
    with time_machine.travel(AFTER):
        batch = propose_disposal(records=[due_record], actor=secretary, supervisors=supervisors, reason="期满无保存价值")
        with pytest.raises(ArchiveNotAllowed):
            decide_disposal(batch=batch, actor=secretary, approve=True)  # not a leader
        with django_capture_on_commit_callbacks(execute=True):
            decide_disposal(batch=batch, actor=leader, approve=True, note="同意销毁")

    record = ArchivedRecord.objects.get(pk=due_record.pk)
    entry = DestructionEntry.objects.get(record=record)
    assert record.state == "destroyed" and record.content == "" and record.search_text == ""
    assert not ArchivedFile.objects.filter(record=record).exists()
    assert not default_storage.exists(archived_file) and not default_storage.exists(item_file)
    assert (entry.number, entry.subject) == ("ND-2026-1001", "关于合同续签的通知")
    assert "李四" in entry.approver and "冯监察" in entry.supervisors and "周秘书" in entry.proposer
    assert Item.objects.get(pk=record.item_id).summary == "（内容已按档案销毁程序销毁）"
    assert verify().ok


@pytest.mark.django_db
def test_the_proposer_cannot_approve_their_own_batch(due_record, secretary, leader, supervisors):
    from tests.factories import RoleFactory

    RoleFactory(user=leader, role="secretariat")  # a leader who is also in the secretariat
    with time_machine.travel(AFTER):
        batch = propose_disposal(records=[due_record], actor=leader, supervisors=supervisors, reason="期满")

        with pytest.raises(ArchiveNotAllowed) as exc:
            decide_disposal(batch=batch, actor=leader, approve=True)

    assert exc.value.message == "提出销毁的人不能审批自己的申请。"
    assert DisposalBatch.objects.get(pk=batch.pk).state == "proposed"


@pytest.mark.django_db
def test_a_hold_blocks_proposal_and_approval_until_lifted(due_record, secretary, leader, supervisors):
    with time_machine.travel(AFTER):
        batch = propose_disposal(records=[due_record], actor=secretary, supervisors=supervisors, reason="期满")
        hold = set_hold(record=due_record, actor=secretary, reason="审计调阅")
        with pytest.raises(ArchiveStateConflict):
            decide_disposal(batch=batch, actor=leader, approve=True)
        with pytest.raises(ArchiveStateConflict):
            propose_disposal(records=[due_record], actor=secretary, supervisors=supervisors, reason="期满")
        lift_hold(hold=hold, actor=secretary, reason="调阅结束")
        decide_disposal(batch=batch, actor=leader, approve=True)

    assert ArchivedRecord.objects.get(pk=due_record.pk).is_destroyed


@pytest.mark.django_db
def test_refusal_needs_a_reason_and_destroys_nothing(due_record, secretary, leader, supervisors):
    with time_machine.travel(AFTER):
        batch = propose_disposal(records=[due_record], actor=secretary, supervisors=supervisors, reason="期满")
        with pytest.raises(ArchiveInvalid):
            decide_disposal(batch=batch, actor=leader, approve=False)
        decide_disposal(batch=batch, actor=leader, approve=False, note="仍需保存")

    assert DisposalBatch.objects.get(pk=batch.pk).state == "refused"
    assert not ArchivedRecord.objects.get(pk=due_record.pk).is_destroyed


@pytest.mark.django_db
def test_records_not_yet_due_or_permanent_cannot_be_proposed(due_record, secretary, supervisors):
    with pytest.raises(ArchiveStateConflict):
        propose_disposal(records=[due_record], actor=secretary, supervisors=supervisors, reason="期满")
    appraise_record(record=due_record, actor=secretary, new_retention=Retention.PERMANENT, reason="永久")
    with time_machine.travel(at("2099-01-01 10:00")), pytest.raises(ArchiveStateConflict):
        propose_disposal(records=[due_record], actor=secretary, supervisors=supervisors, reason="期满")


@pytest.mark.django_db
def test_two_different_supervisors_are_required(due_record, secretary, auditor):
    with time_machine.travel(AFTER), pytest.raises(ArchiveInvalid):
        propose_disposal(records=[due_record], actor=secretary, supervisors=[auditor, auditor], reason="期满")


@pytest.mark.django_db
def test_only_the_secretariat_proposes_holds_and_appraises(due_record, officer_market, supervisors):
    with pytest.raises(ArchiveNotAllowed):
        set_hold(record=due_record, actor=officer_market, reason="x")
    with pytest.raises(ArchiveNotAllowed):
        appraise_record(record=due_record, actor=officer_market, new_retention="Y", reason="x")
    with time_machine.travel(AFTER), pytest.raises(ArchiveNotAllowed):
        propose_disposal(records=[due_record], actor=officer_market, supervisors=supervisors, reason="x")


@pytest.mark.django_db
def test_gap_explanation_only_for_missing_numbers(due_record, secretary):
    with pytest.raises(ArchiveInvalid):
        explain_gap(year=2026, sequence=1001, actor=secretary, explanation="x")

    gap = explain_gap(year=2026, sequence=1003, actor=secretary, explanation="系统迁移跳号")

    assert str(gap) == "ND-2026-1003"

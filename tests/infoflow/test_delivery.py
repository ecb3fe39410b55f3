"""Transmission, receipts, questions, progress, answers, completion, incoming."""
import datetime as dt

import pytest
from django.utils import timezone

from infoflow.models import Attachment, Item, Question, Receiver, Transmission
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.delivery import (
    acknowledge_receipt,
    answer_receiver,
    complete_item,
    post_progress,
    raise_question,
    reply_question,
    transmit_item,
)
from infoflow.services.incoming import register_incoming
from liaison.errors import AttachmentRejected, InvalidInput, NotAllowed, StateConflict
from tests.factories import ExternalContactFactory
from tests.infoflow.conftest import NOW, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(org, make_item, frozen):
    """Internal item from market to prod and finance, approved by the market
    head, ready to transmit (a routine one goes out on submission)."""
    item = make_item(needs_coordination=True,
                     receivers=[{"kind": "unit", "unit": org["prod"]}, {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    return Item.objects.get(pk=item.pk)


@pytest.fixture
def sent(org, approved):
    transmit_item(item=approved, actor=org["officer_market"], methods=["system"])
    return Item.objects.get(pk=approved.pk)


def receiver(item, code):
    return Receiver.objects.get(item=item, unit__code=code)


def test_transmit_records_methods_and_due_times(org, approved):
    transmission = transmit_item(item=approved, actor=org["officer_market"], methods=["email", "system"],
                                 note="已邮件发送", evidence=[pdf_upload("mail.pdf")])

    item = Item.objects.get(pk=approved.pk)
    assert item.state == Item.State.TRANSMITTED
    assert item.transmitted_at == timezone.now()
    assert item.methods_display == "邮件+系统消息"
    assert transmission.attachments.get().purpose == Attachment.Purpose.EVIDENCE
    prod = receiver(item, "prod")
    assert prod.state == Receiver.State.SENT
    assert prod.response_due_at == NOW + dt.timedelta(days=2)  # two working days
    assert prod.answer_due_at == item.expected_feedback_at


def test_phone_needs_a_written_record(org, approved):
    with pytest.raises(InvalidInput) as error:
        transmit_item(item=approved, actor=org["officer_market"], methods=["phone"])

    assert error.value.message == "电话传递后须补充书面记录，请填写电话记录。"
    assert not Transmission.objects.exists()


def test_transmit_bad_input(org, approved):
    for methods in ([], ["pigeon"]):
        with pytest.raises(InvalidInput):
            transmit_item(item=approved, actor=org["officer_market"], methods=methods)
    with pytest.raises(InvalidInput):
        transmit_item(item=approved, actor=org["officer_market"], methods=["system"],
                      sent_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(AttachmentRejected):
        transmit_item(item=approved, actor=org["officer_market"], methods=["email"],
                      evidence=[pdf_upload("virus.exe")])
    assert Item.objects.get(pk=approved.pk).state == Item.State.APPROVED


def test_transmit_wrong_user_and_wrong_state(org, make_item, approved, frozen):
    with pytest.raises(NotAllowed):
        transmit_item(item=approved, actor=org["officer_prod"], methods=["system"])
    with pytest.raises(StateConflict):
        transmit_item(item=make_item(), actor=org["officer_market"], methods=["system"])


def test_receiving_unit_acknowledges_and_answers_and_the_item_completes(org, sent, frozen):
    acknowledge_receipt(receiver=receiver(sent, "prod"), actor=org["officer_prod"])
    with pytest.raises(StateConflict):
        acknowledge_receipt(receiver=receiver(sent, "prod"), actor=org["head_prod"])
    answer_receiver(receiver=receiver(sent, "prod"), actor=org["head_prod"], result="已安排", next_steps="下周复核")
    assert Item.objects.get(pk=sent.pk).state == Item.State.TRANSMITTED

    frozen.shift(dt.timedelta(hours=3))
    answer_receiver(receiver=receiver(sent, "finance"), actor=org["finance"].head, result="预算已预留")

    item = Item.objects.get(pk=sent.pk)
    assert item.state == Item.State.COMPLETED
    assert item.actual_feedback_at == timezone.now() == item.completed_at
    finance = receiver(item, "finance")
    assert finance.acknowledged_at == finance.answered_at  # answering also signs
    assert item.history.first().history_change_reason == "complete"


def test_answer_wrong_user_state_and_input(org, sent, approved):
    with pytest.raises(NotAllowed):
        answer_receiver(receiver=receiver(sent, "prod"), actor=org["officer_market"], result="x")
    with pytest.raises(NotAllowed):
        acknowledge_receipt(receiver=receiver(sent, "prod"), actor=org["outsider"])
    with pytest.raises(InvalidInput):
        answer_receiver(receiver=receiver(sent, "prod"), actor=org["officer_prod"], result=" ")
    answer_receiver(receiver=receiver(sent, "prod"), actor=org["officer_prod"], result="好")
    with pytest.raises(StateConflict):
        answer_receiver(receiver=receiver(sent, "prod"), actor=org["officer_prod"], result="再答")


def test_answer_before_transmission_is_refused(org, make_item, frozen):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])

    with pytest.raises(StateConflict):
        answer_receiver(receiver=receiver(item, "prod"), actor=org["officer_prod"], result="x")
    with pytest.raises(StateConflict):
        acknowledge_receipt(receiver=receiver(item, "prod"), actor=org["officer_prod"])


def test_officer_records_receipt_and_answer_of_an_external_unit(org, make_item, frozen):
    contact = ExternalContactFactory()
    item = make_item(receivers=[{"kind": "external", "external_unit": contact.external_unit, "contact": contact}])
    item = submit_item(item=item, actor=org["officer_market"])
    transmit_item(item=item, actor=org["officer_market"], methods=["letter"])
    external = item.receivers.get()

    with pytest.raises(NotAllowed):
        acknowledge_receipt(receiver=external, actor=org["officer_prod"])
    acknowledge_receipt(receiver=external, actor=org["officer_market"])
    answer_receiver(receiver=external, actor=org["officer_market"], result="客户同意延期")

    assert Item.objects.get(pk=item.pk).state == Item.State.COMPLETED


def test_person_receiver_answers_for_themselves(org, make_item, frozen):
    item = submit_item(item=make_item(receivers=[{"kind": "user", "user": org["employee"]}]),
                       actor=org["officer_market"])
    transmit_item(item=item, actor=org["officer_market"], methods=["system"])

    with pytest.raises(NotAllowed):
        answer_receiver(receiver=item.receivers.get(), actor=org["head_market"], result="x")
    answer_receiver(receiver=item.receivers.get(), actor=org["employee"], result="收到，已处理")

    assert Item.objects.get(pk=item.pk).state == Item.State.COMPLETED


def test_notice_completes_when_everyone_signed(org, make_item, frozen):
    item = make_item(kind="notice", receivers=[{"kind": "unit", "unit": org["prod"]}, {"kind": "all_staff"}])
    item = submit_item(item=item, actor=org["officer_market"])
    transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    assert Item.objects.get(pk=item.pk).state == Item.State.TRANSMITTED
    assert Receiver.objects.get(item=item, kind="all_staff").state == Receiver.State.ACKNOWLEDGED

    acknowledge_receipt(receiver=receiver(item, "prod"), actor=org["officer_prod"])

    item = Item.objects.get(pk=item.pk)
    assert item.state == Item.State.COMPLETED
    assert item.actual_feedback_at is None


def test_notice_to_all_staff_completes_when_the_portal_sends_it_on_submission(org, make_item, frozen):
    item = submit_item(item=make_item(kind="notice", receivers=[{"kind": "all_staff"}]), actor=org["officer_market"])

    item = Item.objects.get(pk=item.pk)
    assert item.state == Item.State.COMPLETED
    assert list(item.transmissions.values_list("methods", flat=True)) == ["system"]


def test_manual_completion(org, sent, make_item, frozen):
    with pytest.raises(StateConflict) as error:
        complete_item(item=sent, actor=org["officer_market"])
    assert error.value.message == "尚有 2 个接收方未反馈，不能办结。"
    notice = submit_item(item=make_item(kind="notice"), actor=org["officer_market"])
    transmit_item(item=notice, actor=org["officer_market"], methods=["system"])
    with pytest.raises(NotAllowed):
        complete_item(item=notice, actor=org["officer_prod"])

    complete_item(item=notice, actor=org["officer_market"])

    assert Item.objects.get(pk=notice.pk).state == Item.State.COMPLETED


def test_question_defaults_to_one_working_day_and_the_unit_replies(org, sent, frozen):
    question = raise_question(receiver=receiver(sent, "prod"), actor=org["officer_prod"], kind="coordination",
                              text="需财务部确认备料资金", responsible_unit=org["finance"])

    assert question.due_at == NOW + dt.timedelta(days=1)
    with pytest.raises(NotAllowed):
        reply_question(question=question, actor=org["employee"], reply="x")
    reply_question(question=question, actor=org["finance"].head, reply="资金已安排")
    question.refresh_from_db()
    assert question.state == Question.State.ANSWERED
    with pytest.raises(StateConflict):
        reply_question(question=question, actor=org["finance"].head, reply="again")


def test_question_bad_input_and_wrong_user(org, sent, frozen):
    prod = receiver(sent, "prod")
    with pytest.raises(InvalidInput):
        raise_question(receiver=prod, actor=org["officer_prod"], kind="gossip", text="x", responsible_unit=org["prod"])
    with pytest.raises(InvalidInput):
        raise_question(receiver=prod, actor=org["officer_prod"], kind="question", text="", responsible_unit=org["prod"])
    with pytest.raises(InvalidInput):
        raise_question(receiver=prod, actor=org["officer_prod"], kind="question", text="x", responsible_unit=None)
    with pytest.raises(InvalidInput):
        raise_question(receiver=prod, actor=org["officer_prod"], kind="question", text="x",
                       responsible_unit=org["prod"], due_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(NotAllowed):
        raise_question(receiver=prod, actor=org["officer_market"], kind="question", text="x",
                       responsible_unit=org["prod"])


def test_progress_updates(org, sent, approved):
    post_progress(item=sent, actor=org["officer_market"], text="已电话催办")
    post_progress(item=sent, actor=org["officer_prod"], text="正在核查", receiver=receiver(sent, "prod"))

    with pytest.raises(NotAllowed):
        post_progress(item=sent, actor=org["officer_prod"], text="x")
    with pytest.raises(NotAllowed):
        post_progress(item=sent, actor=org["officer_prod"], text="x", receiver=receiver(sent, "finance"))
    with pytest.raises(InvalidInput):
        post_progress(item=sent, actor=org["officer_market"], text="")
    assert sent.updates.count() == 2


def test_answer_files_are_checked_and_kept(org, sent):
    answer_receiver(receiver=receiver(sent, "prod"), actor=org["officer_prod"], result="见附件",
                    files=[pdf_upload("reply.pdf")])

    attachment = Attachment.objects.get(purpose="answer")
    assert attachment.receiver == receiver(sent, "prod")
    assert attachment.original_name == "reply.pdf"


# --- incoming (收文) ------------------------------------------------------------------


def incoming_fields(**extra):
    return {"subject": "关于开展安全生产大检查的通知", "summary": "请于月底前完成自查。",
            "expected_feedback_at": timezone.now() + dt.timedelta(days=14), **extra}


def test_secretariat_registers_incoming_and_departments_answer(org, frozen):
    org["secretary"].profile.unit = org["finance"]
    org["secretary"].profile.save()

    item = register_incoming(actor=org["secretary"], fields=incoming_fields(), source_name="市应急管理局",
                             source_reference="市应急〔2026〕5号", received_at=timezone.now() - dt.timedelta(hours=2),
                             unit_ids=[org["market"].pk, org["prod"].pk])

    assert item.direction == "incoming" and item.state == Item.State.TRANSMITTED
    assert item.number == "SW-2026-001"
    assert item.receivers.filter(state="sent").count() == 2
    answer_receiver(receiver=receiver(item, "market"), actor=org["officer_market"], result="已自查")
    answer_receiver(receiver=receiver(item, "prod"), actor=org["head_prod"], result="已自查")
    assert Item.objects.get(pk=item.pk).state == Item.State.COMPLETED


def test_only_the_secretariat_registers_incoming(org, frozen):
    with pytest.raises(NotAllowed):
        register_incoming(actor=org["officer_market"], fields=incoming_fields(unit=org["market"]),
                          source_name="x", source_reference="", received_at=timezone.now(),
                          unit_ids=[org["prod"].pk])


def test_incoming_bad_input(org, frozen):
    base = dict(actor=org["secretary"], source_reference="", received_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(InvalidInput):
        register_incoming(fields=incoming_fields(unit=org["market"]), source_name="x", unit_ids=[], **base)
    with pytest.raises(InvalidInput):
        register_incoming(fields=incoming_fields(unit=org["market"]), source_name=" ", unit_ids=[org["prod"].pk],
                          **base)
    with pytest.raises(InvalidInput):
        register_incoming(fields=incoming_fields(unit=org["market"], expected_feedback_at=None), source_name="x",
                          unit_ids=[org["prod"].pk], **base)
    with pytest.raises(InvalidInput):
        register_incoming(actor=org["secretary"], fields=incoming_fields(unit=org["market"]), source_name="x",
                          source_reference="", received_at=timezone.now() + dt.timedelta(days=1),
                          unit_ids=[org["prod"].pk])
    assert not Item.objects.exists()

"""Retention and disposal: appraisal (鉴定), holds, disposal batches proposed
by the secretariat and decided by a supervising leader (never the same
person), destruction with a permanent destruction-list line, gap notes.

Appraisals and destruction lines are sealed links of the archive chain, taken
under the same ``chain`` counter lock as archiving.
"""
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.models import Attachment, Item
from liaison import audit
from liaison.errors import ArchiveInvalid, ArchiveNotAllowed, ArchiveStateConflict

from .. import seal as S
from ..models import (
    Appraisal,
    ArchiveCounter,
    ArchivedFile,
    ArchivedRecord,
    DestructionEntry,
    DisposalBatch,
    GapExplanation,
    Hold,
    Retention,
    retention_end,
    retention_rank,
)
from ..permissions import can_decide_disposal, can_manage


def _require_manager(actor):
    if not can_manage(actor):
        raise ArchiveNotAllowed(_("只有秘书处可以进行此操作。"))


def _next_link():
    """Lock the chain and return (position, previous seal) for a new link."""
    chain, _created = ArchiveCounter.objects.select_for_update().get_or_create(key="chain")
    chain.last += 1
    chain.save(update_fields=["last"])
    _pos, prev = S.chain_head()
    return chain.last, prev


def _name(user):
    return "%s（%s）" % (user.get_full_name() or user.get_username(), user.get_username())


@transaction.atomic
def appraise_record(*, record, actor, new_retention, reason) -> Appraisal:
    """Extend a record's retention after appraisal; old and new are kept in a
    sealed Appraisal. Raises ArchiveInvalid for a shorter or equal retention
    or no reason, ArchiveStateConflict for a destroyed record."""
    _require_manager(actor)
    if not (reason or "").strip():
        raise ArchiveInvalid(_("请填写鉴定意见。"))
    if new_retention not in Retention.values:
        raise ArchiveInvalid(_("保管期限无效。"))
    position, prev = _next_link()
    record = ArchivedRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_destroyed:
        raise ArchiveStateConflict(_("档案 %(number)s 已销毁。") % {"number": record.number})
    if retention_rank(new_retention) <= retention_rank(record.retention):
        raise ArchiveInvalid(_("鉴定只能延长保管期限：%(number)s 现为%(current)s。") % {
            "number": record.number, "current": record.get_retention_display()})
    appraisal = Appraisal(record=record, position=position, old_retention=record.retention,
                          new_retention=new_retention, reason=reason.strip(), by=actor, at=timezone.now())
    appraisal.seal = S.appraisal_seal(S.seal_key(), prev, appraisal)
    appraisal.save()
    record.retention = new_retention
    record.retention_until = retention_end(record.completed_at, new_retention)
    record.save_lifecycle(["retention", "retention_until"])
    return appraisal


@transaction.atomic
def set_hold(*, record, actor, reason) -> Hold:
    _require_manager(actor)
    if not (reason or "").strip():
        raise ArchiveInvalid(_("请填写暂停销毁的原因。"))
    record = ArchivedRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_destroyed:
        raise ArchiveStateConflict(_("档案 %(number)s 已销毁。") % {"number": record.number})
    hold = Hold(record=record, reason=reason.strip(), set_by=actor)
    hold._history_user = actor
    hold.save()
    return hold


@transaction.atomic
def lift_hold(*, hold, actor, reason) -> Hold:
    _require_manager(actor)
    if not (reason or "").strip():
        raise ArchiveInvalid(_("请填写解除原因。"))
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ArchiveStateConflict(_("该暂停销毁已解除。"))
    hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, timezone.now(), reason.strip()
    hold._history_user = actor
    hold.save()
    return hold


def _check_disposable(records, today):
    problems = []
    held = set(Hold.objects.filter(record__in=records, lifted_at__isnull=True).values_list("record_id", flat=True))
    for r in records:
        if r.is_destroyed:
            problems.append(_("%(number)s 已销毁") % {"number": r.number})
        elif r.is_permanent:
            problems.append(_("%(number)s 为永久保管") % {"number": r.number})
        elif r.retention_until is None or r.retention_until >= today:
            problems.append(_("%(number)s 保管期限未满") % {"number": r.number})
        elif r.pk in held:
            problems.append(_("%(number)s 已暂停销毁") % {"number": r.number})
    if problems:
        raise ArchiveStateConflict(_("以下档案不能销毁：%(list)s。") % {"list": "；".join(problems)})


@transaction.atomic
def propose_disposal(*, records, actor, supervisors, reason) -> DisposalBatch:
    """The secretariat proposes destroying records past retention, naming two
    destruction supervisors (监销人)."""
    _require_manager(actor)
    records = list(ArchivedRecord.objects.select_for_update().filter(pk__in=[r.pk for r in records]).order_by("pk"))
    if not records:
        raise ArchiveInvalid(_("请选择要销毁的档案。"))
    if not (reason or "").strip():
        raise ArchiveInvalid(_("请填写鉴定意见。"))
    supervisors = [s for s in supervisors if s is not None]
    if len(supervisors) != 2 or supervisors[0].pk == supervisors[1].pk:
        raise ArchiveInvalid(_("请指定两名不同的监销人。"))
    _check_disposable(records, timezone.localdate())
    pending = DisposalBatch.objects.filter(state=DisposalBatch.State.PROPOSED, records__in=records).exists()
    if pending:
        raise ArchiveStateConflict(_("部分档案已在待审批的销毁申请中。"))
    batch = DisposalBatch(reason=reason.strip(), proposed_by=actor, supervisor_1=supervisors[0],
                          supervisor_2=supervisors[1])
    batch._history_user = actor
    batch.save()
    batch.records.set(records)
    return batch


@transaction.atomic
def decide_disposal(*, batch, actor, approve, note="") -> DisposalBatch:
    """A supervising leader other than the proposer approves (content, search
    entries and files purged; a sealed destruction-list line per record) or
    refuses. A record put on hold since the proposal blocks the approval."""
    if not can_decide_disposal(actor):
        raise ArchiveNotAllowed(_("只有分管领导可以审批销毁。"))
    batch = DisposalBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.proposed_by_id == actor.pk:
        raise ArchiveNotAllowed(_("提出销毁的人不能审批自己的申请。"))
    if batch.state != DisposalBatch.State.PROPOSED:
        raise ArchiveStateConflict(_("该销毁申请已处理。"))
    now = timezone.now()
    batch.decided_by, batch.decided_at, batch.decision_note = actor, now, (note or "").strip()
    batch._history_user = actor
    if not approve:
        if not batch.decision_note:
            raise ArchiveInvalid(_("不批准时请填写理由。"))
        batch.state = DisposalBatch.State.REFUSED
        batch.save()
        return batch
    records = list(batch.records.order_by("pk"))
    _check_disposable(records, timezone.localdate())
    batch.state = DisposalBatch.State.APPROVED
    batch.save()
    key = S.seal_key()
    supervisors = "、".join(_name(u) for u in (batch.supervisor_1, batch.supervisor_2))
    doomed_files = []
    for record in records:
        position, prev = _next_link()
        record = ArchivedRecord.objects.select_for_update().get(pk=record.pk)
        entry = DestructionEntry(
            record=record, batch=batch, position=position, number=record.number, subject=record.subject,
            classification=" / ".join((record.class_top, record.class_mid, record.class_date)),
            completed_at=record.completed_at, archived_at=record.archived_at, retention=record.retention,
            retention_until=record.retention_until, proposer=_name(batch.proposed_by), approver=_name(actor),
            supervisors=supervisors, destroyed_at=now,
        )
        entry.seal = S.destruction_seal(key, prev, entry)
        entry.save()
        doomed_files.extend(ArchivedFile.objects.filter(record=record).values_list("file", flat=True))
        # The sealed query set refuses deletes; destruction is the one path that removes file rows.
        models.QuerySet.delete(ArchivedFile.objects.filter(record=record))
        record.state = ArchivedRecord.State.DESTROYED
        record.content = ""
        record.search_text = ""
        record.destroyed_at = now
        record.save_lifecycle(["state", "content", "search_text", "destroyed_at"])
        _purge_item(record.item_id, actor)
    # Files go once the destruction is committed, so a rollback loses nothing.
    transaction.on_commit(lambda: [default_storage.delete(name) for name in doomed_files])
    return batch


def _purge_item(item_id, actor):
    """The destroyed record's item keeps its number and subject (the
    destruction list names them) but loses its content and attachments."""
    item = Item.objects.select_for_update().get(pk=item_id)
    item.summary = _("（内容已按档案销毁程序销毁）")
    item.remarks = ""
    item._history_user = actor
    item._change_reason = "archive-destroy"
    item.save(update_fields=["summary", "remarks"])
    for attachment in Attachment.objects.filter(item_id=item_id):
        name = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda name=name: default_storage.delete(name))


@transaction.atomic
def explain_gap(*, year, sequence, actor, explanation) -> GapExplanation:
    _require_manager(actor)
    if not (explanation or "").strip():
        raise ArchiveInvalid(_("请填写断号说明。"))
    if ArchivedRecord.objects.filter(year=year, sequence=sequence).exists():
        raise ArchiveInvalid(_("ND-%(year)s-%(seq)s 并未缺失。") % {"year": year, "seq": sequence})
    gap, _created = GapExplanation.objects.update_or_create(
        year=year, sequence=sequence, defaults={"explanation": explanation.strip(), "by": actor}
    )
    return gap


@transaction.atomic
def set_named_archivists(*, record, actor, users):
    """Name the archivists who may open a restricted record."""
    _require_manager(actor)
    record.named_archivists.set(users)
    audit.record(audit.Action.PERMISSION_CHANGE, user=actor, obj=record,
                 detail="named archivists: %s" % ", ".join(u.get_username() for u in users))

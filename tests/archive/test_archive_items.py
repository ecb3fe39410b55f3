"""archive_items: several items archived in one transaction through
archive_item's code make the very records, files, history and audit rows
that archiving them one by one makes, in a few queries per record."""
import itertools
import re
import uuid

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import transaction

from archive.models import ArchivedFile, ArchivedRecord, ArchiveCounter
from archive.services import archive_item
from archive.services.archiving import archive_items
from archive.verify import verify
from infoflow.models import Category, Direction, Item, ProgressUpdate, Question, Receiver
from liaison.errors import ArchiveNotAllowed, ArchiveStateConflict
from liaison.models import AuditEntry
from officers.models import ExternalUnit
from tests.factories import ExternalUnitFactory

from .conftest import PDF, PNG, at


@pytest.fixture
def mixed_items(make_item, market, officer_market):
    """Internal (with files, a question and a progress update), external to
    a regulator, incoming from a customer with a category, restricted."""
    regulator = ExternalUnitFactory(name="市市场监督管理局", kind=ExternalUnit.Kind.REGULATOR)
    ExternalUnitFactory(name="华南客户公司", kind=ExternalUnit.Kind.CUSTOMER)
    category = Category.objects.create(code="t_complaint", name="客户投诉t")
    internal = make_item(subject="内部通知", files=[("合同.pdf", PDF), ("现场.png", PNG)], project="年度合同")
    receiver = internal.receivers.get()
    Question.objects.create(item=internal, receiver=receiver, text="何时完成？", raised_by=officer_market,
                            responsible_unit=market, due_at=at("2026-03-03 10:00"), reply="周五前")
    ProgressUpdate.objects.create(item=internal, receiver=receiver, text="已完成一半", posted_by=officer_market,
                                  posted_at=at("2026-03-01 15:00"))
    external = make_item(subject="致监管", direction=Direction.EXTERNAL, completed_at="2026-04-01 10:00")
    Receiver.objects.create(item=external, kind=Receiver.Kind.EXTERNAL, external_unit=regulator)
    incoming = make_item(subject="客户来函", direction=Direction.INCOMING, source_name="华南客户公司", category=category,
                         completed_at="2025-12-31 23:30")
    restricted = make_item(subject="内部受限", confidentiality="restricted", files=[("附件.pdf", PDF)])
    return [internal, external, incoming, restricted]


def _made():
    """Everything archiving wrote, without row ids."""
    records = [
        {k: v for k, v in vars(r).items() if k not in ("_state", "id")}
        for r in ArchivedRecord.objects.order_by("position")
    ]
    files = list(ArchivedFile.objects.order_by("record__position", "index").values_list(
        "record__number", "index", "file", "original_name", "recorded_type", "detected_type", "size", "sha256",
        "purpose"))
    contents = [default_storage.open(f[2]).read() for f in files]
    history = [
        (h.state, h.archive_number, h.history_user_id, h.history_change_reason, h.history_date)
        for item in Item.objects.order_by("pk") for h in item.history.filter(history_change_reason="archive")
    ]
    # Without the records' ids (object_id, in object_repr and under the seal): PostgreSQL's
    # sequences do not roll back, so the second run's ids are new ones.
    audit = [row[:5] + (re.sub(r"#\d+", "#", row[5]), row[6]) for row in AuditEntry.objects.filter(
        detail__startswith="archive ").order_by("id").values_list(
        "at", "user_id", "username", "action", "object_type", "object_repr", "detail")]
    counters = dict(ArchiveCounter.objects.values_list("key", "last"))
    return records, files, contents, history, audit, counters


def _fixed_uuids(monkeypatch):
    numbers = itertools.count(1)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(numbers)))


@pytest.mark.django_db
def test_archiving_together_makes_what_archiving_one_by_one_makes(mixed_items, secretary, monkeypatch):
    with time_machine.travel(at("2026-04-10 09:00"), tick=False):
        _fixed_uuids(monkeypatch)
        with transaction.atomic():
            for item in mixed_items:
                archive_item(item=item, actor=secretary)
            one_by_one = _made()
            for name in one_by_one[1]:
                default_storage.delete(name[2])
            transaction.set_rollback(True)
        assert not ArchivedRecord.objects.exists()

        _fixed_uuids(monkeypatch)
        records = archive_items(items=mixed_items, actor=secretary)
        together = _made()

    assert [r.item_id for r in records] == [i.pk for i in mixed_items]
    assert together == one_by_one
    assert [r["importance"] for r in together[0]] == ["normal", "important", "normal", "restricted"]
    assert [r["class_top"] for r in together[0]] == ["市场部", "监管部门", "客户", "市场部"]
    assert "何时完成？" in together[0][0]["content"] and "已完成一半" in together[0][0]["content"]
    assert verify().ok


@pytest.mark.django_db
def test_items_archived_already_return_their_records(make_item):
    done = make_item()
    first = archive_item(item=done)
    fresh = make_item()

    records = archive_items(items=[done.pk, fresh, done])

    assert records[0].pk == records[2].pk == first.pk
    assert records[1].number == "ND-2026-1002" and records[1].position == 2
    assert ArchivedRecord.objects.count() == 2 and verify().ok


@pytest.mark.django_db
def test_one_unfinished_item_archives_none_and_leaves_no_files(make_item):
    items = [make_item(files=[("合同.pdf", PDF)]), make_item(state=Item.State.TRANSMITTED, completed_at=None)]

    with pytest.raises(ArchiveStateConflict):
        archive_items(items=items)

    assert not ArchivedRecord.objects.exists() and not ArchiveCounter.objects.filter(last__gt=0).exists()
    assert Item.objects.get(pk=items[0].pk).state == Item.State.COMPLETED
    folders, files = default_storage.listdir("archive/2026") if default_storage.exists("archive/2026") else ([], [])
    assert not any(default_storage.listdir("archive/2026/" + folder)[1] for folder in folders)


@pytest.mark.django_db
def test_only_the_secretariat_archives_together(make_item, officer_market):
    with pytest.raises(ArchiveNotAllowed):
        archive_items(items=[make_item()], actor=officer_market)
    assert not ArchivedRecord.objects.exists()


@pytest.mark.django_db
def test_queries_grow_by_a_few_per_record(make_item, django_assert_max_num_queries):
    """The snapshot's rows, the retention table and the counters are read
    once: per record an insert, the item's update and history row and the
    audit row (lock, previous seal, insert)."""
    items = [make_item(subject="批量%d" % n) for n in range(12)]
    with django_assert_max_num_queries(30 + 6 * 12):
        archive_items(items=items)
    assert verify().ok

import threading

import pytest
import time_machine
from django.db import connection, transaction

from archive.models import ArchivedFile, ArchivedRecord, Importance, Retention, RetentionRule
from archive.services import archive_due_items, archive_item
from infoflow.models import Category, Direction, Item, Receiver
from liaison.errors import ArchiveNotAllowed, ArchiveStateConflict
from officers.models import ExternalUnit
from tests.factories import ExternalUnitFactory

from .conftest import PDF, PNG, at


@pytest.mark.django_db
def test_numbers_start_at_1001_per_year_of_completion(make_item):
    first = archive_item(item=make_item(completed_at="2025-12-31 23:30"))
    second = archive_item(item=make_item(completed_at="2026-01-02 10:00"))
    third = archive_item(item=make_item(completed_at="2026-01-05 10:00"))

    assert [first.number, second.number, third.number] == ["ND-2025-1001", "ND-2026-1001", "ND-2026-1002"]
    assert [first.position, second.position, third.position] == [1, 2, 3]


@pytest.mark.django_db
def test_archiving_marks_the_item_archived_with_history(make_item, secretary):
    item = make_item()

    record = archive_item(item=item, actor=secretary)

    item.refresh_from_db()
    assert item.state == Item.State.ARCHIVED and item.archive_number == record.number
    last = item.history.first()
    assert last.history_user == secretary and last.history_change_reason == "archive"


@pytest.mark.django_db
def test_a_rolled_back_archiving_burns_no_number(make_item):
    item = make_item()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            archive_item(item=item)
            raise RuntimeError("boom")

    record = archive_item(item=make_item())

    assert record.number == "ND-2026-1001" and record.position == 1


@pytest.mark.django_db
def test_archiving_twice_returns_the_same_record(make_item):
    item = make_item()

    first = archive_item(item=item)
    second = archive_item(item=item)

    assert first.pk == second.pk and ArchivedRecord.objects.count() == 1


@pytest.mark.django_db
def test_unfinished_item_is_refused(make_item):
    item = make_item(state=Item.State.TRANSMITTED, completed_at=None)

    with pytest.raises(ArchiveStateConflict) as exc:
        archive_item(item=item)

    assert exc.value.message == "信息 %s 尚未办结，不能归档。" % item.number


@pytest.mark.django_db
def test_only_the_secretariat_archives_early(make_item, officer_market):
    with pytest.raises(ArchiveNotAllowed):
        archive_item(item=make_item(), actor=officer_market)

    assert not ArchivedRecord.objects.exists()


@pytest.mark.django_db
def test_internal_classification_is_department_project_date(make_item):
    record = archive_item(item=make_item(project="华东渠道", completed_at="2026-03-02 10:00"))

    assert (record.class_top, record.class_mid, record.class_date) == ("市场部", "华东渠道", "2026-03")


@pytest.mark.django_db
def test_external_classification_is_unit_type_matter_date(make_item):
    regulator = ExternalUnitFactory(name="市市场监督管理局", kind=ExternalUnit.Kind.REGULATOR)
    item = make_item(direction=Direction.EXTERNAL, project="年报抽查", completed_at="2026-04-01 10:00")
    Receiver.objects.create(item=item, kind=Receiver.Kind.EXTERNAL, external_unit=regulator)

    record = archive_item(item=item)

    assert (record.unit_type, record.class_top, record.class_mid, record.class_date) == (
        "regulator", "监管部门", "年报抽查", "2026-04")
    assert record.importance == Importance.IMPORTANT  # letters to a regulator


@pytest.mark.django_db
def test_incoming_classification_uses_the_senders_type_and_category(make_item):
    ExternalUnitFactory(name="华南客户公司", kind=ExternalUnit.Kind.CUSTOMER)
    category = Category.objects.create(code="t_complaint", name="客户投诉t")
    item = make_item(direction=Direction.INCOMING, source_name="华南客户公司", category=category)

    record = archive_item(item=item)

    assert (record.class_top, record.class_mid) == ("客户", "客户投诉t")


@pytest.mark.django_db
@pytest.mark.parametrize("fields,importance,retention", [
    ({}, Importance.NORMAL, Retention.D1),
    ({"has_legal_effect": True}, Importance.IMPORTANT, Retention.D5),
    ({"confidentiality": "restricted"}, Importance.RESTRICTED, Retention.D10),
])
def test_default_retention_table(make_item, fields, importance, retention):
    record = archive_item(item=make_item(completed_at="2026-03-02 10:00", **fields))

    assert (record.importance, record.retention) == (importance, retention)
    years = {"D1": 1, "D5": 5, "D10": 10}[retention]
    assert record.retention_until.isoformat() == "%d-03-02" % (2026 + years)


@pytest.mark.django_db
def test_category_row_of_the_retention_table_wins_and_permanent_has_no_end(make_item):
    contracts = Category.objects.create(code="t_contract", name="合同t")
    RetentionRule.objects.create(category=contracts, importance=Importance.IMPORTANT, retention=Retention.PERMANENT)
    RetentionRule.objects.filter(category=None, importance=Importance.NORMAL).delete()
    RetentionRule.objects.create(category=None, importance=Importance.NORMAL, retention=Retention.D30)

    permanent = archive_item(item=make_item(category=contracts, is_major=True))
    thirty = archive_item(item=make_item())

    assert (permanent.retention, permanent.retention_until) == ("Y", None)
    assert (thirty.retention, thirty.retention_until.isoformat()) == ("D30", "2056-03-02")


@pytest.mark.django_db
def test_fonds_code_when_the_organisation_sets_its_fonds_number(make_item, settings):
    settings.ARCHIVE_FONDS_NUMBER = "Z109"
    settings.ARCHIVE_ORG_CODE = "BGS"

    record = archive_item(item=make_item())

    assert record.fonds_code == "Z109-WS·2026-D1-BGS-1001"


@pytest.mark.django_db
def test_snapshot_holds_opinions_answers_and_the_archives_own_file_copies(make_item):
    item = make_item(files=[("合同.pdf", PDF), ("现场.png", PNG)])

    record = archive_item(item=item)

    files = list(record.files.all())
    assert [f.original_name for f in files] == ["合同.pdf", "现场.png"]
    assert [f.detected_type for f in files] == ["application/pdf", "image/png"]
    assert files[0].file.name.startswith("archive/2026/ND-2026-1001/")
    assert files[0].file.read() == PDF
    assert "同意，请尽快办理" in record.content and "已按要求完成续签" in record.content
    assert record.file_count == 2 and ArchivedFile.objects.count() == 2
    assert "合 同 续 签" in record.search_text


@pytest.mark.django_db
def test_sweep_archives_after_two_working_days(make_item):
    item = make_item(completed_at="2026-03-06 16:00")  # a Friday

    with time_machine.travel(at("2026-03-10 15:00")):
        early = archive_due_items()
    with time_machine.travel(at("2026-03-10 16:30")):
        due = archive_due_items()
        again = archive_due_items()

    assert early == [] and [r.item_id for r in due] == [item.pk] and again == []


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    errors, results = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 — the assertion reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_archiving_one_item_make_one_record(make_item):
    item = make_item()

    results, errors = _race(lambda i: archive_item(item=item).pk)

    assert errors == [] and len(set(results)) == 1
    assert ArchivedRecord.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_archiving_gives_gapless_numbers_and_one_chain(make_item):
    from archive.verify import verify

    items = [make_item() for _ in range(4)]

    results, errors = _race(lambda i: archive_item(item=items[i]).number, n=4)

    assert errors == []
    assert sorted(results) == ["ND-2026-1001", "ND-2026-1002", "ND-2026-1003", "ND-2026-1004"]
    assert verify().ok

"""The seal chain catches changes made behind the application's back."""
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from archive.models import ArchivedFile, ArchivedRecord
from archive.services import archive_item
from archive.verify import make_anchor, verify
from liaison import audit
from liaison.models import AuditEntry

from .conftest import PDF, PNG


@pytest.fixture
def three(make_item):
    return [archive_item(item=make_item(subject="记录%d" % i, files=[("a%d.pdf" % i, PDF), ("b.png", PNG)]))
            for i in range(3)]


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def failing(result):
    return result.failing_labels


@pytest.mark.django_db
def test_untouched_archive_verifies(three):
    result = verify()

    assert result.ok, result.failures
    assert result.records == 3 and result.links == 3


@pytest.mark.django_db
def test_a_field_altered_with_plain_sql_is_named(three):
    sql("UPDATE archive_archivedrecord SET subject = %s WHERE id = %s", ["改过的题名", three[1].pk])

    assert failing(verify()) == ["ND-2026-1002"]


@pytest.mark.django_db
def test_content_altered_with_its_hash_recomputed_is_caught(three):
    content = three[0].content.replace("同意，请尽快办理", "不同意")
    sql("UPDATE archive_archivedrecord SET content = %s, content_sha256 = %s WHERE id = %s",
        [content, hashlib.sha256(content.encode()).hexdigest(), three[0].pk])

    assert failing(verify()) == ["ND-2026-1001"]


@pytest.mark.django_db
def test_a_deleted_middle_row_breaks_the_next_one(three):
    sql("DELETE FROM archive_archivedfile WHERE record_id = %s", [three[1].pk])
    sql("DELETE FROM archive_archivedrecord WHERE id = %s", [three[1].pk])

    result = verify()

    assert failing(result) == ["ND-2026-1003"]
    assert any("缺失" in m for _l, m in result.failures)


@pytest.mark.django_db
def test_a_deleted_newest_row_is_caught_by_the_anchor(three, tmp_path):
    anchor = make_anchor()
    sql("DELETE FROM archive_archivedfile WHERE record_id = %s", [three[2].pk])
    sql("DELETE FROM archive_archivedrecord WHERE id = %s", [three[2].pk])
    sql("UPDATE archive_archivecounter SET last = last - 1 WHERE key = 'chain'")

    assert verify().ok  # without the anchor the shorter chain looks whole
    result = verify(anchor)

    assert failing(result) == ["锚点"]


@pytest.mark.django_db
def test_swapped_numbers_are_caught(three):
    sql("UPDATE archive_archivedrecord SET number = 'tmp' WHERE id = %s", [three[0].pk])
    sql("UPDATE archive_archivedrecord SET number = %s WHERE id = %s", ["ND-2026-1001", three[1].pk])
    sql("UPDATE archive_archivedrecord SET number = %s WHERE id = %s", ["ND-2026-1002", three[0].pk])

    assert failing(verify()) == ["ND-2026-1001", "ND-2026-1002"]


@pytest.mark.django_db
def test_resealing_later_rows_with_plain_sha256_is_caught(three):
    sql("UPDATE archive_archivedrecord SET subject = %s WHERE id = %s", ["改过的题名", three[1].pk])
    prev = three[0].seal
    for record in three[1:]:
        forged = hashlib.sha256((prev + record.content_sha256).encode()).hexdigest()
        sql("UPDATE archive_archivedrecord SET seal = %s WHERE id = %s", [forged, record.pk])
        prev = forged

    assert failing(verify()) == ["ND-2026-1002", "ND-2026-1003"]


@pytest.mark.django_db
def test_an_altered_attachment_file_is_caught(three):
    archived = three[1].files.get(index=1)
    with open(default_storage.path(archived.file.name), "ab") as fh:
        fh.write(b"tampered")

    result = verify()

    assert failing(result) == ["ND-2026-1002"]
    assert verify(check_files=False).ok  # it is the file hash that caught it


@pytest.mark.django_db
def test_swapped_attachment_files_are_caught(three):
    a = default_storage.path(three[0].files.get(index=1).file.name)
    b = default_storage.path(three[2].files.get(index=1).file.name)
    data_a, data_b = open(a, "rb").read(), open(b, "rb").read()
    open(a, "wb").write(data_b + b" ")
    open(b, "wb").write(data_a)

    assert failing(verify()) == ["ND-2026-1001"]  # same PDF bytes in b: only a differs


@pytest.mark.django_db
def test_a_file_row_pointing_at_another_file_is_caught(three):
    other = three[0].files.get(index=2).file.name
    sql("UPDATE archive_archivedfile SET file = %s WHERE record_id = %s AND \"index\" = 1", [other, three[1].pk])

    assert failing(verify()) == ["ND-2026-1002"]


@pytest.mark.parametrize("column, value, named", [
    ("original_name", "合同终稿.pdf", "文件名"),
    ("recorded_type", "application/x-msdownload", "登记类型"),
    ("detected_type", "image/png", "检测类型"),
    ("size", 1, "大小"),
    ("purpose", "evidence", "用途"),
])
@pytest.mark.django_db
def test_a_file_rows_name_type_size_or_purpose_changed_in_the_database_is_caught(three, column, value, named):
    sql('UPDATE archive_archivedfile SET "%s" = %%s WHERE record_id = %%s AND "index" = 1' % column,
        [value, three[1].pk])

    for result in (verify(), verify(check_files=False)):  # the sealed snapshot, not the file, catches it
        assert result.failures == [("ND-2026-1002", "附件 1 的%s与封存时不一致" % named)]


@pytest.mark.django_db
def test_a_file_row_pointing_at_an_identical_copy_elsewhere_is_caught(three):
    # Same bytes, so the file hash alone cannot tell: the sealed path does.
    other = three[0].files.get(index=1).file.name
    assert three[2].files.get(index=1).sha256 == three[0].files.get(index=1).sha256
    sql("UPDATE archive_archivedfile SET file = %s WHERE record_id = %s AND \"index\" = 1", [other, three[2].pk])

    assert verify(check_files=False).failures == [("ND-2026-1003", "附件 1 的存储路径与封存时不一致")]


@pytest.mark.django_db
def test_a_deleted_file_row_is_caught(three):
    sql("DELETE FROM archive_archivedfile WHERE record_id = %s AND \"index\" = 2", [three[2].pk])

    assert failing(verify()) == ["ND-2026-1003"]


# --- every change path of the application refuses ---------------------------------

@pytest.mark.django_db
def test_model_save_and_delete_refuse(three):
    record = ArchivedRecord.objects.get(pk=three[0].pk)
    record.subject = "新题名"

    with pytest.raises(PermissionDenied):
        record.save()
    with pytest.raises(PermissionDenied):
        record.delete()
    with pytest.raises(PermissionDenied):
        record.save_lifecycle(["subject"])
    with pytest.raises(PermissionDenied):
        three[0].files.first().delete()


@pytest.mark.django_db
def test_queryset_update_and_delete_refuse(three):
    with pytest.raises(PermissionDenied):
        ArchivedRecord.objects.filter(pk=three[0].pk).update(subject="x")
    with pytest.raises(PermissionDenied):
        ArchivedRecord.objects.all().delete()
    with pytest.raises(PermissionDenied):
        ArchivedFile.objects.all().update(sha256="0" * 64)

    assert verify().ok


@pytest.mark.django_db
def test_admin_is_read_only(three, admin_client):
    url = "/admin/archive/archivedrecord/%d/change/" % three[0].pk

    page = admin_client.get(url)
    posted = admin_client.post(url, {"subject": "新题名"})
    deleted = admin_client.post("/admin/archive/archivedrecord/%d/delete/" % three[0].pk, {"post": "yes"})

    assert page.status_code == 200 and b'name="subject"' not in page.content
    assert posted.status_code == 403 and deleted.status_code == 403
    assert ArchivedRecord.objects.get(pk=three[0].pk).subject == "记录0"


# --- the audit chain ------------------------------------------------------------------

@pytest.mark.django_db
def test_audit_rows_are_sealed_in_a_chain(three, secretary):
    audit.record(audit.Action.EXPORT, user=secretary, detail="目录")
    rows = list(AuditEntry.objects.order_by("id"))

    assert all(row.seal for row in rows) and verify().ok
    sql("UPDATE liaison_auditentry SET detail = %s WHERE id = %s", ["x", rows[-1].pk])

    assert failing(verify()) == ["审计日志 #%d" % rows[-1].pk]


@pytest.mark.django_db
def test_a_deleted_audit_row_is_caught(three, secretary):
    for n in range(3):
        audit.record(audit.Action.EXPORT, user=secretary, detail=str(n))
    rows = list(AuditEntry.objects.order_by("id"))
    sql("DELETE FROM liaison_auditentry WHERE id = %s", [rows[1].pk])

    assert failing(verify()) == ["审计日志 #%d" % rows[2].pk]


# --- the commands ------------------------------------------------------------------

@pytest.mark.django_db
def test_verify_archive_exits_1_naming_the_record(three, capsys, tmp_path):
    anchor = tmp_path / "anchor.json"
    call_command("anchor_archive", "-o", str(anchor))
    call_command("verify_archive", "--anchor", str(anchor))
    assert "OK records: 3" in capsys.readouterr().out
    assert json.loads(anchor.read_text())["archive"]["position"] == 3
    sql("UPDATE archive_archivedrecord SET importance = 'normal', paper_location = 'x' WHERE id = %s", [three[2].pk])

    with pytest.raises(SystemExit) as exc:
        call_command("verify_archive", "--anchor", str(anchor))

    out = capsys.readouterr().out
    assert exc.value.code == 1
    assert "FAIL ND-2026-1003" in out and "ND-2026-1001" not in out


@pytest.mark.django_db
def test_a_forged_anchor_is_refused(three, tmp_path):
    anchor = make_anchor()
    anchor["archive"]["position"] = 2

    assert failing(verify(anchor)) == ["锚点"]

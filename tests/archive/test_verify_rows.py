"""verify_archive's fast reading path: the database's spelling of the sealed
values is the seal's, the retention columns are still checked, and links
between records (appraisals, destruction lines) are still in the chain."""
import json
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection
from django.utils import timezone

from archive import seal as S
from archive.models import Retention, retention_end
from archive.services import archive_item
from archive.services.disposal import appraise_record
from archive.verify import (
    _PER_RECORD,
    _UNKNOWN,
    ROW_COLUMNS,
    _orm_record_rows,
    _RetentionEnds,
    _spelling,
    record_rows,
    verify,
)

from .conftest import PDF, at


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rows(iterator):
    return list(iterator)


@pytest.fixture
def records(make_item):
    # Odd microseconds: the database must cut them to the millisecond as ts() does (not round).
    made = []
    for n, completed in enumerate(["2026-03-02 10:00", "2026-03-02 23:59", "2026-02-28 08:00"]):
        item = make_item(subject="记录%d" % n, completed_at=completed, files=[("a.pdf", PDF)] if n == 1 else ())
        item.completed_at += timedelta(microseconds=123999 + n)
        item.save(update_fields=["completed_at"])
        made.append(archive_item(item=item))
    return made


@pytest.mark.django_db
def test_the_databases_spelling_is_the_seals(records, secretary, leader, auditor, legal):
    fast, reference = rows(record_rows()), rows(_orm_record_rows())

    assert fast == reference
    assert [row[0] for row in fast] == [1, 2, 3]
    column = dict(zip(ROW_COLUMNS, fast[0]))
    header = json.loads(column["header"])
    assert header[S.RECORD_HEADER_FIELDS.index("completed_at")] == "2026-03-02T02:00:00.123+00:00"  # 10:00 local
    assert isinstance(column["content"], bytes) and column["content"] == records[0].content.encode()


@pytest.mark.django_db
def test_headers_from_the_rows_give_the_stored_seals(records):
    prev = ""
    for row in rows(record_rows()):
        column = dict(zip(ROW_COLUMNS, row))
        assert S.mac(S.seal_key(), b"R", prev, column["header"].decode(), column["content_sha256"]) == column["seal"]
        prev = column["seal"]


@pytest.mark.django_db
def test_the_database_quotes_every_character_as_the_seal_does():
    spelling = _spelling(connection)
    sql = "SELECT %s" % spelling["header"].format(values=spelling["value"].format(c="CAST(%s AS TEXT)"))
    everything = "".join(chr(i) for i in range(1, 0x110000) if not 0xD800 <= i < 0xE000)

    with connection.cursor() as cursor:
        for i in range(0, len(everything), 50_000):
            text = everything[i:i + 50_000]
            cursor.execute(sql, [text])
            spelt = cursor.fetchone()[0]
            assert (spelt.encode() if isinstance(spelt, str) else bytes(spelt)) == S.header_of([text], ["x"]).encode()


@pytest.mark.django_db
def test_awkward_text_in_a_record_spells_the_same(make_item):
    record = archive_item(item=make_item(subject='题名 "引号" \\ 反斜杠\n换行\t\x01\u2028\U0001f600'))
    sql("UPDATE archive_archivedrecord SET paper_location = %s WHERE id = %s", ['\\"[1,2]"\x7f null', record.pk])

    assert rows(record_rows()) == rows(_orm_record_rows())
    assert verify().failing_labels == [record.number]


@pytest.mark.django_db
def test_retention_columns_changed_with_plain_sql_are_named(records):
    sql("UPDATE archive_archivedrecord SET retention_until = %s WHERE id = %s", ["2099-01-01", records[0].pk])
    sql("UPDATE archive_archivedrecord SET retention = 'Y', retention_until = NULL WHERE id = %s", [records[1].pk])
    sql("UPDATE archive_archivedrecord SET state = 'destroyed', content = '' WHERE id = %s", [records[2].pk])

    result = verify()

    assert result.failing_labels == ["ND-2026-1001", "ND-2026-1002", "ND-2026-1003"]
    messages = dict(result.failures)
    assert "保管到期日" in messages["ND-2026-1001"] and "保管期限" in messages["ND-2026-1002"]
    assert any("销毁清册" in m for label, m in result.failures if label == "ND-2026-1003")


@pytest.mark.django_db
def test_an_appraisal_between_records_is_a_link_of_the_chain(records, secretary, make_item):
    appraisal = appraise_record(record=records[0], actor=secretary, new_retention=Retention.D10, reason="仍有价值")
    later = archive_item(item=make_item(subject="之后"))
    assert later.position == appraisal.position + 1 and verify().ok

    sql("UPDATE archive_appraisal SET reason = %s WHERE id = %s", ["改过", appraisal.pk])

    assert verify().failing_labels == ["鉴定 #%d（档案 ID %d）" % (appraisal.position, records[0].pk)]


@pytest.mark.django_db
def test_a_deleted_appraisal_breaks_the_next_record(records, secretary, make_item):
    appraisal = appraise_record(record=records[0], actor=secretary, new_retention=Retention.D10, reason="仍有价值")
    archive_item(item=make_item(subject="之后"))
    sql("DELETE FROM archive_appraisal WHERE id = %s", [appraisal.pk])

    result = verify()

    # The record's D10 no longer matches an appraisal, and the next record misses its link.
    assert result.failing_labels == ["ND-2026-1001", "ND-2026-1004"]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "America/St_Johns", "Australia/Lord_Howe"])
def test_retention_end_by_the_hour_is_the_exact_one(zone):
    """Remembered per UTC hour, or left to a check per record where the hour
    crosses local midnight (half-hour offsets) or an offset change (DST)."""
    moments = []
    for start in ("2026-03-01T17:00", "2026-03-08T05:00", "2026-04-04T14:00", "2026-11-01T03:00",
                  "2026-10-03T15:00", "2024-02-28T18:00", "2026-03-02T01:00", "2026-06-01T12:00"):
        base = datetime.fromisoformat(start + ":00+00:00")
        moments += [base + timedelta(minutes=m, microseconds=m * 7) for m in range(0, 8 * 60, 7)]
    per_record = 0
    with timezone.override(zone):
        ends = _RetentionEnds()
        for moment in moments:
            for code in ("D1", "D30", "Y"):
                end = ends.for_hour(S.ts(moment)[:13], code)
                if end is _PER_RECORD:
                    per_record += 1
                    continue
                exact = retention_end(moment, code)
                assert end == (exact.isoformat() if exact else None), (moment, code)
        assert ends.for_hour("2026-01-01T00", "D7") is _UNKNOWN
    assert (per_record == 0) == (zone == "Asia/Shanghai")


@pytest.mark.django_db
def test_an_hour_across_local_midnight_is_checked_record_by_record(make_item, settings):
    """In India 18:10 and 18:40 UTC fall on two local dates, so two ends."""
    settings.TIME_ZONE = "Asia/Kolkata"
    with timezone.override("Asia/Kolkata"):
        # make_item's times are Shanghai's: 18:10 and 18:40 UTC, 23:40 and 00:10 in India.
        before = archive_item(item=make_item(subject="午夜前", completed_at="2026-03-03 02:10"))
        after = archive_item(item=make_item(subject="午夜后", completed_at="2026-03-03 02:40"))
        assert before.completed_at == datetime(2026, 3, 2, 18, 10, tzinfo=dt_timezone.utc)
        assert (before.retention_until.isoformat(), after.retention_until.isoformat()) == ("2027-03-02", "2027-03-03")
        assert verify().ok
        sql("UPDATE archive_archivedrecord SET retention_until = %s WHERE id = %s",
            [before.retention_until + timedelta(days=1), before.pk])

        assert verify().failing_labels == [before.number]


@pytest.mark.django_db
@pytest.mark.parametrize("char", ['"', "\\", "\x01", "\t", "\n", "\x1f", "\x7f", "\u2028", "中", "'", "[", ","])
def test_a_header_with_any_character_spells_as_the_seal_does(make_item, char):
    """PostgreSQL quotes text as it is unless a value needs escaping (then
    to_json()); either way a record's header is seal.header_of's."""
    record = archive_item(item=make_item(subject="题名%s之后" % char))
    for column in ("subject", "paper_location", "class_mid"):
        sql("UPDATE archive_archivedrecord SET %s = %%s WHERE id = %%s" % column, ["值%s%s" % (char, column), record.pk])
        assert rows(record_rows()) == rows(_orm_record_rows())
    assert verify().failing_labels == [record.number]


@pytest.mark.django_db
def test_reading_the_rows_leaves_the_connections_settings_as_they_were(records):
    if connection.vendor != "postgresql":
        pytest.skip("JIT and parallel workers are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
        cursor.execute("SET max_parallel_workers_per_gather = 3")
        assert len(rows(record_rows())) == 3
        cursor.execute("SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchone() == ("on", "3")

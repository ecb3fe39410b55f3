"""PostgreSQL: the compiled statements PREPAREd once per connection
(infoflow.compiled; issue 12) give the rows of the querysets they came from,
with each call's own ids, and a statement PostgreSQL cannot prepare runs as
before without breaking the transaction it was met in."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from infoflow import compiled, selectors
from tests.infoflow.portal import submitted, transmitted

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")


def test_placeholders_are_numbered_and_percent_signs_unescaped():
    assert compiled._numbered("a = %s AND b LIKE '%%x%%' AND c IN (%s, %s)") == \
        "a = $1 AND b LIKE '%x%' AND c IN ($2, $3)"


@postgresql_only
def test_prepared_once_per_connection_and_run_with_each_calls_ids(org, make_item):
    items = [transmitted(make_item, org), submitted(make_item, org), make_item()]
    build = selectors._item_history
    for item in items * 2:
        assert [r.pk for r in compiled.rows(build, item.pk)] == [r.pk for r in build(item.pk)]
    sql = compiled._cache[(build, connection.alias, connection.vendor, 1)][0]
    name = compiled._prepared(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        assert cursor.fetchone()[0] == 1
    # Later calls EXECUTE it (one query each, its SQL in a comment while logged).
    with CaptureQueriesContext(connection) as queries:
        rows = compiled.rows(build, items[0].pk)
    assert [r.pk for r in rows] == [r.pk for r in build(items[0].pk)]
    assert len(queries.captured_queries) == 1
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE %s (" % name)
    assert '"infoflow_historicalitem"' in queries.captured_queries[0]["sql"]


@postgresql_only
def test_the_visibility_rule_prepared_per_user_still_hides_the_item(org, make_item):
    """The item page's query (page_item) prepared: a user who may not see the item still gets a 404."""
    from django.http import Http404

    from infoflow.page_item import page_item

    item = submitted(make_item, org)
    owner, outsider = item.initiator, org["officer_prod"]
    assert not selectors.item_detail(outsider).filter(pk=item.pk).exists()
    for _ in range(7):  # past PostgreSQL's five custom plans, onto its generic plan
        assert page_item(owner, item.pk, probes=True).pk == item.pk
        with pytest.raises(Http404):
            page_item(outsider, item.pk, probes=True)
        assert page_item(owner, item.pk).pk == item.pk
        with pytest.raises(Http404):
            page_item(outsider, item.pk)


@postgresql_only
def test_a_statement_postgresql_cannot_prepare_runs_unprepared_and_the_transaction_goes_on(org):
    with transaction.atomic():
        bad = "SELECT id FROM lc_no_such_table WHERE id = %s"
        assert compiled._prepared(bad) is None  # PostgreSQL refuses it
        assert compiled._prepared(bad) is None  # remembered: not tried again
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


@postgresql_only
def test_with_preparing_off_the_statements_run_as_they_are(org, make_item, settings):
    """LIAISON_DB_PREPARE=0 (a pooler in transaction mode): no PREPARE, no EXECUTE, the same rows."""
    settings.LIAISON_DB_PREPARE = False
    item = transmitted(make_item, org)
    build = selectors._item_history
    with CaptureQueriesContext(connection) as queries:
        rows = compiled.rows(build, item.pk)
    assert [r.pk for r in rows] == [r.pk for r in build(item.pk)]
    assert [q["sql"][:7] for q in queries.captured_queries] == ["SELECT "]

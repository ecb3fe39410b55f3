"""PostgreSQL: statements prepared once per connection (LIAISON_DB_PREPARE:
server-side binding, psycopg preparing a statement on its second run;
liaison.db_prepare; issue 12). The compiled statements (infoflow.compiled)
give the rows of the querysets they came from with each call's own ids,
and the item page's visibility rule still hides the item once PostgreSQL
runs it from a generic plan."""
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoflow import compiled, selectors
from liaison import db_prepare
from tests.infoflow.portal import submitted, transmitted

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql" or not settings.LIAISON_DB_PREPARE,
                       reason="prepared statements are PostgreSQL's, with LIAISON_DB_PREPARE on"),
]


def _prepared_statements(sql: str) -> int:
    """How many of this connection's prepared statements are ``sql`` (its ``%s`` numbered as psycopg sends them)."""
    counter = iter(range(1, 1000))
    numbered = re.sub(r"%[s%]", lambda m: "%" if m.group() == "%%" else "$%d" % next(counter), sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [numbered])
        return cursor.fetchone()[0]


def test_a_connection_keeps_more_prepared_statements_than_psycopgs_default(org):
    connection.ensure_connection()
    assert connection.connection.prepared_max == db_prepare.PREPARED_MAX
    assert connection.connection.prepare_threshold == 2


def test_a_compiled_statement_is_prepared_once_and_run_with_each_calls_ids(org, make_item):
    items = [transmitted(make_item, org), submitted(make_item, org), make_item()]
    build = selectors._item_history
    assert [r.pk for r in compiled.rows(build, items[0].pk)] == [r.pk for r in build(items[0].pk)]
    sql = compiled._cache[(build, connection.alias, connection.vendor, 1)][0]
    assert _prepared_statements(sql) == 0  # run once: not yet prepared
    for item in items * 2:
        assert [r.pk for r in compiled.rows(build, item.pk)] == [r.pk for r in build(item.pk)]
    # Prepared (under psycopg's own names: one per kind of value bound, the
    # queryset's run and the compiled run share the SQL), and not again.
    prepared = _prepared_statements(sql)
    assert prepared >= 1
    with CaptureQueriesContext(connection) as queries:
        for item in items * 2:
            assert [r.pk for r in compiled.rows(build, item.pk)] == [r.pk for r in build(item.pk)]
    assert len(queries.captured_queries) == 12
    assert _prepared_statements(sql) == prepared


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
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE generic_plans > 0")
        assert cursor.fetchone()[0] > 0  # the rule ran from a generic plan too


def test_the_sweeps_probe_survives_a_rollback_that_drops_the_prepared_statements(org):
    """psycopg deallocates every prepared statement after a rollback: the
    sweeps' idle probe (prepared by psycopg, not by hand) runs on, re-prepared."""
    from django.db import transaction
    from django.utils import timezone

    from liaison import sweeps

    now = timezone.now()
    first = sweeps.kinds_due(now)
    for _ in range(3):
        assert sweeps.kinds_due(now) == first
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        raise ZeroDivisionError  # a savepoint rolled back: psycopg deallocates all
    for _ in range(3):
        assert sweeps.kinds_due(now) == first

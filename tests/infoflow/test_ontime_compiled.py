"""The on-time page's statements compiled by the ORM once per user's rule
(infoflow.compiled_sql, ontime._page_statements; issue 12): later requests
run the remembered SQL with their own moments and must read what the ORM's
querysets read for those moments."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from infoflow import compiled_sql, ontime
from infoflow.models import ReviewStep
from tests.infoflow.conftest import NOW
from tests.infoflow.test_ontime import MARCH, TZ, at, dataset, rates  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

PERSONAS = ["secretary", "auditor", "gm", "leader"]


@pytest.fixture(autouse=True)
def empty_cache():
    compiled_sql._cache.clear()
    yield
    compiled_sql._cache.clear()


def test_the_statements_are_built_once_per_users_rule(org, dataset, monkeypatch):  # noqa: F811
    built = []
    real = ontime.review_rates_with_overdue
    monkeypatch.setattr(ontime, "review_rates_with_overdue", lambda *a, **k: built.append(1) or real(*a, **k))
    with time_machine.travel(NOW, tick=False):
        first = ontime.ontime_report(org["secretary"], *MARCH)
        again = ontime.ontime_report(org["secretary"], *MARCH, steps_page="2", receivers_page="x")
        ontime.ontime_report(org["leader"], *MARCH)
    assert len(built) == 2  # the secretary's rule, then the leader's
    assert rates(first) == rates(again)
    assert [s.pk for s in first.overdue_steps] == [s.pk for s in again.overdue_steps]  # page 2 of one: the last


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_remembered_sql_reads_what_the_querysets_read_at_other_moments(org, dataset, persona):  # noqa: F811
    """Compiled at one moment and period, run at others: the rates with the
    steps' count, the steps' ids and the receivers' parts as the ORM gives
    them for those moments (each stand-in in its place)."""
    user = org[persona]
    units = ontime.unit_scope(user)
    periods = [MARCH, (dt.datetime(2026, 3, 9, tzinfo=TZ), dt.datetime(2026, 3, 10, tzinfo=TZ)),
               (dt.datetime(2026, 2, 1, tzinfo=TZ), dt.datetime(2026, 3, 6, tzinfo=TZ))]
    for now in (NOW, at(3, 5, 18), at(3, 21)):
        for start, end in periods:
            days = ontime.whole_days(start, end)
            statements = ontime._page_statements(user, units, start, end, now, days)
            condition = ontime.copies_condition(user)
            rows = list(ontime.review_rates_with_overdue(start, end, now, days, units, user, condition,
                                                         feedback=True, overdue_part=units is not None))
            if units is None:
                # Part 5: both lists' lengths, counted from the overdue day totals, as the lists' querysets
                # count them (a supervising leader's: part 4 and the receivers' page, as before).
                rows.append({"part": 5, "dept": None, "total": _receivers_count(now, units, user, condition),
                             "on_time": 0, "overdue": ontime.overdue_steps(now, units, user, condition).count()})
            key = ("part", "dept", "total", "on_time", "overdue")
            assert sorted(tuple(r[k] for k in key) for r in ontime._dict_rows(statements[0])) == sorted(
                tuple(r[k] for k in key) for r in rows), (persona, now, start)
            steps = list(ontime.overdue_steps(now, units, user, condition).values_list("pk", flat=True))
            assert ontime._CompiledIds(*statements[1])[0:100] == steps
            assert statements[2:] == [(sql, list(params)) for sql, params in
                                      ontime._receiver_parts_sql(now, units, user, condition)]
    assert len(compiled_sql._cache) == 1


def _receivers_count(now, units, user, condition):
    return sum(part.count() for part in ontime.overdue_receiver_parts(now, units, user, condition))


def test_a_statement_reading_a_moment_of_its_own_is_refused():
    def build(now):
        return [ReviewStep.objects.filter(due_at__lt=now, closed_at__lt=timezone.now()).query.sql_with_params()]

    with pytest.raises(ValueError):
        compiled_sql.statements("own moment", build, now=timezone.now())


def test_moments_take_their_places_among_the_parameters():
    def build(start, day):  # ``day`` unused: a moment given need not be read
        qs = ReviewStep.objects.filter(due_at__gte=start, started_at__lt=start, stage_index=3)
        return [qs.values_list("pk").query.sql_with_params(), None]

    moment = dt.datetime(2026, 3, 9, 8, tzinfo=dt.timezone.utc)
    first, nothing = compiled_sql.statements("places", build, start=moment, day=dt.date(2026, 3, 9))
    sql, params = ReviewStep.objects.filter(
        due_at__gte=moment, started_at__lt=moment, stage_index=3).values_list("pk").query.sql_with_params()
    assert first == (sql, list(params)) and nothing is None

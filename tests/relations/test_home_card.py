"""The home card's figures (relations_home): the open occurrences due within
30 days and those past due, now one aggregate, count what the calendar's
rows are — before, on and after the due day, and none once done (issue 12)."""
import datetime as dt

import pytest

from relations import selectors
from relations.templatetags.relations_tags import relations_home
from tests.relations.conftest import TZ, at

pytestmark = pytest.mark.django_db


class _Request:
    def __init__(self, user):
        self.user = user


def card(user):
    return relations_home({"request": _Request(user), "user": user})


def by_hand(user, today):
    rows = list(selectors.occurrences_visible_to(user).filter(done_at__isnull=True))
    return (sum(1 for o in rows if today <= o.due_on <= today + dt.timedelta(days=30)),
            sum(1 for o in rows if o.due_on < today))


@pytest.mark.parametrize("day, due_soon, late", [(dt.date(2026, 2, 1), 0, 0), (dt.date(2026, 3, 9), 1, 0),
                                                  (dt.date(2026, 3, 20), 1, 0), (dt.date(2026, 3, 21), 0, 1)])
def test_due_soon_and_late_count_the_open_occurrences(occurrence, officer_market, secretary, day, due_soon, late):
    with at(dt.datetime.combine(day, dt.time(10), TZ)):
        for user in (officer_market, secretary):
            figures = card(user)
            assert (figures["due_soon"], figures["late"]) == (due_soon, late) == by_hand(user, day)


def test_a_done_occurrence_leaves_both_figures(occurrence, officer_market):
    occurrence.done_at = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    occurrence.save(update_fields=["done_at"])
    with at(dt.datetime(2026, 3, 21, 10, 0, tzinfo=TZ)):
        figures = card(officer_market)
    assert (figures["due_soon"], figures["late"]) == (0, 0)

"""The home cards' figures of the other apps, as one statement a request (issue 12).

Each card's tag (datacalls, officers' work, meetings and recommendations,
rules, relations, surveys, incidents) used to build its own ORM aggregates:
about fifteen queries a home page, each compiled by the ORM on every request
(2–6 ms of Python a card at 100,000 items, the SQL itself well under a
millisecond). Here each card states its counts as plain one-row aggregates
(``infoflow.home_counts.SqlParams``), the same filters as the selectors and
querysets they replace, and the page runs them all as one statement
``SELECT * FROM (card 1) t0 CROSS JOIN (card 2) t1 …`` the first time a card
asks, kept on the request (one request is one moment; nothing is kept
across requests).

A card is a function ``card(statement, user, roles, now)`` in ``CARDS``: it
returns the card's figures when they need no query (None: the card is not
shown), or calls ``statement.add(select, columns, finish)`` once, where
``finish`` turns the row's values ({column: value}) into the figures. The
tags in each app read ``home_figures(request)[name]``.

tests/test_home_figures.py compares every card's figures with the querysets
the tags used before, for each role, after the changes that move them.
"""
import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from infoflow.home_counts import SqlParams
from officers.roles import UserRoles, roles_of


class HomeStatement:
    """The one-row aggregates of the cards being collected, and how each
    card makes its figures from its row."""

    def __init__(self):
        self.sql = SqlParams()
        self.parts: list[tuple[str, str, tuple[str, ...], Callable]] = []

    def date(self, value: dt.date) -> str:
        """A placeholder for a date as the backend compares it."""
        return self.sql.value(connection.ops.adapt_datefield_value(value))

    def add(self, name: str, select: str, columns: tuple[str, ...], finish: Callable[[dict], object]) -> None:
        """Card ``name``'s one-row aggregate ``select`` (its columns, in
        order) and ``finish``: {column: value} → the card's figures."""
        self.parts.append((name, select, columns, finish))

    def run(self) -> dict:
        """{card name: figures} of every card added, in one query (none when no card needs one)."""
        if not self.parts:
            return {}
        tables = " CROSS JOIN ".join(f"({select}) t{i}" for i, (_, select, _, _) in enumerate(self.parts))
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM " + tables, self.sql.params)
            row = cursor.fetchone()
        figures, at = {}, 0
        for name, _, columns, finish in self.parts:
            figures[name] = finish(dict(zip(columns, row[at:at + len(columns)])))
            at += len(columns)
        return figures


def _cards() -> dict[str, Callable]:
    # Imported here: each app's module imports its models, and this module is
    # imported by their template tags.
    from datacalls.home_figures import datacalls_card
    from incidents.home_figures import incidents_card
    from officers.home_figures import meetings_card, recommendations_card, work_card
    from relations.home_figures import relations_card
    from rules.home_figures import rules_card
    from surveys.home_figures import surveys_card

    return {"datacalls": datacalls_card, "work": work_card, "meetings": meetings_card, "rules": rules_card,
            "recommendations": recommendations_card, "relations": relations_card, "surveys": surveys_card,
            "incidents": incidents_card}


def compute_home_figures(user, now: dt.datetime | None = None) -> dict:
    """{card name: figures or None} for ``user`` at ``now``: one query at most."""
    if user is None or not user.is_authenticated:
        return dict.fromkeys(_cards())
    roles: UserRoles = roles_of(user)
    now = now or timezone.now()
    statement = HomeStatement()
    figures = {}
    for name, card in _cards().items():
        before = len(statement.parts)
        answer = card(statement, user, roles, now)
        if len(statement.parts) == before:
            figures[name] = answer
    figures.update(statement.run())
    return figures


def home_figures(request) -> dict:
    """``compute_home_figures(request.user)``, once a request."""
    cached = getattr(request, "_home_figures", None)
    if cached is None or cached[0] != request.user.pk:
        cached = (request.user.pk, compute_home_figures(request.user))
        request._home_figures = cached
    return cached[1]

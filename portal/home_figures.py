"""The home cards' figures of the other apps, as one statement a request (issue 12).

Each card's tag (datacalls, officers' work, meetings and recommendations,
rules, relations, surveys, incidents) used to build its own ORM aggregates:
about fifteen queries a home page, each compiled by the ORM on every request
(2–6 ms of Python a card at 100,000 items, the SQL itself well under a
millisecond). Here each card states its counts as plain one-row aggregates
(``infoflow.home_counts.SqlParams``), the same filters as the selectors and
querysets they replace, and the page runs them all as one statement
``WITH t0 AS (card 1), t1 AS (card 2) … SELECT * FROM t0 CROSS JOIN t1 …``
the first time a card asks, kept on the request (one request is one moment; nothing is kept
across requests). The information cards' and followup's statements
(``infoflow.home_counts``, ``followup.selectors.home_counts_select``) are
part of it too, as they are written there.

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
from django.utils.dateparse import parse_date, parse_datetime

from infoflow.home_counts import SqlParams, request_acting_ids
from infoflow.selectors import _acting_user_ids
from officers.roles import UserRoles, roles_of


def db_date(value) -> dt.date | None:
    """A date read by a plain cursor as the ORM reads it (SQLite hands back text)."""
    return parse_date(value) if isinstance(value, str) else value


def db_moment(value) -> dt.datetime | None:
    """A timestamp read by a plain cursor as the ORM reads it: aware (SQLite hands back naive text in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.timezone.utc)
    return value


class HomeStatement:
    """The one-row aggregates of the cards being collected, and how each
    card makes its figures from its row."""

    def __init__(self, acting: list[int]):
        self.sql = SqlParams()
        self.acting = acting  # the user's id and their principals' (infoflow.selectors._acting_user_ids)
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
        # Each card's aggregate its own common table expression, planned on
        # its own: as derived tables cross-joined, PostgreSQL planned the
        # officer's statement in 9–16 ms instead of the parts' 4 ms (a join
        # search over every card's tables).
        materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
        ctes = ", ".join(f"t{i} AS {materialized}({select})" for i, (_, select, _, _) in enumerate(self.parts))
        tables = " CROSS JOIN ".join(f"t{i}" for i in range(len(self.parts)))
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {ctes} SELECT * FROM {tables}", self.sql.params)
            row = cursor.fetchone()
        figures, at = {}, 0
        for name, _, columns, finish in self.parts:
            figures[name] = finish(dict(zip(columns, row[at:at + len(columns)])))
            at += len(columns)
        return figures


def _cards() -> dict[str, Callable]:
    # Imported here: each app's module imports its models, and this module is
    # imported by their template tags.
    from briefs.home_figures import briefs_card
    from datacalls.home_figures import datacalls_card
    from followup.selectors import home_counts_select as followup_counts
    from infoflow.home_counts import home_counts_select as infoflow_counts
    from incidents.home_figures import incidents_card
    from officers.home_figures import meetings_card, recommendations_card, work_card
    from relations.home_figures import relations_card
    from reports.home_figures import reports_card
    from rules.home_figures import rules_card
    from surveys.home_figures import surveys_card

    return {"infoflow": _counts("infoflow", infoflow_counts), "followup": _counts("followup", followup_counts),
            "datacalls": datacalls_card, "work": work_card, "meetings": meetings_card, "rules": rules_card,
            "recommendations": recommendations_card, "relations": relations_card, "surveys": surveys_card,
            "incidents": incidents_card, "reports": reports_card, "briefs": briefs_card}


def _counts(name: str, select_of: Callable) -> Callable:
    """A card made of another app's one-row counts statement
    (``infoflow.home_counts.home_counts_select``, ``followup.selectors.home_counts_select``)."""

    def card(statement, user, roles, now):
        select, width, finish = select_of(statement.sql, user, statement.acting, now)
        statement.add(name, select, tuple(f"{name}{i}" for i in range(width)),
                      lambda row: finish(tuple(row.values())))

    return card


def compute_home_figures(user, now: dt.datetime | None = None, acting: list[int] | None = None) -> dict:
    """{card name: figures or None} for ``user`` at ``now``: one query at
    most (two when ``acting``, the delegations in force for the user, is not given)."""
    if user is None or not user.is_authenticated:
        return dict.fromkeys(_cards())
    roles: UserRoles = roles_of(user)
    now = now or timezone.now()
    statement = HomeStatement(_acting_user_ids(user) if acting is None else acting)
    figures = {}
    for name, card in _cards().items():
        before = len(statement.parts)
        answer = card(statement, user, roles, now)
        if len(statement.parts) == before:
            figures[name] = answer
    figures.update(statement.run())
    return figures


def home_figures(request) -> dict:
    """``compute_home_figures(request.user)``, once a request, with the
    delegations read once a request (``request_acting_ids``)."""
    cached = getattr(request, "_home_figures", None)
    if cached is None or cached[0] != request.user.pk:
        acting = request_acting_ids(request) if request.user.is_authenticated else []
        cached = (request.user.pk, compute_home_figures(request.user, acting=acting))
        request._home_figures = cached
    return cached[1]

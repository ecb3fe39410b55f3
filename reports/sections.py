"""The sections of a report to leaders: a small registry other apps add to.

A report (reports.services.generate_report) asks every registered
``Section`` for its part of the period and stores the answers as the
report's snapshot; the page, the PDF and the Excel workbook render the
snapshot, never the records again (so a sent report never changes).

An app adds a section from its AppConfig.ready() (framework glue; reports
imports no app that registers itself)::

    from reports.sections import Section, figure, register, table

    def build(period):
        return {"figures": [figure(_("发出问卷"), 3)],
                "tables": [table(_("按单位"), [_("单位"), _("份数")], [["市场部", 2]])],
                "note": ""}

    register(Section(key="surveys", title=_("满意度调查"), order=80, build=build))

``build(period)`` gets a ``Period`` (kind, label, first day, day after the
last, aware start and end) and answers a dict with any of ``figures``
(``[[label, value], ...]``), ``tables`` (``[{"title", "columns", "rows"}]``)
and ``note`` (text). Values are text or numbers (JSON). The rule every
section keeps (issue 19 §7): counts over all records or rows the reader may
see, never an item's subject or content — a leader who cannot see an item
must not learn it from the report.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

MONTHLY, YEARLY = "monthly", "yearly"


@dataclass(frozen=True)
class Period:
    kind: str  # MONTHLY or YEARLY
    label: str  # "2026-10" or "2026"
    first_day: dt.date
    after_day: dt.date  # the day after the last

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first_day, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.after_day, dt.time.min))

    @property
    def last_day(self) -> dt.date:
        return self.after_day - dt.timedelta(days=1)

    @property
    def year(self) -> int:
        return self.first_day.year


@dataclass(frozen=True)
class Section:
    key: str
    title: object  # a (lazy) translated string
    build: Callable[[Period], dict]
    order: int = 100
    kinds: tuple = field(default=(MONTHLY, YEARLY))


_REGISTRY: dict[str, Section] = {}


def register(section: Section) -> Section:
    """Add (or replace, by key) a section."""
    _REGISTRY[section.key] = section
    return section


def registered(kind: str) -> list[Section]:
    """The sections of a report of ``kind``, in order."""
    return sorted((s for s in _REGISTRY.values() if kind in s.kinds), key=lambda s: (s.order, s.key))


def figure(label, value) -> list:
    return [str(label), value]


def table(title, columns, rows) -> dict:
    return {"title": str(title), "columns": [str(c) for c in columns], "rows": [list(r) for r in rows]}


def rate(part: int, total: int):
    """A percentage with one decimal, or None when there is nothing to count."""
    return None if not total else round(100.0 * part / total, 1)

"""The summary of a data call's answers (issue 13 §4): who answered, who was
late, who is missing, and the totals and averages of the number fields,
overall and by unit. The summary page and the workbook's 汇总 sheet both show
a ``Summary``.

Pure: it reads AnswerRows (datacalls.values.AnswerRow or plain 5-tuples)
and FieldSpecs, no models. Only submitted answers (``submitted_at`` set)
count; drafts and missing answers are listed, never summed. Memory grows with
the units and the number fields, not with the answers or table rows.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable, Optional

from django.utils.translation import gettext as _


@dataclass
class NumberTotal:
    """A number field (key "amount", label "金额") or a table's number column
    (key "rows.amount", label "明细 · 金额"): ``count`` values summed to
    ``total`` (answers for a field, table rows for a column)."""

    key: str
    label: str
    unit: str
    count: int = 0
    total: Decimal = Decimal(0)

    @property
    def average(self) -> Optional[Decimal]:
        if not self.count:
            return None
        return self.total / self.count


@dataclass
class UnitLine:
    """One unit: its submitted answers, how many of them were late, and the
    sum of each number field and table column (key → Decimal) over them."""

    unit: str
    answers: int = 0
    late: int = 0
    totals: dict = field(default_factory=dict)


@dataclass
class Summary:
    """``expected``: the recipient units; ``answered``: units with a
    submitted answer (the expected ones in their order, then any other);
    ``late``: units with a late submitted answer; ``missing``: expected units
    without a submitted answer; ``numbers``: one NumberTotal per number
    field and table number column, in field order; ``by_unit``: one UnitLine
    per unit with an answer row, in the order the rows came."""

    expected: list
    answered: list
    late: list
    missing: list
    numbers: list
    by_unit: list
    answer_count: int = 0
    late_count: int = 0

    @property
    def expected_count(self) -> int:
        return len(self.expected)

    @property
    def answered_count(self) -> int:
        return len(self.answered)

    @property
    def missing_count(self) -> int:
        return len(self.missing)

    @property
    def late_unit_count(self) -> int:
        return len(self.late)


def number_columns(fields: list) -> list:
    """(key, label, unit, field key, column key or None) of every number field
    and table number column of ``fields``, in order."""
    columns = []
    for spec in fields:
        if spec.get("type") == "number":
            columns.append((spec["key"], spec["label"], spec.get("unit") or "", spec["key"], None))
        elif spec.get("type") == "table":
            for column in spec.get("columns") or []:
                if column.get("type") == "number":
                    columns.append(
                        (
                            "%s.%s" % (spec["key"], column["key"]),
                            _("%(table)s · %(column)s") % {"table": spec["label"], "column": column["label"]},
                            column.get("unit") or "",
                            spec["key"],
                            column["key"],
                        )
                    )
    return columns


def _decimal(value) -> Optional[Decimal]:
    if value is None or isinstance(value, (bool, list, dict)):
        return None
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None  # not a stored number (the field changed type): left out
    return number if number.is_finite() else None


class SummaryBuilder:
    """Builds a Summary one answer row at a time (``add``), so a caller that
    already walks the answers (the workbook, the page) needs no second pass."""

    def __init__(self, fields: list, expected_units: Optional[list]):
        # None: the units of the rows, in the order they come (the workbook's
        # rows hold one per recipient unit, so they are the expected units).
        self.expected = None if expected_units is None else list(expected_units)
        self.columns = number_columns(fields or [])
        self.totals = {key: NumberTotal(key, label, unit) for key, label, unit, _f, _c in self.columns}
        self.units = {}
        self.answered = {}
        self.late = {}
        self.answer_count = 0
        self.late_count = 0

    def add(self, row) -> None:
        unit_name, _status, submitted_at, late, values = row
        line = self.units.get(unit_name)
        if line is None:
            line = self.units[unit_name] = UnitLine(unit_name)
        if submitted_at is None:
            return
        self.answer_count += 1
        self.answered[unit_name] = True
        line.answers += 1
        if late:
            self.late_count += 1
            self.late[unit_name] = True
            line.late += 1
        values = values or {}
        unit_totals = line.totals
        for key, _label, _unit, field_key, column_key in self.columns:
            total = self.totals[key]
            if column_key is None:
                number = _decimal(values.get(field_key))
                if number is None:
                    continue
                total.count += 1
                total.total += number
                unit_totals[key] = unit_totals.get(key, Decimal(0)) + number
            else:
                rows = values.get(field_key)
                if not isinstance(rows, list):
                    continue
                for table_row in rows:
                    number = _decimal(table_row.get(column_key)) if isinstance(table_row, dict) else None
                    if number is None:
                        continue
                    total.count += 1
                    total.total += number
                    unit_totals[key] = unit_totals.get(key, Decimal(0)) + number

    def result(self) -> Summary:
        expected = list(self.units) if self.expected is None else self.expected
        expected_set = set(expected)
        answered = [unit for unit in expected if unit in self.answered]
        answered += [unit for unit in self.answered if unit not in expected_set]
        late = [unit for unit in expected if unit in self.late]
        late += [unit for unit in self.late if unit not in expected_set]
        return Summary(
            expected=list(expected),
            answered=answered,
            late=late,
            missing=[unit for unit in expected if unit not in self.answered],
            numbers=[self.totals[column[0]] for column in self.columns],
            by_unit=list(self.units.values()),
            answer_count=self.answer_count,
            late_count=self.late_count,
        )


def summarise(fields: list, answers: Iterable, expected_units: Optional[list]) -> Summary:
    """The Summary of ``answers`` (AnswerRows) for the call's ``fields``
    (FieldSpecs; for a template, datacalls.values.template_fields(template))
    sent to ``expected_units`` (unit names, in the order to list them; None:
    the units of the answer rows)."""
    builder = SummaryBuilder(fields, expected_units)
    for row in answers:
        builder.add(row)
    return builder.result()

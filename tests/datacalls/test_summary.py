"""datacalls/summary.py: who answered, who was late or missing, number totals."""
import datetime
from decimal import Decimal

from datacalls.summary import SummaryBuilder, summarise
from datacalls.values import AnswerRow

FIELDS = [
    {"key": "name", "label": "联系人", "type": "text", "required": False},
    {"key": "revenue", "label": "营业收入", "type": "number", "required": False, "unit": "万元"},
    {
        "key": "visits",
        "label": "走访明细",
        "type": "table",
        "required": False,
        "columns": [
            {"key": "client", "label": "客户", "type": "text", "required": True},
            {"key": "amount", "label": "金额", "type": "number", "required": False, "unit": "元"},
        ],
    },
]
AT = datetime.datetime(2026, 3, 24, 10, 0, tzinfo=datetime.timezone.utc)


def test_counts_answered_late_and_missing_units_in_the_expected_order():
    answers = [
        AnswerRow("财务部", "已报送", AT, True, {}),
        AnswerRow("市场部", "已报送", AT, False, {}),
        AnswerRow("办公室", "草稿", None, False, {"revenue": "999"}),
        AnswerRow("外单位", "已报送", AT, True, {}),
    ]

    summary = summarise(FIELDS, answers, ["市场部", "财务部", "办公室", "人事部"])

    assert summary.answered == ["市场部", "财务部", "外单位"]
    assert summary.late == ["财务部", "外单位"]
    assert summary.missing == ["办公室", "人事部"]
    assert (summary.expected_count, summary.answered_count, summary.missing_count, summary.late_unit_count) == (4, 3, 2, 2)
    assert (summary.answer_count, summary.late_count) == (3, 2)


def test_sums_and_averages_number_fields_and_table_columns_of_submitted_answers_only():
    answers = [
        AnswerRow("市场部", "已报送", AT, False, {"revenue": "100.5", "visits": [{"amount": "10"}, {"amount": "-4"}, {"client": "x"}]}),
        AnswerRow("财务部", "已报送", AT, False, {"revenue": "-0.5"}),
        AnswerRow("办公室", "草稿", None, False, {"revenue": "1000", "visits": [{"amount": "1000"}]}),
        AnswerRow("人事部", "已报送", AT, False, {}),
    ]

    summary = summarise(FIELDS, answers, ["市场部", "财务部", "办公室", "人事部"])

    revenue, amount = summary.numbers
    assert (revenue.key, revenue.label, revenue.unit, revenue.count, revenue.total, revenue.average) == (
        "revenue", "营业收入", "万元", 2, Decimal("100"), Decimal("50")
    )
    assert (amount.key, amount.label, amount.unit, amount.count, amount.total, amount.average) == (
        "visits.amount", "走访明细 · 金额", "元", 2, Decimal("6"), Decimal("3")
    )
    by_unit = {line.unit: line for line in summary.by_unit}
    assert by_unit["市场部"].totals == {"revenue": Decimal("100.5"), "visits.amount": Decimal("6")}
    assert by_unit["办公室"].totals == {} and by_unit["办公室"].answers == 0
    assert by_unit["人事部"].answers == 1 and by_unit["人事部"].totals == {}


def test_a_unit_answering_several_occurrences_is_summed_across_them():
    answers = [
        AnswerRow("市场部", "已报送", AT, False, {"revenue": "1"}),
        AnswerRow("市场部", "已报送", AT, True, {"revenue": "2"}),
    ]

    summary = summarise(FIELDS, answers, ["市场部"])

    (line,) = summary.by_unit
    assert (line.answers, line.late, line.totals["revenue"]) == (2, 1, Decimal("3"))
    assert summary.numbers[0].average == Decimal("1.5")


def test_values_that_are_not_numbers_are_left_out():
    answers = [
        AnswerRow("市场部", "已报送", AT, False, {"revenue": "很多", "visits": "x"}),
        AnswerRow("财务部", "已报送", AT, False, {"revenue": ["1"], "visits": ["x", {"amount": "NaN"}]}),
    ]

    summary = summarise(FIELDS, answers, ["市场部", "财务部"])

    assert [(total.count, total.total, total.average) for total in summary.numbers] == [(0, 0, None), (0, 0, None)]


def test_no_answers_no_fields():
    summary = summarise([], [], ["市场部"])

    assert summary.missing == ["市场部"] and summary.numbers == [] and summary.by_unit == []


def test_builder_gives_the_same_summary_row_by_row():
    answers = [AnswerRow("市场部", "已报送", AT, False, {"revenue": "1"}), ("财务部", "未报送", None, False, {})]
    builder = SummaryBuilder(FIELDS, ["市场部", "财务部"])

    for row in answers:
        builder.add(row)

    assert builder.result() == summarise(FIELDS, answers, ["市场部", "财务部"])


def test_without_expected_units_the_units_of_the_rows_are_expected():
    answers = [AnswerRow("市场部", "已报送", AT, False, {}), ("财务部", "未报送", None, False, {})]

    summary = summarise(FIELDS, answers, None)

    assert (summary.expected, summary.answered, summary.missing) == (["市场部", "财务部"], ["市场部"], ["财务部"])

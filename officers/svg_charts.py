"""Charts drawn on the server as SVG (issue 14 §7): pure functions from
numbers to a ``Chart`` — the SVG markup and the same numbers as a table, which
the template include (templates/officers/assessment/_chart.html) shows
beneath the picture, so a screen reader and a phone at 390 px get them too.

Every text that reaches the SVG (title, labels, series names) is escaped
here; the markup is then safe to print. The drawing scales with its
container (a viewBox, width 100%); horizontal bars keep long department names
readable on a narrow screen. (officers/charts.py holds the meetings'
attendance geometry.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal

from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.timezone import template_localtime
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Colour-blind safe (Okabe–Ito), in series order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass
class Chart:
    title: str
    svg: SafeString
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [[label, value, value, ...]]
    empty: bool = False

    @property
    def header_cells(self) -> SafeString:
        """The table's header cells, as _chart.html's loop wrote them."""
        return mark_safe("".join('<th scope="col">%s</th>' % _cell(h) for h in self.headers))

    @property
    def body_rows(self) -> SafeString:
        """The table's rows (the first cell a row header), written in Python:
        the template's two nested loops cost more than the rest of the
        charts page's rendering (50 departments; issue 12)."""
        return mark_safe("".join(
            "<tr>" + "".join(('<th scope="row">%s</th>' if i == 0 else "<td>%s</td>") % _cell(c)
                             for i, c in enumerate(row)) + "</tr>"
            for row in self.rows))


def _cell(value) -> str:
    """A value as ``{{ value }}`` prints it (local time, localized, escaped)."""
    return conditional_escape(localize(template_localtime(value)))


@lru_cache(maxsize=4096)
def _num_typed(value, _type) -> str:
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return str(int(value))
    return "%.1f" % value


def _num(value) -> str:
    """A number as a label: integers without decimals, others with one.
    Kept per value and type: a charts page labels about 250 numbers, most of
    them the same few (issue 12)."""
    return _num_typed(value, type(value))


def _legend(series_names, y, width) -> tuple[list[str], int]:
    parts, x, line = [], 0, 0
    for index, name in enumerate(series_names):
        step = 18 + 13 * len(str(name)) + 12
        if x + step > width and x > 0:
            x, line = 0, line + 1
        top = y + line * 18
        parts.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (x, top, PALETTE[index % len(PALETTE)]))
        parts.append('<text x="%d" y="%d" font-size="12">%s</text>' % (x + 16, top + 11, escape(name)))
        x += step
    return parts, (line + 1) * 18 if series_names else 0


def _svg(title, width, height, body) -> SafeString:
    return mark_safe(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" '
        'aria-label="%s" class="chart" style="max-width:%dpx;height:auto">' % (width, height, escape(title), width)
        + "<title>%s</title>" % escape(title) + "".join(body) + "</svg>")


_NICE = (1, 2, 3, 4, 5, 6, 8, 10)


def _axis_top(peak: Decimal, whole: bool) -> Decimal:
    """The value of a column chart's top tick: twice a round middle tick
    (1, 2, 3, 4, 5, 6 or 8 times a power of ten) at or above half the
    tallest column, so that neither tick reads like 1673.5; with whole
    numbers (counts) the middle tick is a whole number too."""
    half = peak / 2
    if whole:
        half = max(half, Decimal(1))
    magnitude = Decimal(10) ** (half.adjusted())
    for step in _NICE:
        if step * magnitude >= half:
            return 2 * step * magnitude
    return 2 * half  # pragma: no cover - 10 × magnitude is always above half


def column_chart(*, title: str, labels: list, series: list[tuple[str, list]], unit: str = "") -> Chart:
    """Stacked columns: one column per label (months, score bands), one colour
    per series (departments). ``series``: [(name, [value per label])].
    The y axis runs from 0 to a round top (``_axis_top``) with a tick at its
    middle; the left margin fits the longest tick label."""
    width, top, plot_h = 360, 8, 160
    totals = [sum((Decimal(str(s[1][i] or 0)) for s in series), Decimal(0)) for i in range(len(labels))]
    whole = all(total == total.to_integral_value() for total in totals)
    peak = _axis_top(max(totals, default=Decimal(0)), whole)
    ticks = [(fraction, _num(peak * fraction)) for fraction in (Decimal(0), Decimal("0.5"), Decimal(1))]
    # font-size 10: a digit is at most 7 px wide in the fonts we ship; 4 px from the axis and 4 from the edge
    left = max(34, 8 + 7 * max(len(text) for _f, text in ticks))
    slot = (width - left - 4) / max(len(labels), 1)
    bar = max(slot * 0.7, 2)
    body = ['<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>' % (left, top + plot_h, width, top + plot_h)]
    for fraction, text in ticks:
        y = top + plot_h - plot_h * float(fraction)
        body.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (left - 4, y + 3, escape(text)))
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar) / 2
        base = top + plot_h
        for s_index, (name, values) in enumerate(series):
            value = Decimal(str(values[i] or 0))
            if value <= 0:
                continue
            h = float(value / peak) * plot_h
            base -= h
            body.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s%s</title></rect>'
                        % (x, base, bar, h, PALETTE[s_index % len(PALETTE)], escape(label), escape(name),
                           escape(_num(value)), escape(unit)))
        body.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>'
                    % (x + bar / 2, top + plot_h + 14, escape(label)))
    names = [name for name, _v in series] if len(series) > 1 else []
    legend, legend_h = _legend(names, top + plot_h + 24, width)
    body += legend
    height = top + plot_h + 24 + legend_h + 4
    headers = [""] + [name for name, _v in series] + ([_("合计")] if len(series) > 1 else [])
    rows = []
    for i, label in enumerate(labels):
        row = [label] + [_num(values[i] or 0) for _n, values in series]
        if len(series) > 1:
            row.append(_num(totals[i]))
        rows.append(row)
    return Chart(title=title, svg=_svg(title, width, height, body), headers=headers, rows=rows, empty=not any(totals))


def bar_chart(*, title: str, labels: list, series: list[tuple[str, list]], max_value=None, unit: str = "") -> Chart:
    """Horizontal grouped bars: one group per label (departments), one bar per
    series (kinds of rate). ``max_value`` fixes the scale (100 for rates).
    A value None is drawn as nothing and shown as "—" in the table."""
    width, left = 360, 96
    n = max(len(series), 1)
    bar_h, gap = 12, 10
    group_h = n * bar_h + gap
    values = [Decimal(str(v)) for _n, vs in series for v in vs if v is not None]
    peak = Decimal(str(max_value)) if max_value else (max(values, default=Decimal(0)) or Decimal(1))
    plot_w = width - left - 40
    body = []
    for i, label in enumerate(labels):
        y0 = 4 + i * group_h
        text = str(label)
        short = text if len(text) <= 7 else text[:6] + "…"
        body.append('<text x="%d" y="%d" font-size="11" text-anchor="end"><title>%s</title>%s</text>'
                    % (left - 4, y0 + n * bar_h / 2 + 4, escape(text), escape(short)))
        for s_index, (name, vs) in enumerate(series):
            value = vs[i]
            y = y0 + s_index * bar_h
            if value is None:
                body.append('<text x="%d" y="%d" font-size="10">—</text>' % (left + 2, y + 10))
                continue
            w = float(min(Decimal(str(value)), peak) / peak) * plot_w if peak else 0
            body.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s %s: %s%s</title></rect>'
                        % (left, y, w, bar_h - 2, PALETTE[s_index % len(PALETTE)], escape(text), escape(name),
                           escape(_num(value)), escape(unit)))
            body.append('<text x="%.1f" y="%d" font-size="10">%s%s</text>'
                        % (left + w + 3, y + 9, escape(_num(value)), escape(unit)))
    plot_bottom = 4 + len(labels) * group_h
    legend, legend_h = _legend([name for name, _v in series] if len(series) > 1 else [], plot_bottom + 4, width)
    body += legend
    height = plot_bottom + 4 + legend_h + 4
    headers = [""] + [name for name, _v in series]
    rows = [[label] + [("—" if vs[i] is None else _num(vs[i]) + unit) for _n, vs in series]
            for i, label in enumerate(labels)]
    return Chart(title=title, svg=_svg(title, width, max(height, 30), body), headers=headers, rows=rows,
                 empty=not values)


def histogram(*, title: str, values: list, low: int = 0, high: int = 100, step: int = 10, unit: str = "") -> Chart:
    """The distribution of ``values`` in bands of ``step`` from ``low`` to
    ``high`` (the last band closed: 90–100 holds 100; below ``low`` counts in
    the first band)."""
    bands = list(range(low, high, step))
    counts = [0] * len(bands)
    for value in values:
        value = Decimal(str(value))
        index = int((value - low) // step) if value < high else len(bands) - 1
        counts[max(0, min(index, len(bands) - 1))] += 1
    labels = ["%d–%d" % (b, b + step) for b in bands]
    return column_chart(title=title, labels=labels, series=[(unit or _("人数"), counts)])

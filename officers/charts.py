"""Charts drawn on the server as SVG (issue 14 §7): plain geometry the
template turns into <rect>/<text>; the numbers are always shown again in a
table beneath, so the chart is a picture, not the only record."""

BAR_HEIGHT = 18
GAP = 8
LABEL_WIDTH = 84
WIDTH = 340  # fits a 390 px phone with the page's margins; the viewBox scales it
SERIES = (("present", "#2e7d32"), ("delegate", "#81c784"), ("excused", "#f9a825"), ("absent", "#c62828"))


def attendance_chart(rows: list[dict]) -> dict:
    """One horizontal stacked bar per meeting (present, delegate, excused,
    absent), scaled to the largest invitee count."""
    most = max((r["total"] for r in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 8
    bars = []
    for n, row in enumerate(rows):
        y = GAP + n * (BAR_HEIGHT + GAP)
        x, parts = LABEL_WIDTH, []
        for key, colour in SERIES:
            w = round(span * row[key] / most, 1)
            if w:
                parts.append({"x": x, "width": w, "colour": colour, "key": key, "value": row[key]})
            x += w
        bars.append({"y": y, "text_y": y + BAR_HEIGHT - 5, "label": row["meeting"].starts_at, "parts": parts})
    return {"bars": bars, "width": WIDTH, "height": GAP + len(rows) * (BAR_HEIGHT + GAP), "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT, "series": SERIES}


def stacked_bar_chart(rows: list[dict], series: tuple) -> dict:
    """The same geometry for any counts: one horizontal stacked bar per row
    (``{"label": str, key: count, …}`` for each ``(key, colour)`` of
    ``series``), scaled to the largest row total. Used by the suggestion box
    statistics (suggestions.stats)."""
    totals = [sum(r.get(key, 0) for key, _c in series) for r in rows]
    most = max(totals, default=0) or 1
    span = WIDTH - LABEL_WIDTH - 8
    bars = []
    for n, row in enumerate(rows):
        y = GAP + n * (BAR_HEIGHT + GAP)
        x, parts = LABEL_WIDTH, []
        for key, colour in series:
            w = round(span * row.get(key, 0) / most, 1)
            if w:
                parts.append({"x": x, "width": w, "colour": colour, "key": key, "value": row[key]})
            x += w
        bars.append({"y": y, "text_y": y + BAR_HEIGHT - 5, "label": row["label"], "parts": parts})
    return {"bars": bars, "width": WIDTH, "height": GAP + len(rows) * (BAR_HEIGHT + GAP), "label_width": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT, "series": series}

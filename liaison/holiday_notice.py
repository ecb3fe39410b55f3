"""Reading the State Council's yearly holiday notice
(国务院办公厅关于XXXX年部分节假日安排的通知) as published.

The notice lists one item per festival, "一、元旦：…", in wordings that have
shifted over the years; all of these are read:

- ``1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。`` (2020s)
- ``2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休``
- ``1月1日放假，1月2日（星期一）补休。`` and ``5月1日放假，与周末连休。`` (2010s)
- ``9月30日（星期六）、10月8日（星期日）上班``, ``2月20日（星期六）、21日（星期日）上班``
- ``2018年12月30日至2019年1月1日放假调休…2018年12月29日（星期六）上班`` (an
  explicit year reaches into the year before)

Full-width and half-width parentheses, digits and colons are the same after
NFKC normalisation; 周X and 星期X both name the weekday, and a weekday that
does not match the date is reported (it usually means a wrong year).

Every sentence of an item must be understood: a date in a sentence we cannot
classify as 放假 or 上班 makes the whole text unreadable, and nothing is stored.
Sentences that only advise (鼓励…) or explain (其中…) are skipped.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .errors import NoticeUnreadable
from .models import CalendarDay

HOLIDAY = CalendarDay.Kind.HOLIDAY
WORKDAY = CalendarDay.Kind.WORKDAY

TITLE_RE = re.compile(r"关于(\d{4})年(?:部分)?节假日安排的通知")
BODY_YEAR_RE = re.compile(r"现将(\d{4})年")
ITEM_RE = re.compile(r"^([一二三四五六七八九十]{1,3})、([^:。]{1,60}?):(.*)$")
DATE_RE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<paren>[^()]*)\))?"
)
RANGE_SEP_RE = re.compile(r"^(?:至|到|-|~|—|–)$")
WEEKDAY_RE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WEEKDAY_NAMES = "一二三四五六日"

WORKDAY_WORDS = ("上班",)
HOLIDAY_WORDS = ("放假", "补休", "调休", "公休", "休假")
# Sentences that advise or explain rather than decide.
SKIP_PREFIXES = ("其中",)
SKIP_WORDS = ("鼓励",)
MAX_RANGE_DAYS = 16


@dataclass(frozen=True, order=True)
class ParsedDay:
    date: dt.date
    kind: str
    name: str


@dataclass
class ParsedNotice:
    year: int
    title: str
    days: list[ParsedDay] = field(default_factory=list)

    @property
    def holidays(self) -> list[ParsedDay]:
        return [day for day in self.days if day.kind == HOLIDAY]

    @property
    def workdays(self) -> list[ParsedDay]:
        return [day for day in self.days if day.kind == WORKDAY]


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), no blanks inside a line, one item a
    line even when the paste lost its line breaks."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"\s+", "", line) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    # "…上班。二、春节：…" on one line: start each item on its own line.
    text = re.sub(r"。(?=[一二三四五六七八九十]{1,3}、[^:。\n]{1,60}:)", "。\n", text)
    # …and the closing paragraph and the signature off the last item.
    text = re.sub(r"。(?=节假日期间)", "。\n", text)
    return re.sub(r"(国务院办公厅)(?=\d{4}年\d{1,2}月\d{1,2}日)", r"\n\1\n", text)


def parse_notice(text: str) -> ParsedNotice:
    """Read a notice. Returns the year, the title and every holiday and 调休
    workday in date order; raises NoticeUnreadable listing each part that
    could not be read."""
    text = normalise(text)
    problems: list[str] = []

    year, title = _find_year(text)
    if year is None:
        problems.append(_("找不到年份：通知标题应为“国务院办公厅关于XXXX年部分节假日安排的通知”。"))

    items = [match for match in (ITEM_RE.match(line) for line in text.split("\n")) if match]
    if not items:
        problems.append(_("找不到放假安排条目（如“一、元旦：1月1日放假”）。"))

    days: dict[dt.date, ParsedDay] = {}
    if year is not None:
        for item in items:
            name = item.group(2)
            for day in _read_item(name, item.group(3), year, problems, item.group(0)):
                previous = days.get(day.date)
                if previous is not None and previous.kind != day.kind:
                    problems.append(
                        _("%(date)s 既写成放假又写成上班。") % {"date": _format(day.date)}
                    )
                elif previous is None:
                    days[day.date] = day
        if items and not any(day.kind == HOLIDAY for day in days.values()):
            problems.append(_("通知中没有读到任何放假日期。"))

    if problems:
        raise NoticeUnreadable(_("无法读取这份放假通知，没有保存任何内容。"), problems)
    return ParsedNotice(year=year, title=title, days=sorted(days.values()))


def _find_year(text):
    match = TITLE_RE.search(text)
    if match:
        line = next(line for line in text.split("\n") if match.group(0) in line)
        title = line if len(line) <= 60 else "国务院办公厅" + match.group(0)
        return int(match.group(1)), title
    match = BODY_YEAR_RE.search(text)
    if match:
        year = int(match.group(1))
        return year, _("国务院办公厅关于%(year)s年部分节假日安排的通知") % {"year": year}
    return None, ""


def _read_item(name, body, year, problems, line):
    """The days of one item ("元旦", "1月1日…上班。"), appending to problems
    what cannot be read."""
    result = []
    problems_before = len(problems)
    month = None  # "至3日", "、21日": the month carries over within an item
    for sentence in re.split(r"[。;]", body):
        if not sentence or sentence.startswith(SKIP_PREFIXES) or any(w in sentence for w in SKIP_WORDS):
            continue
        # Parentheses not attached to a date ("除夕(2月9日)") only explain.
        sentence = re.sub(r"(?<!日)\([^()]*\)", "", sentence)
        pending: list[dt.date] = []
        for clause in re.split(r",", sentence):
            dates, month = _dates_in(clause, year, month, problems)
            pending.extend(dates)
            has_work = any(w in clause for w in WORKDAY_WORDS)
            has_rest = any(w in clause for w in HOLIDAY_WORDS)
            if has_work and has_rest:
                problems.append(_("无法判断是放假还是上班：%(text)s") % {"text": clause})
                pending = []
            elif has_work or has_rest:
                kind = WORKDAY if has_work else HOLIDAY
                result.extend(ParsedDay(date=d, kind=kind, name=name[:50]) for d in pending)
                pending = []
        if pending:
            problems.append(_("无法判断以下日期是放假还是上班：%(text)s") % {"text": sentence})
    if not result and len(problems) == problems_before:
        problems.append(_("这一条中没有读到日期：%(text)s") % {"text": line})
    return result


def _dates_in(clause, year, month, problems):
    """Dates named in a clause: single dates, "、" lists and "至" ranges.
    Returns (dates, the month to carry on with)."""
    dates = []
    tokens = list(DATE_RE.finditer(clause))
    index = 0
    while index < len(tokens):
        start = tokens[index]
        start_date, month = _resolve(start, year, month, clause, problems)
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        between = clause[start.end() : following.start()] if following else ""
        if following is not None and RANGE_SEP_RE.match(between):
            # The end of a range takes the start's year; with an explicit
            # start year it may run into the next (2018年12月30日至2019年1月1日
            # is written with both years, but 12月30日至1月1日 after an explicit
            # year is read the same way).
            end_year = int(following.group("y")) if following.group("y") else (start_date.year if start_date else year)
            end_date, month = _resolve(following, end_year, month, clause, problems, check_weekday=False)
            if start_date and end_date and end_date < start_date and start.group("y") and not following.group("y"):
                end_date = end_date.replace(year=end_date.year + 1)
            if start_date and end_date:
                _check_weekday(following, end_date, problems)
                span = (end_date - start_date).days
                if span < 0 or span > MAX_RANGE_DAYS:
                    problems.append(
                        _("日期范围不合理（跨年日期请写明年份）：%(text)s") % {"text": clause[start.start() : following.end()]}
                    )
                else:
                    dates.extend(start_date + dt.timedelta(days=i) for i in range(span + 1))
            index += 2
            continue
        if start_date:
            dates.append(start_date)
        index += 1
    return dates, month


def _resolve(token, year, month, clause, problems, check_weekday=True):
    if token.group("y"):
        year = int(token.group("y"))
    if token.group("m"):
        month = int(token.group("m"))
    if month is None:
        problems.append(_("日期缺少月份：%(text)s") % {"text": token.group(0)})
        return None, month
    try:
        date = dt.date(year, month, int(token.group("d")))
    except ValueError:
        problems.append(_("不存在的日期：%(text)s") % {"text": token.group(0)})
        return None, month
    if check_weekday:
        _check_weekday(token, date, problems)
    return date, month


def _check_weekday(token, date, problems):
    match = WEEKDAY_RE.search(token.group("paren") or "")
    if match and WEEKDAYS[match.group(1)] != date.weekday():
        problems.append(
            _("%(text)s 与实际星期不符：%(date)s 是星期%(weekday)s。")
            % {"text": token.group(0), "date": _format(date), "weekday": WEEKDAY_NAMES[date.weekday()]}
        )


def _format(date):
    return "%d年%d月%d日" % (date.year, date.month, date.day)

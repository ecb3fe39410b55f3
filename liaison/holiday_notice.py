"""Reading the State Council's holiday notices as published: the yearly
notice (国务院办公厅关于XXXX年部分节假日安排的通知) and the supplementary
notices that amend a year (国务院办公厅关于延长2020年春节假期的通知,
国务院办公厅关于调整2019年劳动节假期安排的通知).

The yearly notice lists one item per festival, "一、元旦：…", in wordings that
have shifted since 2007; all of these are read (tests/liaison/data/notices
holds every notice from 2008 to 2026):

- ``1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。`` (2020s)
- ``2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休``
- ``1月1日放假，1月2日（星期一）补休。`` and ``5月1日放假，与周末连休。`` (2010s)
- ``1月1日至3日放假公休``, ``2月20日（星期六）、21日（星期日）上班``
- ``2018年12月30日至2019年1月1日放假调休…2018年12月29日（星期六）上班``
- the 2008/2009 sentences that begin with 其中 and explain the days one by
  one: ``其中，1月1日（星期二）为法定节假日，12月30日（星期日）为公休日，
  12月29日（星期六）公休日调至12月31日（星期一），12月29日（星期六）上班。``
  Every date in them counts: 为法定节假日 / 为公休日 / 照常公休 are days off,
  the dates after 调至 are days off, a date next to 上班 is a 调休 workday, and
  a weekend day moved away (the dates before 调至) must be either off or
  declared 上班 in the same item.

A date without a year takes the year with which the item last wrote that
month (``2006年12月30日（星期六）、31日``), and in the 元旦 item a December
date without a year is the previous December (``12月29日（星期六）上班`` in
the 2008 notice). A range whose end is before its start runs into the next
year. Full-width and half-width punctuation and digits are the same after
NFKC normalisation; 周X and 星期X both name the weekday, and a weekday that
does not match the date is reported (it usually means a wrong year).

Nothing is guessed: a date that cannot be placed — in a sentence with no
放假 or 上班 (or their synonyms), a moved weekend that the item neither gives
off nor declares a workday, a date of the wrong weekday — makes the whole
text unreadable, naming the sentence, and nothing is stored. Only sentences
that advise (鼓励…休息) are read as advice, and only when they say neither
放假 nor 上班.

Each day keeps the sentence it was read from (the admin preview shows it).
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
# Supplementary notices: 关于延长2020年春节假期的通知, 关于调整2019年劳动节假期安排的通知.
AMEND_TITLE_RE = re.compile(
    r"关于(?:延长|调整)(?P<y>\d{4})年(?P<what>.{1,20}?)(?:假期|放假)(?:安排)?的通知"
    # 国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知
    r"|关于(?P<what2>[^。\n]{2,60}?)(?:调休)?放假(?:安排)?的通知"
)
ANY_YEAR_RE = re.compile(r"(\d{4})年\d{1,2}月\d{1,2}日")
EXTEND_RE = re.compile(r"延长(?:(?P<y>\d{4})年)?(?P<name>[^,。]{1,20}?)假期至")
ITEM_RE = re.compile(r"^([一二三四五六七八九十]{1,3})、([^:。]{1,60}?):(.*)$")
NUMBERED_RE = re.compile(r"^[一二三四五六七八九十]{1,3}、")
DATE_RE = re.compile(
    r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<paren>[^()]*)\))?"
)
RANGE_SEP_RE = re.compile(r"^(?:至|到|-|~|—|–|——)$")
WEEKDAY_RE = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WEEKDAY_NAMES = "一二三四五六日"
SIGNATURE_DATE_RE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$")

WORKDAY_WORDS = ("上班",)
HOLIDAY_WORDS = ("放假", "补休", "调休", "公休", "休假", "法定节假日", "法定假日")
MOVE_WORD = "调至"
# Sentences that only advise (鼓励…安排职工在除夕休息) when they neither give
# a day off nor declare a workday.
ADVICE_WORDS = ("鼓励",)
MAX_RANGE_DAYS = 16


@dataclass(frozen=True, order=True)
class ParsedDay:
    date: dt.date
    kind: str
    name: str
    sentence: str = field(default="", compare=False)


@dataclass
class ParsedNotice:
    year: int
    title: str
    days: list[ParsedDay] = field(default_factory=list)
    # A supplementary notice (国务院办公厅关于延长2020年春节假期的通知): its days
    # are applied on top of the year's, nothing else of the year changes.
    amendment: bool = False

    @property
    def holidays(self) -> list[ParsedDay]:
        return [day for day in self.days if day.kind == HOLIDAY]

    @property
    def workdays(self) -> list[ParsedDay]:
        return [day for day in self.days if day.kind == WORKDAY]

    def sentences(self) -> list[tuple[str, str, list[ParsedDay]]]:
        """``[(festival, sentence, days read from it)]`` in the notice's
        order, for the preview: each holiday's sentence beside its dates."""
        groups: dict[tuple[str, str], list[ParsedDay]] = {}
        for day in sorted(self.days, key=lambda d: (d.date,)):
            groups.setdefault((day.name, day.sentence), []).append(day)
        return [(name, sentence, days) for (name, sentence), days in groups.items()]


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), no blanks inside a line, one item a
    line even when the paste lost its line breaks."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u200b", "").replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    # "2月6日—12日", "12月30日－1月1日", "——": one range separator.
    text = text.replace("\u2015", "—").replace("\u2212", "-").replace("\uff0d", "-")
    lines = [re.sub(r"\s+", "", line) for line in text.split("\n")]
    text = "\n".join(line for line in lines if line)
    # "…上班。二、春节：…" on one line: start each item on its own line.
    text = re.sub(r"。(?=[一二三四五六七八九十]{1,3}、[^:。\n]{1,60}:)", "。\n", text)
    # …and the closing paragraph and the signature off the last item.
    text = re.sub(r"。(?=(?:节假日|劳动节|春节)期间)", "。\n", text)
    return re.sub(r"(国务院办公厅)(?=\d{4}年\d{1,2}月\d{1,2}日)", r"\n\1\n", text)


def parse_notice(text: str) -> ParsedNotice:
    """Read a yearly notice. Returns the year, the title and every holiday and
    调休 workday in date order; raises NoticeUnreadable listing each part that
    could not be read."""
    text = normalise(text)
    problems: list[str] = []

    year, title = _find_year(text)
    if year is None:
        if AMEND_TITLE_RE.search(text):
            problems.append(_("这是一份补充通知，请用“导入补充通知”（import_holidays --amend）导入。"))
        problems.append(_("找不到年份：通知标题应为“国务院办公厅关于XXXX年部分节假日安排的通知”。"))

    items = _items(text, problems)
    if not items:
        problems.append(_("找不到放假安排条目（如“一、元旦：1月1日放假”）。"))

    days: dict[dt.date, ParsedDay] = {}
    if year is not None:
        for name, body, line in items:
            for day in _read_item(name, body, year, problems, line):
                _add(days, day, problems)
        if items and not any(day.kind == HOLIDAY for day in days.values()):
            problems.append(_("通知中没有读到任何放假日期。"))

    if problems:
        raise NoticeUnreadable(_("无法读取这份放假通知，没有保存任何内容。"), problems)
    return ParsedNotice(year=year, title=title, days=sorted(days.values()))


def parse_amendment(text: str, *, current=None) -> ParsedNotice:
    """Read a supplementary notice that amends a year (国务院办公厅关于延长
    2020年春节假期的通知; 关于调整2019年劳动节假期安排的通知). Its dated
    sentences are read as in a yearly notice; "延长…春节假期至2月2日" gives
    off every day from the day after the festival's last day off — found in
    ``current(year)``, a mapping date → (kind, name) of the year as stored —
    up to that date (a 调休 workday inside becomes a day off), and "2月3日
    起正常上班" must name the day after. Raises NoticeUnreadable."""
    text = normalise(text)
    problems: list[str] = []
    match = AMEND_TITLE_RE.search(text)
    if TITLE_RE.search(text):
        raise NoticeUnreadable(
            _("无法读取这份补充通知，没有保存任何内容。"),
            [_("这是一份年度放假通知，请用“导入放假通知”导入。")],
        )
    if match is None:
        raise NoticeUnreadable(
            _("无法读取这份补充通知，没有保存任何内容。"),
            [_("找不到补充通知的标题（如“国务院办公厅关于延长2020年春节假期的通知”）。")],
        )
    festival = re.sub(r"^\d{4}年", "", match.group("what") or match.group("what2"))[:50]
    title_line = next(line for line in text.split("\n") if match.group(0) in line)
    title = title_line if len(title_line) <= 80 else "国务院办公厅" + match.group(0)

    lines = text.split("\n")
    body_start = next((i + 1 for i, line in enumerate(lines) if "通知如下" in line), None)
    if body_start is None:
        body_start = lines.index(title_line) + 1
    if match.group("y"):
        year = int(match.group("y"))
    else:
        # A title without a year: the first full date of the body names it.
        named = ANY_YEAR_RE.search("\n".join(lines[body_start:]))
        if named is None:
            raise NoticeUnreadable(
                _("无法读取这份补充通知，没有保存任何内容。"),
                [_("找不到补充通知所调整的年份：正文应写明年份（如“2015年9月3日至5日调休放假”）。")],
            )
        year = int(named.group(1))
    days: dict[dt.date, ParsedDay] = {}
    for line in lines[body_start:]:
        if line.startswith("国务院办公厅") or line == "国务院" or SIGNATURE_DATE_RE.match(line):
            continue
        item = ITEM_RE.match(line)
        if item and DATE_RE.search(item.group(2)) is None:  # "一、劳动节：5月1日至4日…"
            name, body = item.group(2), item.group(3)
        else:  # "一、延长2020年春节假期至2月2日…", or a sentence without a number
            name, body = festival, NUMBERED_RE.sub("", line)
        if not DATE_RE.search(body):
            continue
        extension = EXTEND_RE.search(body)
        if extension:
            for day in _read_extension(body, extension, year, festival, current, problems):
                _add(days, day, problems)
            continue
        for day in _read_item(name, body, year, problems, line):
            _add(days, day, problems)
    if not days and not problems:
        problems.append(_("补充通知中没有读到任何日期。"))
    if problems:
        raise NoticeUnreadable(_("无法读取这份补充通知，没有保存任何内容。"), problems)
    return ParsedNotice(year=year, title=title, days=sorted(days.values()), amendment=True)


def _items(text, problems):
    """``[(festival, body, line)]``: the numbered items, each with the lines
    that continue it (a reprint may break "一、元旦：" from its dates, or put
    the 上班 sentence on a line of its own). A line outside every item that
    names a date next to 放假 or 上班 is a problem: it would be lost."""
    items: list[list[str]] = []
    closed = False
    for line in text.split("\n"):
        match = ITEM_RE.match(line)
        if match:
            items.append([match.group(2), match.group(3), line])
            closed = False
            continue
        if line.startswith(("节假日期间", "国务院办公厅")) or SIGNATURE_DATE_RE.match(line):
            closed = True
            continue
        if items and not closed:
            items[-1][1] += line
            items[-1][2] += line
        elif DATE_RE.search(line) and any(w in line for w in WORKDAY_WORDS + ("放假",)):
            problems.append(_("这句话不在任何一条放假安排中，无法归入节日：%(text)s") % {"text": line})
    return [tuple(item) for item in items]


def _add(days, day, problems):
    previous = days.get(day.date)
    if previous is not None and previous.kind != day.kind:
        problems.append(
            _("%(date)s 既写成放假又写成上班：%(text)s") % {"date": _format(day.date), "text": day.sentence}
        )
    elif previous is None:
        days[day.date] = day


def _find_year(text):
    match = TITLE_RE.search(text)
    if match:
        line = next(line for line in text.split("\n") if match.group(0) in line)
        title = line if len(line) <= 60 else "国务院办公厅" + match.group(0)
        return int(match.group(1)), title
    if AMEND_TITLE_RE.search(text):
        return None, ""
    match = BODY_YEAR_RE.search(text)
    if match:
        year = int(match.group(1))
        return year, _("国务院办公厅关于%(year)s年部分节假日安排的通知") % {"year": year}
    return None, ""


class _Years:
    """Which year a date without one belongs to, within one item."""

    def __init__(self, year, name):
        self.year = year
        self.new_year_item = "元旦" in name
        self.month_years: dict[int, int] = {}

    def year_of(self, token, month):
        if token.group("y"):
            year = int(token.group("y"))
            if month is not None:
                self.month_years[month] = year
            return year
        if month in self.month_years:
            return self.month_years[month]
        if self.new_year_item and month == 12:
            # 元旦 of notice Y: a December date is the previous December.
            return self.year - 1
        return self.year


def _read_item(name, body, year, problems, line):
    """The days of one item ("元旦", "1月1日…上班。"), appending to problems
    what cannot be read."""
    problems_before = len(problems)
    years = _Years(year, name)
    month = None  # "至3日", "、21日": the month carries over within an item
    off: dict[dt.date, str] = {}
    work: dict[dt.date, str] = {}
    moved: list[tuple[dt.date, str]] = []
    for raw in re.split(r"[。;]", body):
        if not raw:
            continue
        sentence = raw
        has_decision = any(w in raw for w in WORKDAY_WORDS + ("放假",))
        if any(w in raw for w in ADVICE_WORDS) and not has_decision:
            continue
        # Parentheses not attached to a date ("除夕(2月9日)") only explain.
        cleaned = re.sub(r"(?<!日)\([^()]*\)", "", raw)
        pending: list[dt.date] = []
        for clause in re.split(r"[,:]", cleaned):
            if MOVE_WORD in clause:
                before, after = clause.split(MOVE_WORD, 1)
                moved_from, month = _dates_in(before, years, month, problems)
                moved_to, month = _dates_in(after, years, month, problems)
                moved.extend((d, sentence) for d in pending + moved_from)
                pending = []
                for d in moved_to:
                    off.setdefault(d, sentence)
                continue
            dates, month = _dates_in(clause, years, month, problems)
            pending.extend(dates)
            has_work = any(w in clause for w in WORKDAY_WORDS)
            has_rest = any(w in clause for w in HOLIDAY_WORDS)
            if has_work and has_rest:
                problems.append(_("无法判断是放假还是上班：%(text)s") % {"text": sentence})
                pending = []
            elif has_work or has_rest:
                target = work if has_work else off
                for d in pending:
                    target.setdefault(d, sentence)
                pending = []
        if pending:
            problems.append(_("无法判断以下日期是放假还是上班：%(text)s") % {"text": sentence})
    for date, sentence in moved:
        if date not in off and date not in work:
            problems.append(
                _("%(date)s 的公休日调走了，但这一条既没有让它放假，也没有写明上班：%(text)s")
                % {"date": _format(date), "text": sentence}
            )
    for date in set(off) & set(work):
        problems.append(
            _("%(date)s 既写成放假又写成上班：%(text)s") % {"date": _format(date), "text": work[date]}
        )
    result = [ParsedDay(date=d, kind=HOLIDAY, name=name[:50], sentence=s) for d, s in off.items() if d not in work]
    result += [ParsedDay(date=d, kind=WORKDAY, name=name[:50], sentence=s) for d, s in work.items() if d not in off]
    if not result and len(problems) == problems_before:
        problems.append(_("这一条中没有读到日期：%(text)s") % {"text": line})
    return result


def _read_extension(body, extension, year, festival, current, problems):
    """"延长2020年春节假期至2月2日(…)，2月3日(星期一)起正常上班"."""
    name = extension.group("name") or festival
    years = _Years(int(extension.group("y") or year), name)
    rest = body[extension.end():]
    tokens = list(DATE_RE.finditer(rest))
    if not tokens:
        problems.append(_("读不出假期延长到哪一天：%(text)s") % {"text": body})
        return []
    end, month = _resolve(tokens[0], years, None, problems)
    if end is None:
        return []
    stored = current(years.year) if current is not None else {}
    festival_days = sorted(d for d, (kind, day_name) in stored.items() if kind == HOLIDAY and name in (day_name or ""))
    festival_days = [d for d in festival_days if d <= end]
    if not festival_days:
        problems.append(
            _("找不到%(year)s年原有的“%(name)s”假期，请先导入该年的放假通知：%(text)s")
            % {"year": years.year, "name": name, "text": body}
        )
        return []
    start = festival_days[-1] + dt.timedelta(days=1)
    if end < start:
        problems.append(_("延长后的最后一天早于原假期的最后一天：%(text)s") % {"text": body})
        return []
    if (end - start).days > MAX_RANGE_DAYS:
        problems.append(_("日期范围不合理：%(text)s") % {"text": body})
        return []
    for token in tokens[1:]:
        resume, month = _resolve(token, years, month, problems)
        if resume is not None and resume != end + dt.timedelta(days=1):
            problems.append(
                _("恢复上班的日期 %(date)s 不是延长后假期的次日：%(text)s") % {"date": _format(resume), "text": body}
            )
    return [
        ParsedDay(date=start + dt.timedelta(days=i), kind=HOLIDAY, name=name[:50], sentence=body)
        for i in range((end - start).days + 1)
    ]


def _dates_in(clause, years, month, problems):
    """Dates named in a clause: single dates, "、" lists and "至" ranges.
    Returns (dates, the month to carry on with)."""
    dates = []
    tokens = list(DATE_RE.finditer(clause))
    index = 0
    while index < len(tokens):
        start = tokens[index]
        start_date, month = _resolve(start, years, month, problems)
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        between = clause[start.end() : following.start()] if following else ""
        if following is not None and RANGE_SEP_RE.match(between):
            end_date, month = _resolve(following, years, month, problems, check_weekday=False)
            if start_date and end_date and end_date < start_date and not following.group("y"):
                # 12月30日至1月1日: the range runs into the next year.
                try:
                    end_date = end_date.replace(year=start_date.year + 1)
                except ValueError:
                    end_date = None
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


def _resolve(token, years, month, problems, check_weekday=True):
    if token.group("m"):
        month = int(token.group("m"))
    if month is None:
        problems.append(_("日期缺少月份：%(text)s") % {"text": token.group(0)})
        return None, month
    year = years.year_of(token, month)
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

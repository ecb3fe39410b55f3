"""The English catalogue: complete, compiled, and what an English user sees.

Msgids are Simplified Chinese; locale/en holds the English. Adding a string
without translating it (makemessages + translate + compilemessages) fails
test_every_entry_is_translated on purpose.
"""
import datetime as dt
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from liaison.data_labels import label

from liaison.models import CalendarYear
from tests.factories import OfficerFactory, OrgUnitFactory, RoleFactory, UserFactory

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
HAN = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdfr]|%[sdfr]")


# --- a tiny .po reader (polib is a dev tool, not in requirements) -----------


def _unquote(text):
    # A .po string is a quoted C string literal.
    return _c_unescape(text[1:-1])


def _c_unescape(body):
    out, i = [], 0
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def read_po(path):
    """Entries as dicts: flags, obsolete, msgctxt, msgid, msgid_plural, msgstr {index: text}."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False, "msgstr": {}}
        if line.startswith("#~"):
            entry["obsolete"] = True
            line = line[2:].strip()
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword, index, value = match.groups()
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(index) if index is not None else 0)
                entry["msgstr"][field[1]] = _unquote(value)
            else:
                field = keyword
                entry[keyword] = _unquote(value)
        elif line.startswith('"') and field is not None:
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            raise AssertionError(f"unreadable line in {path.name}: {raw!r}")
    flush()
    return entries


def catalogue():
    entries = [e for e in read_po(PO) if not e["obsolete"]]
    header = [e for e in entries if e["msgid"] == ""]
    assert len(header) == 1, "the .po must have exactly one header"
    return header[0], [e for e in entries if e["msgid"] != ""]


# --- the catalogue ----------------------------------------------------------


def test_reader_sees_plurals_continuations_and_escapes(tmp_path):
    # The checks below are only as good as the reader: feed it the awkward cases.
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, python-format\nmsgid "共 %(n)s 行"\nmsgid_plural "共 %(n)s 行"\nmsgstr[0] "%(n)s row"\nmsgstr[1] ""\n\n'
        'msgid ""\n"长"\n"文"\nmsgstr ""\n"Long \\"quoted\\" "\n"text"\n\n'
        '#, fuzzy\nmsgid "旧"\nmsgstr "old"\n\n'
        '#~ msgid "废"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert entries[1]["msgid_plural"] == "共 %(n)s 行"
    assert entries[1]["msgstr"] == {0: "%(n)s row", 1: ""}
    assert entries[2]["msgid"] == "长文" and entries[2]["msgstr"][0] == 'Long "quoted" text'
    assert "fuzzy" in entries[3]["flags"]
    assert entries[4]["obsolete"]
    assert problems(entries[1:4]) == [
        "untranslated: '共 %(n)s 行'",
        "fuzzy: '旧'",
    ]


def problems(entries):
    found = []
    for e in entries:
        if "fuzzy" in e["flags"]:
            found.append(f"fuzzy: {e['msgid']!r}")
            continue
        expected = 2 if "msgid_plural" in e else 1
        texts = [e["msgstr"].get(i, "") for i in range(expected)]
        if not all(text.strip() for text in texts):
            found.append(f"untranslated: {e['msgid']!r}")
            continue
        # The plural form must keep the placeholders; the singular may drop a count.
        source = e.get("msgid_plural", e["msgid"])
        if sorted(PLACEHOLDER.findall(texts[-1])) != sorted(PLACEHOLDER.findall(source)):
            found.append(f"placeholders differ: {e['msgid']!r}")
    return found


def test_every_entry_is_translated():
    header, entries = catalogue()
    assert "fuzzy" not in header["flags"]
    assert "Language: en" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(entries) > 500
    assert problems(entries) == [], "run makemessages -l en, translate, then compilemessages"


def test_no_chinese_left_in_translations_except_official_titles():
    # The State Council notice title and format samples are quoted on purpose.
    allowed = re.compile(r"国务院办公厅关于[^”]*通知|一、元旦：1月1日放假|2026年3月1日|主联络员|副联络员|星期")
    _, entries = catalogue()
    leftovers = [e["msgid"] for e in entries for text in e["msgstr"].values() if HAN.search(allowed.sub("", text))]
    assert leftovers == []


def test_compiled_catalogue_matches_the_po():
    # A .po edited but not compiled would serve stale or missing English.
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    _, entries = catalogue()
    stale = []
    for e in entries:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            if compiled.get((key, 1)) != e["msgstr"][1]:
                stale.append(e["msgid"])
        elif compiled.get(key) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert stale == [], "run manage.py compilemessages -l en"


# --- what an English user sees ----------------------------------------------


class _Text(HTMLParser):
    """Visible text plus the attributes people read (titles, labels, placeholders)."""

    READ_ATTRS = {"title", "aria-label", "placeholder", "alt", "value", "data-label"}

    def __init__(self):
        super().__init__()
        self.chunks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.READ_ATTRS and value and not (tag == "input" and dict(attrs).get("type") == "hidden"):
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data.strip())


def chinese_on(html):
    parser = _Text()
    parser.feed(html)
    # The language switch names Chinese in Chinese, as it should.
    return [chunk for chunk in parser.chunks if HAN.search(chunk) and chunk != "简体中文"]


@pytest.fixture
def english_org(db):
    """A small organisation whose data is all in English, so any Chinese left on
    a page is an untranslated interface string."""
    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        CalendarYear.objects.create(year=2026, source=CalendarYear.Source.MANUAL)
        head = UserFactory(username="hannah", first_name="Hannah Head")
        leader = UserFactory(username="leo", first_name="Leo Leader")
        unit = OrgUnitFactory(code="sales", name="Sales", number_prefix="SA", head=head, supervising_leader=leader)
        OrgUnitFactory(code="legal", name="Legal Affairs", number_prefix="LA")
        officer = OfficerFactory(unit=unit, user__username="olivia", user__first_name="Olivia Officer").user
        secretary = UserFactory(username="sam", first_name="Sam Secretary", is_staff=True, profile__unit=unit)
        RoleFactory(user=secretary, role="secretariat")
        RoleFactory(user=secretary, role="hr_admin")
        yield {"head": head, "leader": leader, "officer": officer, "secretary": secretary}


def test_login_page_in_english_by_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/accounts/login/").content.decode()

    assert '<html lang="en">' in html
    for text in ("Log in", "Username", "Password", "Liaison officer"):
        assert text in html
    assert chinese_on(html) == []


def test_english_browser_still_gets_chinese_unless_configured(client, settings):
    # Many office PCs run an English browser; the footer switch decides, unless
    # FOLLOW_BROWSER_LANGUAGE is set (liaison.middleware.DefaultLanguageMiddleware).
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "登录" in html and "Log in" not in html

    settings.FOLLOW_BROWSER_LANGUAGE = True
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Log in" in html and "登录" not in html


def test_login_page_stays_chinese_by_default(client):
    html = client.get("/accounts/login/").content.decode()

    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "Log in" not in html


def test_wrong_password_message_in_english(client, english_org):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.post("/accounts/login/", {"username": "olivia", "password": "wrong"}).content.decode()

    assert "Incorrect username or password" in html
    assert chinese_on(html) == []


@pytest.mark.parametrize("who", ["officer", "head", "leader", "secretary"])
def test_home_page_in_english_for_each_role(client, english_org, who):
    client.force_login(english_org[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        html = client.get("/").content.decode()

    assert "Menu" in html and "Log out" in html and "Liaison officer roster" in html
    assert chinese_on(html) == []


def test_officer_home_names_their_post_in_english(client, english_org):
    client.force_login(english_org["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        html = client.get("/").content.decode()

    assert "I am the liaison officer of Sales" in html


def test_footer_switch_turns_the_portal_english_and_back(client, english_org):
    client.force_login(english_org["officer"])
    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        home = client.get("/").content.decode()
        # The footer form posts to set_language with one button per language.
        assert 'action="/i18n/setlang/"' in home
        assert 'name="language" value="en"' in home
        assert "首页" in home

        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert response.status_code == 302 and response.url == "/"
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        english = client.get("/").content.decode()
        assert '<html lang="en">' in english and "Home" in english and "首页" not in english

        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        assert "首页" in client.get("/").content.decode()


def test_switch_ignores_an_unknown_language_and_an_outside_next(client):
    # Django knows French and stores the cookie, but the portal offers only
    # zh-hans and en, so the page stays in the default language.
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})

    assert response.status_code == 302 and not response.url.startswith("https://evil")
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html


def test_model_labels_and_choices_translate(db):
    from infoflow.models import Item

    with translation.override("en"):
        assert str(Item._meta.get_field("urgency").verbose_name) == "Urgency"
        labels = {str(label) for _, label in Item._meta.get_field("urgency").choices}
    assert labels == {"Normal", "Urgent", "Extra urgent"}
    with translation.override("zh-hans"):
        assert str(Item._meta.get_field("urgency").verbose_name) == "紧急程度"


# --- every string a user sees is in the catalogue (issue 10, 6.10) -----------

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "_l", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
SOURCE_DIRS = ("liaison", "infoflow", "officers", "archive", "datacalls", "portal", "followup")

# gettext called with a variable: xgettext cannot see the text there, so the
# text is marked with gettext_noop where it is defined. Each entry names the
# call (file, argument) and the values it translates.
MARKED_VARIABLES = {
    ("infoflow/services/chain.py", "STEP_CLOSED"): lambda: [__import__("infoflow.services.chain").services.chain
                                                           .STEP_CLOSED],
    ("infoflow/services/signers.py", "STEP_CLOSED"): lambda: [__import__("infoflow.services.chain").services.chain
                                                             .STEP_CLOSED],
    ("infoflow/services/phrases.py", "p"): lambda: list(
        __import__("infoflow.services.phrases").services.phrases.DEFAULT_PHRASES),
    ("archive/exports.py", "h"): lambda: [*__import__("archive.exports").exports.CATALOGUE_HEADERS,
                                          *__import__("archive.exports").exports.DESTRUCTION_HEADERS],
    ("liaison/data_labels.py", "name"): lambda: sorted(__import__("liaison.data_labels").data_labels.SHIPPED),
    ("datacalls/views.py", "label"): lambda: sorted(__import__("datacalls.views").views.TRAIL_LABELS.values()),
    ("officers/templatetags/work_tags.py", "label"): lambda: sorted(
        __import__("officers.templatetags.work_tags").templatetags.work_tags.CHANGE_REASONS.values()),
    ("infoflow/templatetags/infoflow_rows.py", "key"): lambda: [
        text for name in ("ITEM_COLUMNS", "REVIEW_COLUMNS", "RECEIVED_COLUMNS", "ONTIME_COLUMNS",
                          "OVERDUE_STEP_COLUMNS", "OVERDUE_RECEIVER_COLUMNS")
        for text in getattr(__import__("infoflow.templatetags.infoflow_rows").templatetags.infoflow_rows, name)],
}


def gettext_calls_with_a_variable():
    import ast

    found = set()
    for top in SOURCE_DIRS:
        for path in sorted((Path(settings.BASE_DIR) / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT_NAMES
                        and node.args and not (isinstance(node.args[0], ast.Constant)
                                               and isinstance(node.args[0].value, str))):
                    found.add((str(path.relative_to(settings.BASE_DIR)), ast.unparse(node.args[0])))
    return found


def translated_msgids():
    return {e["msgid"] for e in catalogue()[1] if any(e["msgstr"].values())}


def test_every_gettext_call_with_a_variable_has_its_texts_marked_and_translated(db):
    calls = gettext_calls_with_a_variable()

    assert calls == set(MARKED_VARIABLES), (
        "gettext with a variable: mark the text with gettext_noop where it is defined and list the call here")
    translated = translated_msgids()
    for key, values in MARKED_VARIABLES.items():
        assert [v for v in values() if v not in translated] == [], key


@pytest.mark.skipif(not __import__("shutil").which("xgettext"), reason="needs GNU gettext (xgettext)")
def test_the_catalogue_holds_every_msgid_the_source_has(tmp_path):
    """makemessages into a copy of the source (never the committed catalogue):
    every msgid it extracts has an English translation in locale/en."""
    import shutil
    import subprocess
    import sys

    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", ".git", "var", "node_modules", "__pycache__", "*.mo", "*.pyc")
    shutil.copytree(base, copy, ignore=ignore, symlinks=True)
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-i", "tests", "-i",
                    "bench", "-i", "var", "-i", ".venv"], cwd=copy, check=True, capture_output=True)
    extracted = {e["msgid"] for e in read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") if e["msgid"]}

    missing = sorted(extracted - translated_msgids())

    assert missing == [], "%d msgids without English, e.g. %s" % (len(missing), missing[:10])


def test_shipped_route_stage_category_and_duty_names_read_in_english(client, english_org):
    from infoflow.models import Category
    from infoflow.services.chain import submit_item
    from infoflow.services.drafting import create_item
    from officers.models import OrgUnit

    with time_machine.travel("2026-03-02 10:00+08:00", tick=False):
        item = create_item(
            actor=english_org["officer"], unit=OrgUnit.objects.get(code="sales"),
            fields={"subject": "Visit plan", "summary": "Customer visits", "needs_coordination": True,
                    "category": Category.objects.get(code="customer"),
                    "expected_feedback_at": timezone.now() + dt.timedelta(days=5)},
            receivers=[{"kind": "unit", "unit": OrgUnit.objects.get(code="legal")}],
        )
        submit_item(item=item, actor=english_org["officer"])
        client.force_login(english_org["head"])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        chinese = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()

    for shown in ("Internal coordination", "Department head", "Customer feedback"):
        assert shown in english
    for name in ("内部协调", "部门负责人", "客户意见"):
        assert name not in english and name in chinese
    with translation.override("en"):
        assert str(Category.objects.get(code="safety")) == "Safety hazards"
        assert label("保密管理") == "Confidentiality management"
        assert label("本单位自定的环节") == "本单位自定的环节"  # typed by the organisation: as typed


def test_table_headers_never_break_inside_a_word():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "liaison.css").read_text(encoding="utf-8")

    rule = re.search(r"(?:^|\})\s*th\s*\{([^}]*)\}", css)
    assert rule and "word-break: keep-all" in rule.group(1) and "white-space: nowrap" in rule.group(1)

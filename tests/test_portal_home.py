"""The secretariat's list of officers missing paperwork, written in Python
(portal.home.missing_paperwork_html, issue 12): the same rows the template
wrote, names escaped, each badge only when its paper is missing."""
import datetime

import pytest
from django.utils import translation

from portal.home import missing_paperwork_html
from tests.factories import OfficerFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db


def test_each_officer_shows_only_the_missing_papers_and_names_are_escaped():
    unit = OrgUnitFactory(name="生产部<i>")
    both = OfficerFactory(unit=unit, induction_done_on=None, confidentiality_signed_on=None)
    both.user.first_name, both.user.last_name = "<script>", ""
    trained = OfficerFactory(unit=unit, is_primary=False, induction_done_on=datetime.date(2026, 1, 5),
                             confidentiality_signed_on=None)
    trained.user.first_name = trained.user.last_name = ""

    with translation.override("zh-hans"):
        html = str(missing_paperwork_html([both, trained]))

    rows = html.split("<li>")[1:]
    assert len(rows) == 2
    assert "&lt;script&gt;" in rows[0] and "<script>" not in html
    assert "（生产部&lt;i&gt;）" in rows[0]
    assert "未参加岗前培训" in rows[0] and "未签保密协议" in rows[0]
    assert trained.user.username in rows[1]
    assert "未参加岗前培训" not in rows[1] and "未签保密协议" in rows[1]


def test_the_badges_follow_the_language():
    officer = OfficerFactory(induction_done_on=None, confidentiality_signed_on=None)

    with translation.override("en"):
        html = str(missing_paperwork_html([officer]))

    assert "未参加岗前培训" not in html and "未签保密协议" not in html


def test_the_bell_counts_what_unread_count_counts(django_user_model):
    from liaison.models import Notification
    from liaison.notifications import notify, unread_count
    from portal.context_processors import unread_notifications

    alice = django_user_model.objects.create_user("alice_bell")
    bob = django_user_model.objects.create_user("bob_bell")
    assert unread_notifications(alice) == unread_count(alice) == 0
    for key in ("a", "b", "c"):
        notify(recipient=alice, key=key, kind="reminder", subject="审核即将到期", body="请审核", url="/items/1/")
    notify(recipient=bob, key="a", kind="reminder", subject="审核即将到期", body="请审核", url="/items/1/")
    Notification.objects.filter(recipient=alice, key="a").update(read_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))

    assert unread_notifications(alice) == unread_count(alice) == 2
    assert unread_notifications(bob) == unread_count(bob) == 1


def _former_missing_paperwork_html(officers):
    """What missing_paperwork_html wrote with format_html_join before it used html.escape (issue 12)."""
    from django.utils.html import format_html, format_html_join
    from django.utils.translation import gettext as _

    no_induction = format_html('<span class="badge urgent">{}</span> ', _("未参加岗前培训"))
    no_agreement = format_html('<span class="badge urgent">{}</span>', _("未签保密协议"))
    return format_html_join(
        "",
        '\n      <li>\n        {} <span class="muted">（{}）</span>\n        <br><small>{}{}</small>\n      </li>',
        (
            (
                officer.user.get_full_name() or officer.user.username, officer.unit.name,
                "" if officer.induction_done_on else no_induction,
                "" if officer.confidentiality_signed_on else no_agreement,
            )
            for officer in officers
        ),
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_are_what_format_html_join_wrote(language):
    unit = OrgUnitFactory(name="A&B \"部\" 'x' <i>")
    officers = [
        OfficerFactory(unit=unit, induction_done_on=None, confidentiality_signed_on=None),
        OfficerFactory(unit=unit, is_primary=False, induction_done_on=datetime.date(2026, 1, 5),
                       confidentiality_signed_on=None),
        OfficerFactory(unit=unit, is_primary=False, induction_done_on=None,
                       confidentiality_signed_on=datetime.date(2026, 1, 5)),
    ]
    officers[0].user.first_name, officers[0].user.last_name = "<b>&amp;", "'\""
    officers[1].user.first_name = officers[1].user.last_name = ""  # the username instead
    with translation.override(language):
        html = missing_paperwork_html(officers)
        assert html == _former_missing_paperwork_html(officers)
    assert hasattr(html, "__html__")
    assert missing_paperwork_html([]) == ""

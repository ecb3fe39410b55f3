"""The home page: what each role has to do now.

Every list is evaluated here with its joins, so the template never triggers a
query and the page costs the same number of queries however many rows there
are. Later issues add their cards through ``templates/_home_cards.html``.

The lists are plain statements read into light rows (``SimpleNamespace``
with the attributes the template reads): as ORM querysets with their
prefetches they cost 4–10 ms of Python a home page (issue 12), the SQL a
fraction of a millisecond. Their filters and orders are those of
``officers.selectors`` (``active_officers``, ``units_without_active_officer``).
"""
from html import escape as _escape  # django.utils.html.escape without its wrappers
from types import SimpleNamespace
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from officers.models import ChangeFiling, Officer
from officers.roles import Role, roles_of

from .home_figures import db_date, db_moment


def home_context(user):
    roles = roles_of(user)
    now = timezone.now()
    context = {"roles": roles, "role_labels": role_labels(roles), "now": now}

    if roles.is_hr or roles.is_secretariat or user.is_superuser:
        context["units_without_officer"] = units_without_active_officer()
        context["open_filings"] = [
            (filing, filing.due_at < now) for filing in open_change_filings()
        ]
        context["officers_missing_paperwork"] = missing = officers_missing_paperwork()
        context["officers_missing_paperwork_html"] = missing_paperwork_html(missing)

    if roles.is_officer:
        context["my_posts"] = posts_of(user)

    if roles.is_head or roles.is_leader:
        context["my_units"] = units_led_by(roles.headed_unit_ids | roles.supervised_unit_ids)
    return context


def role_labels(roles):
    """What the greeting says the user is: organisation roles, then the
    per-unit ones (head, leader, officer) that come from the units."""
    labels = [str(label) for value, label in Role.choices if value in roles.roles]
    if roles.is_head:
        labels.append(_("部门负责人"))
    if roles.is_leader:
        labels.append(_("分管领导"))
    if roles.is_officer:
        labels.append(_("信息联络员"))
    return labels


def missing_paperwork_html(officers):
    """The <li> rows of officers_missing_paperwork, as the template wrote
    them: a template loop of about a hundred officers cost more than the
    rest of the secretariat's home page (issue 12).

    Written with ``html.escape``, what ``format_html`` applies to a plain
    string (``conditional_escape`` → ``escape``): ``format_html_join`` over
    a hundred rows, each argument through Django's lazy-aware wrappers, still
    cost about 1.5 ms a request. The names are plain strings from the
    database, never safe strings, so the output is the same."""
    no_induction = format_html('<span class="badge urgent">{}</span> ', _("未参加岗前培训"))
    no_agreement = format_html('<span class="badge urgent">{}</span>', _("未签保密协议"))
    return mark_safe("".join([
        f'\n      <li>\n        {_escape(str(officer.user.get_full_name() or officer.user.username))} '
        f'<span class="muted">（{_escape(str(officer.unit.name))}）</span>\n        <br><small>'
        f'{"" if officer.induction_done_on else no_induction}'
        f'{"" if officer.confidentiality_signed_on else no_agreement}</small>\n      </li>'
        for officer in officers
    ]))


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Person(NamedTuple):
    """What the home page shows of a user: ``get_full_name()`` and the username."""

    username: str
    first_name: str
    last_name: str

    def get_full_name(self) -> str:
        """``User.get_full_name()``."""
        return f"{self.first_name} {self.last_name}".strip()


ACTIVE = Officer.Status.ACTIVE.value


def units_without_active_officer() -> list[SimpleNamespace]:
    """``officers.selectors.units_without_active_officer()``: active units
    with no active officer, as (name) rows."""
    return [SimpleNamespace(name=name) for (name,) in _rows(
        "SELECT u.name FROM officers_orgunit u WHERE u.is_active AND NOT EXISTS (SELECT 1 FROM officers_officer o "
        "WHERE o.status = %s AND o.unit_id = u.id) ORDER BY u.sort_order, u.code, u.id", [ACTIVE])]


def open_change_filings() -> list[SimpleNamespace]:
    """Change filings not yet filed with the outside body, the most urgent
    first: (registration.unit.name, registration.body.name,
    get_reason_display, due_at) rows."""
    reasons = dict(ChangeFiling.Reason.choices)
    rows = _rows(
        "SELECT u.name, b.name, f.reason, f.due_at FROM officers_changefiling f "
        "JOIN officers_registration r ON r.id = f.registration_id JOIN officers_orgunit u ON u.id = r.unit_id "
        "JOIN officers_externalunit b ON b.id = r.body_id "
        "WHERE f.filed_at IS NULL AND r.is_active ORDER BY f.due_at, f.id", [])
    return [
        SimpleNamespace(registration=SimpleNamespace(unit=SimpleNamespace(name=unit), body=SimpleNamespace(name=body)),
                        get_reason_display=str(reasons.get(reason, reason)), due_at=db_moment(due_at))
        for unit, body, reason, due_at in rows
    ]


def officers_missing_paperwork() -> list[SimpleNamespace]:
    """Active officers whose appointment lacks induction training or a
    confidentiality agreement (domain: both must be on record), as the rows
    ``missing_paperwork_html`` writes."""
    rows = _rows(
        "SELECT au.username, au.first_name, au.last_name, u.name, o.induction_done_on, o.confidentiality_signed_on "
        "FROM officers_officer o JOIN auth_user au ON au.id = o.user_id JOIN officers_orgunit u ON u.id = o.unit_id "
        "WHERE o.status = %s AND (o.induction_done_on IS NULL OR o.confidentiality_signed_on IS NULL) "
        "ORDER BY u.sort_order, u.code, o.appointed_on, o.id", [ACTIVE])
    return [
        SimpleNamespace(user=Person(username, first, last),
                        unit=SimpleNamespace(name=unit), induction_done_on=db_date(induction),
                        confidentiality_signed_on=db_date(signed))
        for username, first, last, unit, induction, signed in rows
    ]


def posts_of(user) -> list[SimpleNamespace]:
    """The user's active officer posts with their unit, duties (by code) and
    the unit's active registrations with outside bodies (by the body's
    name), in one statement: a post's duties and registrations are few, so
    their product is a handful of rows."""
    rows = _rows(
        "SELECT o.id, o.is_primary, o.appointed_on, o.phone, u.name, d.id, d.name, r.id, b.name, "
        "r.registered_name, r.registered_phone, r.reference "
        "FROM officers_officer o JOIN officers_orgunit u ON u.id = o.unit_id "
        "LEFT JOIN officers_officerduty od ON od.officer_id = o.id LEFT JOIN officers_duty d ON d.id = od.duty_id "
        "LEFT JOIN officers_registration r ON r.unit_id = u.id AND r.is_active "
        "LEFT JOIN officers_externalunit b ON b.id = r.body_id "
        "WHERE o.status = %s AND o.user_id = %s "
        "ORDER BY u.sort_order, u.code, o.id, d.code, d.id, b.name, r.id", [ACTIVE, user.pk])
    posts: dict[int, SimpleNamespace] = {}
    for (pk, is_primary, appointed_on, phone, unit, duty_id, duty, reg_id, body, reg_name, reg_phone,
         reference) in rows:
        post = posts.get(pk)
        if post is None:
            post = posts[pk] = SimpleNamespace(
                is_primary=bool(is_primary), appointed_on=db_date(appointed_on), phone=phone, duty_list={},
                unit=SimpleNamespace(name=unit, active_registrations={}))
        if duty_id is not None:
            post.duty_list.setdefault(duty_id, SimpleNamespace(name=duty))
        if reg_id is not None:
            post.unit.active_registrations.setdefault(reg_id, SimpleNamespace(
                body=SimpleNamespace(name=body), registered_name=reg_name, registered_phone=reg_phone,
                reference=reference))
    for post in posts.values():
        post.duty_list = list(post.duty_list.values())
        post.unit.active_registrations = list(post.unit.active_registrations.values())
    return list(posts.values())


def units_led_by(unit_ids) -> list[SimpleNamespace]:
    """Active units among ``unit_ids`` (those the user heads or supervises),
    with their active officers (the primary first, then by appointment), in
    one statement."""
    if not unit_ids:
        return []
    ids = sorted(unit_ids)
    rows = _rows(
        "SELECT u.id, u.name, u.head_id, u.supervising_leader_id, o.id, o.phone, au.username, au.first_name, "
        "au.last_name FROM officers_orgunit u "
        "LEFT JOIN officers_officer o ON o.unit_id = u.id AND o.status = %s "
        "LEFT JOIN auth_user au ON au.id = o.user_id "
        f"WHERE u.is_active AND u.id IN ({', '.join(['%s'] * len(ids))}) "
        "ORDER BY u.sort_order, u.code, u.id, o.is_primary DESC, o.appointed_on, o.id", [ACTIVE, *ids])
    units: dict[int, SimpleNamespace] = {}
    for pk, name, head_id, leader_id, officer_id, phone, username, first, last in rows:
        unit = units.get(pk)
        if unit is None:
            unit = units[pk] = SimpleNamespace(name=name, head_id=head_id, supervising_leader_id=leader_id,
                                               active_officers=[])
        if officer_id is not None:
            unit.active_officers.append(SimpleNamespace(
                phone=phone, user=Person(username, first, last)))
    return list(units.values())

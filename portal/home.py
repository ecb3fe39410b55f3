"""The home page: what each role has to do now.

Every list is evaluated here with its joins, so the template never triggers a
query and the page costs the same number of queries however many rows there
are. Later issues add their cards through ``templates/_home_cards.html``.
"""
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from officers.models import ChangeFiling, Officer, OrgUnit, Registration
from officers.roles import Role, roles_of
from officers.selectors import active_officers, units_without_active_officer


def home_context(user):
    roles = roles_of(user)
    now = timezone.now()
    context = {"roles": roles, "role_labels": role_labels(roles), "now": now}

    if roles.is_hr or roles.is_secretariat or user.is_superuser:
        context["units_without_officer"] = list(units_without_active_officer())
        context["open_filings"] = [
            (filing, filing.due_at < now) for filing in open_change_filings()
        ]
        context["officers_missing_paperwork"] = missing = list(officers_missing_paperwork())
        context["officers_missing_paperwork_html"] = missing_paperwork_html(missing)

    if roles.is_officer:
        context["my_posts"] = list(posts_of(user))

    if roles.is_head or roles.is_leader:
        context["my_units"] = list(units_led_by(roles.headed_unit_ids | roles.supervised_unit_ids))
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
    rest of the secretariat's home page (issue 12)."""
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


def open_change_filings():
    """Change filings not yet filed with the outside body, the most urgent first."""
    return (
        ChangeFiling.objects.filter(filed_at__isnull=True, registration__is_active=True)
        .select_related("registration__unit", "registration__body")
        .order_by("due_at", "pk")
    )


def officers_missing_paperwork():
    """Active officers whose appointment lacks induction training or a
    confidentiality agreement (domain: both must be on record)."""
    return (
        active_officers()
        .filter(Q(induction_done_on__isnull=True) | Q(confidentiality_signed_on__isnull=True))
        .select_related("user", "unit")
        # What the rows show (missing_paperwork_html): a hundred officers with
        # every column of three models cost the secretariat's home page
        # about 9 ms of Python (issue 12).
        .only("id", "user_id", "unit_id", "induction_done_on", "confidentiality_signed_on",
              "user__id", "user__username", "user__first_name", "user__last_name", "unit__id", "unit__name")
        .order_by("unit__sort_order", "unit__code", "appointed_on")
    )


def posts_of(user):
    """The user's active officer posts with their unit, duties and the unit's
    registrations with outside bodies."""
    registrations = Registration.objects.filter(is_active=True).select_related("body").order_by("body__name")
    return (
        active_officers()
        .filter(user=user)
        .select_related("unit")
        .prefetch_related(
            "duties",
            Prefetch("unit__registrations", queryset=registrations, to_attr="active_registrations"),
        )
        .order_by("unit__sort_order", "unit__code")
    )


def units_led_by(unit_ids):
    """Units the user heads or supervises, with their active officers."""
    officers = active_officers().select_related("user").order_by("-is_primary", "appointed_on")
    return (
        OrgUnit.objects.filter(pk__in=unit_ids, is_active=True)
        .select_related("head", "supervising_leader")
        .prefetch_related(Prefetch("officers", queryset=officers, to_attr="active_officers"))
        .order_by("sort_order", "code")
    )

"""The home cards' figures of portal.home_figures (one plain statement a
request, issue 12) are exactly what the ORM querysets of the cards' tags
counted before — kept here as the oracle — for every account of the demo
organisation, at moments before, inside and after the demo's deadlines, and
after rows change state."""
import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from briefs.permissions import can_compile
from briefs.selectors import published_issues
from datacalls.models import Answer
from datacalls.models import Occurrence as CallOccurrence
from datacalls.selectors import home_counts as datacalls_home_counts
from followup.selectors import home_counts as followup_home_counts
from incidents.models import Incident
from incidents.selectors import incidents_visible_to, oversees_incidents
from infoflow.home_counts import home_counts as infoflow_home_counts
from officers.meeting_models import ActionItem, Induction, Invitation, Meeting
from officers.meetings import can_manage
from officers.models import Officer
from officers.recommendation_models import Recommendation
from officers.recommendations import decides_recommendations, recommending_units
from officers.roles import roles_of
from officers.work_models import AccountabilityCase, ReplacementFlag, WorkReport
from portal.home_figures import compute_home_figures, home_figures
from relations import permissions as relations_permissions
from relations import selectors as relations_selectors
from relations.models import FollowUpAction, MemberChange
from relations.models import Occurrence as RelationsOccurrence
from reports.selectors import may_generate, reports_visible_to
from rules.models import ReadConfirmation, RuleDocument, RuleVersion
from rules.selectors import manages_rules, pending_for
from surveys.models import Recipient
from surveys.selectors import home_count, manages_surveys

pytestmark = pytest.mark.django_db
SEEDED_AT = "2026-03-02 10:00+08:00"


# --- the oracle: the cards' tags as they were (commit 7db16e6) ---------------------------------------------


def work(user):
    roles = roles_of(user)
    sees_cases = roles.is_supervision or roles.is_hr or roles.is_general_manager or roles.is_leader
    if not (roles.is_officer or roles.is_head or roles.is_hr or sees_cases or user.is_superuser):
        return None
    now, today = timezone.now(), timezone.localdate()
    out = {"to_file": 0, "late": 0, "to_comment": 0, "flags": 0, "rectifications": 0, "late_rectifications": 0,
           "sees_cases": sees_cases}
    if roles.is_officer or roles.is_head:
        counts = WorkReport.objects.filter(Q(officer__user=user) | Q(unit_id__in=roles.headed_unit_ids)).aggregate(
            to_file=Count("pk", filter=Q(officer__user=user, state=WorkReport.State.OPEN)),
            late=Count("pk", filter=Q(officer__user=user, state=WorkReport.State.OPEN, due_at__lt=now)),
            to_comment=Count("pk", filter=Q(unit_id__in=roles.headed_unit_ids, state=WorkReport.State.SUBMITTED)))
        out.update(counts)
    if roles.is_hr or roles.is_head or user.is_superuser:
        flags = ReplacementFlag.objects.filter(state=ReplacementFlag.State.OPEN)
        if not (roles.is_hr or user.is_superuser):
            flags = flags.filter(unit_id__in=roles.headed_unit_ids)
        out["flags"] = flags.count()
    cases = AccountabilityCase.objects.exclude(rectification="").filter(rectified_on__isnull=True)
    if not (roles.is_supervision or roles.is_hr or roles.is_general_manager or user.is_superuser):
        cases = cases.filter(Q(officer__user=user) | Q(officer__unit_id__in=roles.supervised_unit_ids))
    out.update(cases.aggregate(rectifications=Count("pk"),
                               late_rectifications=Count("pk", filter=Q(rectification_due__lt=today))))
    return out


def meetings(user):
    now = timezone.now()
    invites = Invitation.objects.filter(
        user=user, meeting__starts_at__gt=now,
        meeting__state__in=(Meeting.State.PLANNED, Meeting.State.NOTIFIED)).aggregate(
        upcoming=Count("pk"), to_answer=Count("pk", filter=Q(response=Invitation.Response.PENDING,
                                                            meeting__state=Meeting.State.NOTIFIED)))
    actions = ActionItem.objects.filter(owner=user, done_at__isnull=True).aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    out = {"upcoming": invites["upcoming"], "to_answer": invites["to_answer"], "actions": actions["open"],
           "late_actions": actions["late"], "manages": can_manage(user)}
    if out["manages"]:
        today = timezone.localdate()
        due = Induction.objects.filter(done_on__isnull=True, officer__status="active").aggregate(
            open=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)))
        out.update(inductions=due["open"], late_inductions=due["late"])
    if not (out["upcoming"] or out["actions"] or out["manages"]):
        return None
    return out


def recommendations(user):
    decides = decides_recommendations(user)
    roles = roles_of(user)
    units = roles.headed_unit_ids | roles.officer_unit_ids
    if not (decides or units):
        return None
    wanted = {}
    if decides:
        wanted["to_decide"] = Count("pk", filter=~Q(recommended_by=user))
    if units:
        wanted["open_mine"] = Count("pk", filter=Q(unit_id__in=units))
    counts = Recommendation.objects.filter(state__in=Recommendation.OPEN_STATES).aggregate(**wanted)
    return {"to_decide": counts.get("to_decide", 0), "open_mine": counts.get("open_mine", 0),
            "may_recommend": bool(units) and recommending_units(user).exists()}


def rules(user):
    pending = pending_for(user).count()
    manages = manages_rules(user)
    if not (pending or manages or roles_of(user).is_officer):
        return None
    counts = {"pending": pending, "manages": manages}
    if manages:
        counts["unconfirmed"] = ReadConfirmation.objects.filter(
            confirmed_at__isnull=True, version__state=RuleVersion.State.CURRENT,
            version__document__is_active=True).count()
        counts["revision_due"] = RuleDocument.objects.filter(
            is_active=True, revision_due_on__lte=timezone.localdate()).count()
    return counts


def relations(user):
    s = relations_selectors
    sees_all = s.sees_all_relations(user)
    records = relations_permissions.can_record_visit(user)
    members = s.member_units_of(user).exists() or s.reviews_member_changes(user)
    if not (sees_all or records or members):
        return None
    today = timezone.localdate()
    occurrences = s.occurrences_visible_to(user).filter(done_at__isnull=True).aggregate(
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=30))),
        late=Count("pk", filter=Q(due_on__lt=today)))
    return {"actions": s.my_open_actions(user).count(), "due_soon": occurrences["due_soon"],
            "late": occurrences["late"],
            "to_review": (s.member_change_list(user, state="submitted").count()
                          if s.reviews_member_changes(user) else 0),
            "members": members}


def surveys(user):
    manages = manages_surveys(user)
    todo = home_count(user)
    if not todo and not manages:
        return None
    return {"todo": todo, "manages": manages}


def incidents(user):
    counts = incidents_visible_to(user).filter(state__in=Incident.OPEN_STATES).aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(due_at__lt=timezone.now())))
    oversees = oversees_incidents(user)
    if not oversees and not counts["open"]:
        return None
    return {"oversees": oversees, **counts}


def reports(user):
    latest = (reports_visible_to(user).only("pk", "kind", "period", "first_day", "generated_at")
              .order_by("-generated_at", "-pk").first())
    manages = may_generate(user)
    if latest is None and not manages:
        return None
    return {"latest": latest, "manages": manages}


def same_reports(figures, expected):
    """A report row as the card shows it (pk, heading, date) — model instances compare by pk only."""
    def shown(card):
        if card is None or card["latest"] is None:
            return card
        latest = card["latest"]
        return {"manages": card["manages"], "latest": (latest.pk, latest.heading, latest.generated_at)}
    return shown(figures) == shown(expected)


def briefs(user):
    if not can_compile(user):
        return None
    newest = published_issues(user, limit=1)
    return {"newest": (newest[0].pk, newest[0].title, newest[0].number_label) if newest else None}


def shown_briefs(card):
    if card is None or card["newest"] is None:
        return card
    return {"newest": (card["newest"].pk, card["newest"].title, card["newest"].number_label)}


ORACLE = {"datacalls": datacalls_home_counts, "work": work, "meetings": meetings, "rules": rules,
          "recommendations": recommendations, "relations": relations, "surveys": surveys, "incidents": incidents,
          "reports": reports, "briefs": briefs}


# --- the comparison ---------------------------------------------------------------------------------------


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    with time_machine.travel(SEEDED_AT, tick=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))


def fresh(user):
    """The user as a new request reads it (roles not yet cached)."""
    return get_user_model().objects.get(pk=user.pk)


def assert_same_for_everyone(moment):
    shown = set()
    with time_machine.travel(moment, tick=False):
        for user in get_user_model().objects.order_by("pk"):
            figures = compute_home_figures(fresh(user))
            for name, oracle in ORACLE.items():
                if name == "reports":
                    assert same_reports(figures[name], oracle(fresh(user))), (user.username, name, moment)
                elif name == "briefs":
                    assert shown_briefs(figures[name]) == oracle(fresh(user)), (user.username, name, moment)
                else:
                    assert figures[name] == oracle(fresh(user)), (user.username, name, moment)
                if figures[name]:
                    shown.add(name)
            # The information and followup cards' statements, as their own functions run them
            # (tests/infoflow/test_home_counts.py and tests/followup compare those with the selectors).
            assert figures["infoflow"] == infoflow_home_counts(fresh(user)), (user.username, moment)
            assert figures["followup"] == followup_home_counts(fresh(user)), (user.username, moment)
    return shown


def test_every_card_counts_what_its_querysets_counted_for_every_account(demo):
    shown = set()
    for moment in (SEEDED_AT, "2026-03-20 18:00+08:00", "2026-05-01 09:00+08:00", "2027-01-10 09:00+08:00"):
        shown |= assert_same_for_everyone(moment)
    assert shown == set(ORACLE)  # every card was shown to someone: the comparison covered each statement


def test_the_figures_follow_rows_changing_state(demo):
    # Close, finish and answer a part of each card's rows, then compare again.
    with time_machine.travel("2026-03-05 10:00+08:00", tick=False):
        now, today = timezone.now(), timezone.localdate()
        CallOccurrence.objects.filter(pk__in=CallOccurrence.objects.order_by("pk").values("pk")[:1]).update(
            closed_at=now)
        Answer.objects.filter(pk__in=Answer.objects.order_by("pk").values("pk")[:2]).update(state="submitted")
        WorkReport.objects.filter(pk__in=WorkReport.objects.order_by("pk").values("pk")[:2]).update(
            state=WorkReport.State.SUBMITTED)
        ReplacementFlag.objects.filter(pk__in=ReplacementFlag.objects.order_by("pk").values("pk")[:1]).update(
            state="closed")
        AccountabilityCase.objects.filter(pk__in=AccountabilityCase.objects.order_by("pk").values("pk")[:1]).update(
            rectified_on=today)
        ActionItem.objects.filter(pk__in=ActionItem.objects.order_by("pk").values("pk")[:1]).update(done_at=now)
        Induction.objects.filter(pk__in=Induction.objects.order_by("pk").values("pk")[:1]).update(done_on=today)
        Invitation.objects.filter(pk__in=Invitation.objects.order_by("pk").values("pk")[:2]).update(
            response="accepted")
        ReadConfirmation.objects.filter(pk__in=ReadConfirmation.objects.order_by("pk").values("pk")[:3]).update(
            confirmed_at=now)
        RuleDocument.objects.filter(pk__in=RuleDocument.objects.order_by("pk").values("pk")[:1]).update(
            is_active=False)
        Recommendation.objects.filter(pk__in=Recommendation.objects.order_by("pk").values("pk")[:1]).update(
            state=Recommendation.State.REJECTED)
        RelationsOccurrence.objects.filter(
            pk__in=RelationsOccurrence.objects.order_by("pk").values("pk")[:2]).update(done_at=now)
        FollowUpAction.objects.filter(pk__in=FollowUpAction.objects.order_by("pk").values("pk")[:1]).update(
            done_at=now)
        MemberChange.objects.filter(pk__in=MemberChange.objects.order_by("pk").values("pk")[:1]).update(
            state=MemberChange.State.SUBMITTED)
        Recipient.objects.filter(pk__in=Recipient.objects.order_by("pk").values("pk")[:2]).update(answered=True)
        Incident.objects.filter(pk__in=Incident.objects.order_by("pk").values("pk")[:1]).update(state="closed")
        Officer.objects.filter(pk__in=Officer.objects.order_by("pk").values("pk")[:1]).update(status="ended")
    for moment in ("2026-03-05 10:00+08:00", "2026-04-15 10:00+08:00"):
        assert_same_for_everyone(moment)


class _Request:
    def __init__(self, user):
        self.user = user


def test_one_query_for_every_card_once_a_request(demo, django_assert_num_queries):
    secretary = get_user_model().objects.get(username="secretary")
    roles_of(secretary)
    request = _Request(secretary)
    with django_assert_num_queries(2):  # the delegations in force (request_acting_ids), then every card
        figures = home_figures(request)
        assert home_figures(request) is figures
    assert figures["rules"]["manages"] and figures["datacalls"]["manages"]


def test_the_bulletin_card_shows_the_bulletins_newest_releases(demo):
    from infoflow.models import Item
    from publication.selectors import bulletin_latest_rows, bulletin_releases

    def by_queryset(count):
        return [(r.pk, r.first_released_at, r.item.subject) for r in bulletin_releases()[:count]]

    def rows(count):
        return [(r.pk, r.first_released_at, r.item.subject) for r in bulletin_latest_rows(count)]

    assert rows(3) == by_queryset(3) and rows(100) == by_queryset(100)
    assert by_queryset(100), "the demo releases items on the bulletin"
    # An item made internal, or withdrawn from the released states, leaves the card as it leaves the bulletin.
    first = bulletin_releases().first()
    Item.objects.filter(pk=first.item_id).update(confidentiality="internal")
    assert rows(100) == by_queryset(100) and first.pk not in [pk for pk, _, _ in rows(100)]

"""The 对外联络 home card's figures as one-row aggregates of the home page's
one statement (portal.home_figures): the open follow-up actions, the open
occurrences due within 30 days and past due (``occurrences_visible_to``),
and the member changes to review, in plain SQL."""
import datetime as dt

from django.utils import timezone

from officers.models import OrgUnit

from . import permissions, selectors
from .models import MemberChange


def relations_card(statement, user, roles, now):
    """{"actions", "due_soon", "late", "to_review", "members"}, or None for
    users the card is not for (relations.templatetags.relations_tags)."""
    sql = statement.sql
    if not selectors._signed_in(user):
        return None  # neither sees all, records nor reports for a member unit
    sees_all = selectors.sees_all_relations(user)
    records = permissions.can_record_visit(user)
    reviews = selectors.reviews_member_changes(user)
    if not (sees_all or records or reviews or roles.officer_unit_ids):
        return None  # finish() would say None whatever the counts
    today = timezone.localdate(now)
    # selectors.obligations_visible_to
    obligations = "SELECT b.id FROM relations_obligation b"
    if not sees_all:
        units = selectors.unit_ids_of(user)
        me = sql.value(user.pk)
        mine = f"b.owner_user_id = {me} OR e.responsible_user_id = {me}"
        if units:
            ids = sql.values(sorted(units))
            mine += f" OR b.owner_unit_id IN {ids} OR e.responsible_unit_id IN {ids}"
        obligations += f" JOIN officers_externalunit e ON e.id = b.body_id WHERE ({mine})"
    select = (
        f"SELECT COUNT(*) FILTER (WHERE o.due_on >= {statement.date(today)} "
        f"AND o.due_on <= {statement.date(today + dt.timedelta(days=30))}) AS due_soon, "
        f"COUNT(*) FILTER (WHERE o.due_on < {statement.date(today)}) AS late, "
        f"(SELECT COUNT(*) FROM relations_followupaction a WHERE a.done_at IS NULL "
        f"AND a.owner_id = {sql.value(user.pk)}) AS actions, "
    )
    # selectors.member_units_of(user).exists()
    if roles.officer_unit_ids:
        select += (f"(SELECT COUNT(*) FROM (SELECT 1 FROM officers_orgunit u WHERE u.kind = "
                   f"{sql.value(OrgUnit.Kind.MEMBER)} AND u.is_active AND u.id IN "
                   f"{sql.values(sorted(roles.officer_unit_ids))} LIMIT 1) m) AS member, ")
    else:
        select += "0 AS member, "
    # selectors.member_change_list(user, state="submitted"): a reviewer sees every change
    if reviews:
        select += (f"(SELECT COUNT(*) FROM relations_memberchange c "
                   f"WHERE c.state = {sql.value(MemberChange.State.SUBMITTED)}) AS to_review")
    else:
        select += "0 AS to_review"
    select += f" FROM relations_occurrence o WHERE o.done_at IS NULL AND o.obligation_id IN ({obligations})"

    def finish(row):
        members = bool(row["member"]) or reviews
        if not (sees_all or records or members):
            return None
        return {"actions": row["actions"], "due_soon": row["due_soon"], "late": row["late"],
                "to_review": row["to_review"], "members": members}

    statement.add("relations", select, ("due_soon", "late", "actions", "member", "to_review"), finish)
    return None

"""The officers app's home cards — work reports and accountability, meetings,
recommendations — as one-row aggregates of the home page's one statement
(portal.home_figures): the querysets their tags built, in plain SQL."""
from django.utils import timezone

from .meeting_models import Invitation, Meeting
from .meetings import can_manage
from .models import Officer
from .recommendation_models import Recommendation
from .recommendations import decides_recommendations
from .work_models import ReplacementFlag, WorkReport


def work_card(statement, user, roles, now):
    """{"to_file", "late", "to_comment", "flags", "rectifications",
    "late_rectifications", "sees_cases"}, or None when none of it concerns
    the user (officers.templatetags.work_tags)."""
    sql = statement.sql
    sees_cases = roles.is_supervision or roles.is_hr or roles.is_general_manager or roles.is_leader
    if not (roles.is_officer or roles.is_head or roles.is_hr or sees_cases or user.is_superuser):
        return None
    today = timezone.localdate(now)
    columns, parts = [], []
    if roles.is_officer or roles.is_head:
        mine = f"o.user_id = {sql.value(user.pk)}"
        open_state = f"w.state = {sql.value(WorkReport.State.OPEN)}"
        scope, to_comment = mine, "0"
        if roles.headed_unit_ids:
            headed = sql.values(sorted(roles.headed_unit_ids))
            scope = f"({mine} OR w.unit_id IN {headed})"
            to_comment = (f"COUNT(*) FILTER (WHERE w.unit_id IN {headed} "
                          f"AND w.state = {sql.value(WorkReport.State.SUBMITTED)})")
        parts.append(
            f"SELECT COUNT(*) FILTER (WHERE {mine} AND {open_state}) AS to_file, "
            f"COUNT(*) FILTER (WHERE {mine} AND {open_state} AND w.due_at < {sql.value(now)}) AS late, "
            f"{to_comment} AS to_comment "
            "FROM officers_workreport w JOIN officers_officer o ON o.id = w.officer_id "
            f"WHERE {scope}")
        columns += ["to_file", "late", "to_comment"]
    if roles.is_hr or roles.is_head or user.is_superuser:
        flags = f"SELECT COUNT(*) AS flags FROM officers_replacementflag f WHERE f.state = {sql.value(ReplacementFlag.State.OPEN)}"
        if not (roles.is_hr or user.is_superuser):
            flags += (f" AND f.unit_id IN {sql.values(sorted(roles.headed_unit_ids))}"
                      if roles.headed_unit_ids else " AND 1 = 0")
        parts.append(flags)
        columns.append("flags")
    cases = ("SELECT COUNT(*) AS rectifications, "
             f"COUNT(*) FILTER (WHERE c.rectification_due < {statement.date(today)}) AS late_rectifications "
             "FROM officers_accountabilitycase c JOIN officers_officer o ON o.id = c.officer_id "
             "WHERE NOT (c.rectification = '') AND c.rectified_on IS NULL")
    if not (roles.is_supervision or roles.is_hr or roles.is_general_manager or user.is_superuser):
        scope = f"o.user_id = {sql.value(user.pk)}"
        if roles.supervised_unit_ids:
            scope = f"({scope} OR o.unit_id IN {sql.values(sorted(roles.supervised_unit_ids))})"
        cases += f" AND {scope}"
    parts.append(cases)
    columns += ["rectifications", "late_rectifications"]
    select = "SELECT * FROM " + " CROSS JOIN ".join(f"({part}) w{i}" for i, part in enumerate(parts))

    def finish(row):
        out = {"to_file": 0, "late": 0, "to_comment": 0, "flags": 0, "rectifications": 0,
               "late_rectifications": 0, "sees_cases": sees_cases}
        out.update(row)
        return out

    statement.add("work", select, tuple(columns), finish)
    return None


def meetings_card(statement, user, roles, now):
    """{"to_answer", "upcoming", "actions", "late_actions", "manages"[,
    "inductions", "late_inductions"]}, or None when there is nothing to show
    (officers.templatetags.meeting_tags)."""
    sql = statement.sql
    manages = can_manage(user)
    parts = [
        f"SELECT COUNT(*) AS upcoming, COUNT(*) FILTER (WHERE m.state = {sql.value(Meeting.State.NOTIFIED)} "
        f"AND v.response = {sql.value(Invitation.Response.PENDING)}) AS to_answer "
        "FROM officers_invitation v JOIN officers_meeting m ON m.id = v.meeting_id "
        f"WHERE m.starts_at > {sql.value(now)} "
        f"AND m.state IN {sql.values((Meeting.State.PLANNED, Meeting.State.NOTIFIED))} "
        f"AND v.user_id = {sql.value(user.pk)}",
        f"SELECT COUNT(*) AS actions, COUNT(*) FILTER (WHERE a.due_at < {sql.value(now)}) AS late_actions "
        f"FROM officers_actionitem a WHERE a.done_at IS NULL AND a.owner_id = {sql.value(user.pk)}",
    ]
    columns = ["upcoming", "to_answer", "actions", "late_actions"]
    if manages:
        parts.append(
            "SELECT COUNT(*) AS inductions, "
            f"COUNT(*) FILTER (WHERE d.due_on < {statement.date(timezone.localdate(now))}) AS late_inductions "
            "FROM officers_induction d JOIN officers_officer o ON o.id = d.officer_id "
            f"WHERE d.done_on IS NULL AND o.status = {sql.value(Officer.Status.ACTIVE)}")
        columns += ["inductions", "late_inductions"]
    select = "SELECT * FROM " + " CROSS JOIN ".join(f"({part}) m{i}" for i, part in enumerate(parts))

    def finish(row):
        if not (row["upcoming"] or row["actions"] or manages):
            return None
        return {**row, "manages": manages}

    statement.add("meetings", select, tuple(columns), finish)
    return None


def recommendations_card(statement, user, roles, now):
    """{"to_decide", "open_mine", "may_recommend"}: open recommendations to
    decide (the secretariat, HR) and the user's units' open ones (heads,
    officers); None for others (officers.templatetags.recommendation_tags)."""
    sql = statement.sql
    decides = decides_recommendations(user)
    units = roles.headed_unit_ids | roles.officer_unit_ids
    if not (decides or units):
        return None
    columns = ["to_decide", "open_mine", "may_recommend"]
    to_decide = f"COUNT(*) FILTER (WHERE NOT (r.recommended_by_id = {sql.value(user.pk)}))" if decides else "0"
    open_mine, may_recommend = "0", "0"
    if units:
        ids = sql.values(sorted(units))
        open_mine = f"COUNT(*) FILTER (WHERE r.unit_id IN {ids})"
        # recommendations.recommending_units(user).exists()
        may_recommend = f"(SELECT COUNT(*) FROM (SELECT 1 FROM officers_orgunit u WHERE u.is_active AND u.id IN {ids} LIMIT 1) e)"
    statement.add(
        "recommendations",
        f"SELECT {to_decide} AS to_decide, {open_mine} AS open_mine, {may_recommend} AS may_recommend "
        f"FROM officers_recommendation r WHERE r.state IN {sql.values(Recommendation.OPEN_STATES)}",
        tuple(columns),
        lambda row: {"to_decide": row["to_decide"], "open_mine": row["open_mine"],
                     "may_recommend": bool(units) and bool(row["may_recommend"])})
    return None


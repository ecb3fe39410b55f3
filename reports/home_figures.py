"""The 领导报告 home card's figures as a one-row part of the home page's one
statement (portal.home_figures): the newest report ``reports_visible_to``
lets the user read, in plain SQL."""
from portal.home_figures import db_date, db_moment

from .models import Report
from .selectors import _active, may_generate


def reports_card(statement, user, roles, now):
    """{"latest": the newest report the user may read (a ``Report`` with
    pk, kind, period, first_day and generated_at), "manages": the
    secretariat}, or None when there is nothing to show (reports.templatetags.reports_tags)."""
    sql = statement.sql
    manages = may_generate(user)
    if not _active(user):
        return None  # sees no report, makes none
    where = ""
    if not roles.is_secretariat:  # reports_visible_to: those sent to the user
        where = f" WHERE r.id IN (SELECT a.report_id FROM reports_addressee a WHERE a.user_id = {sql.value(user.pk)})"
    # LEFT JOIN from one row: no report is a row of NULLs, not an empty statement.
    select = (
        "SELECT n.id, n.kind, n.period, n.first_day, n.generated_at FROM (SELECT 1 AS one) o LEFT JOIN "
        f"(SELECT r.id, r.kind, r.period, r.first_day, r.generated_at FROM reports_report r{where} "
        "ORDER BY r.generated_at DESC, r.id DESC LIMIT 1) n ON 1 = 1"
    )

    def finish(row):
        latest = None
        if row["id"] is not None:
            latest = Report(pk=row["id"], kind=row["kind"], period=row["period"], first_day=db_date(row["first_day"]),
                            generated_at=db_moment(row["generated_at"]))
        if latest is None and not manages:
            return None
        return {"latest": latest, "manages": manages}

    statement.add("reports", select, ("id", "kind", "period", "first_day", "generated_at"), finish)
    return None

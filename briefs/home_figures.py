"""The 信息简报 home card (the secretariat's) as a one-row part of the home
page's one statement (portal.home_figures): the newest published issue, as
``selectors.published_issues(user, limit=1)`` orders them, in plain SQL."""
from .models import BulletinIssue
from .permissions import can_compile


def briefs_card(statement, user, roles, now):
    """{"newest": the newest published issue (a ``BulletinIssue`` with pk,
    title, year and number) or None} for the secretariat, who compiles the
    issues; None for everyone else (the card is not shown)."""
    if not can_compile(user):
        return None
    select = (
        "SELECT n.id, n.title, n.year, n.number FROM (SELECT 1 AS one) o LEFT JOIN "
        f"(SELECT b.id, b.title, b.year, b.number FROM briefs_bulletinissue b WHERE b.state = "
        f"{statement.sql.value(BulletinIssue.State.PUBLISHED)} ORDER BY b.published_at DESC, b.id DESC LIMIT 1) n "
        "ON 1 = 1"
    )

    def finish(row):
        if row["id"] is None:
            return {"newest": None}
        return {"newest": BulletinIssue(pk=row["id"], title=row["title"], year=row["year"], number=row["number"])}

    statement.add("briefs", select, ("id", "title", "year", "number"), finish)
    return None

"""The 待确认的制度 home card's figures as one-row aggregates of the home
page's one statement (portal.home_figures): ``selectors.pending_for``
counted, and for the secretariat every open confirmation and the documents
due for revision, in plain SQL."""
from django.utils import timezone

from .models import RuleVersion
from .selectors import manages_rules


def _open_confirmations(sql, user=None) -> str:
    """Confirmations still owed on versions in force (of ``user``, or of everyone)."""
    mine = f" AND c.user_id = {sql.value(user.pk)}" if user is not None else ""
    return ("SELECT COUNT(*) FROM rules_readconfirmation c JOIN rules_ruleversion v ON v.id = c.version_id "
            "JOIN rules_ruledocument d ON d.id = v.document_id "
            f"WHERE c.confirmed_at IS NULL{mine} AND d.is_active AND v.state = {sql.value(RuleVersion.State.CURRENT)}")


def rules_card(statement, user, roles, now):
    """{"pending", "manages"[, "unconfirmed", "revision_due"]}, or None for
    a user the card does not concern (rules.templatetags.rules_tags)."""
    sql = statement.sql
    manages = manages_rules(user)
    columns = ["pending"]
    select = f"SELECT ({_open_confirmations(sql, user)}) AS pending"
    if manages:
        select += (f", ({_open_confirmations(sql)}) AS unconfirmed, (SELECT COUNT(*) FROM rules_ruledocument d "
                   f"WHERE d.is_active AND d.revision_due_on <= {statement.date(timezone.localdate(now))}) "
                   "AS revision_due")
        columns += ["unconfirmed", "revision_due"]

    def finish(row):
        if not (row["pending"] or manages or roles.is_officer):
            return None
        return {**row, "manages": manages}

    statement.add("rules", select, tuple(columns), finish)
    return None

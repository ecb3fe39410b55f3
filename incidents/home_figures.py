"""The 安全事件 home card's figures as a one-row aggregate of the home page's
one statement (portal.home_figures): ``incidents_visible_to`` counted in
plain SQL."""
from .models import Incident
from .selectors import _active, oversees_incidents


def incidents_card(statement, user, roles, now):
    """{"oversees", "open", "late"}: the secretariat and supervision every
    open incident, anyone else their own (reported or handled); None when
    the user oversees none and has none open (incidents.templatetags.incidents_tags)."""
    sql = statement.sql
    oversees = oversees_incidents(user)
    if not _active(user):
        return None  # sees none, oversees none
    scope = "" if oversees else f" AND (i.reporter_id = {sql.value(user.pk)} OR i.handler_id = {sql.value(user.pk)})"
    statement.add(
        "incidents",
        f"SELECT COUNT(*) AS open, COUNT(*) FILTER (WHERE i.due_at < {sql.value(now)}) AS late "
        f"FROM incidents_incident i WHERE i.state IN {sql.values(Incident.OPEN_STATES)}{scope}",
        ("open", "late"), lambda row: {"oversees": oversees, **row} if oversees or row["open"] else None)
    return None

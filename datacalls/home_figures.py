"""The 报送任务 home card's figures as one-row aggregates of the home page's
one statement (portal.home_figures): ``selectors.home_counts`` in plain SQL."""
from .models import Answer
from .selectors import answering_unit_ids, manages_calls


def datacalls_card(statement, user, roles, now):
    """The secretariat: {"manages": True, "open": periods not closed}; a
    unit's officers and head: {"manages": False, "todo", "late"} of their
    units' open answers; None for anyone else."""
    sql = statement.sql
    if manages_calls(user):
        statement.add("datacalls", "SELECT COUNT(*) AS open FROM datacalls_occurrence WHERE closed_at IS NULL",
                      ("open",), lambda row: {"manages": True, "open": row["open"]})
        return None
    units = answering_unit_ids(user)
    if not units:
        return None
    statement.add(
        "datacalls",
        f"SELECT COUNT(*) AS todo, COUNT(*) FILTER (WHERE o.due_at < {sql.value(now)}) AS late "
        "FROM datacalls_answer a JOIN datacalls_occurrence o ON o.id = a.occurrence_id "
        f"WHERE o.closed_at IS NULL AND a.state IN {sql.values(Answer.OPEN_STATES)} "
        f"AND a.unit_id IN {sql.values(sorted(units))}",
        ("todo", "late"), lambda row: {"manages": False, **row})
    return None

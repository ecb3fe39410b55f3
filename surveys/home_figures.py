"""The 问卷调查 home card's figures as a one-row aggregate of the home page's
one statement (portal.home_figures): ``selectors.home_count`` in plain SQL."""
from .models import Survey
from .selectors import manages_surveys


def surveys_card(statement, user, roles, now):
    """{"todo", "manages"}: shown to the secretariat always, to others when
    a survey waits for their answer; None otherwise (surveys.templatetags.surveys_tags)."""
    sql = statement.sql
    manages = manages_surveys(user)
    if not user.is_active:  # selectors.surveys_to_answer: nothing to answer
        return {"todo": 0, "manages": manages} if manages else None
    statement.add(
        "surveys",
        f"SELECT COUNT(*) AS todo FROM surveys_survey s WHERE s.state = {sql.value(Survey.State.OPEN)} "
        f"AND s.due_at > {sql.value(now)} AND s.id IN (SELECT r.survey_id FROM surveys_recipient r "
        f"WHERE NOT r.answered AND r.user_id = {sql.value(user.pk)})",
        ("todo",), lambda row: {"todo": row["todo"], "manages": manages} if row["todo"] or manages else None)
    return None

"""Who sees which survey, and the reads of the survey pages (issue 19 §2).

* The secretariat builds, sends and closes surveys and sees every one.
* The people the secretariat names on a survey (``Survey.viewers``) see its
  results (never its builder's controls).
* Everybody else sees no survey — only the ones they are asked to answer
  (``surveys_to_answer``), and only the questionnaire.

Pages, counts, the export and the admin start from ``surveys_visible_to``.
"""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from officers.roles import roles_of

from .models import Recipient, Survey


def manages_surveys(user) -> bool:
    """Whether ``user`` is of the secretariat (builds, sends and closes surveys)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return roles_of(user).is_secretariat


def surveys_visible_to(user) -> QuerySet:
    """The surveys whose page and results ``user`` may open."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Survey.objects.none()
    if manages_surveys(user):
        return Survey.objects.all()
    return Survey.objects.filter(pk__in=Survey.viewers.through.objects.filter(user_id=user.pk).values("survey_id"))


def surveys_found(user, *, q: str = "", state: str = "") -> QuerySet:
    """Visible surveys matching the list page's search and state (plain rows:
    count them here; ``with_counts`` gives the page's)."""
    qs = surveys_visible_to(user)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(intro__icontains=q))
    if state in Survey.State.values:
        qs = qs.filter(state=state)
    return qs


def with_counts(surveys: QuerySet) -> QuerySet:
    """``surveys`` for the list page: newest first, with their recipient and answered counts."""
    return surveys.select_related("created_by").annotate(
        recipients_total=Count("recipients", distinct=True),
        recipients_answered=Count("recipients", filter=Q(recipients__answered=True), distinct=True),
    ).order_by("-created_at", "-pk")


def survey_list(user, *, q: str = "", state: str = "") -> QuerySet:
    """The list page's rows: visible surveys with their recipient and answered counts."""
    return with_counts(surveys_found(user, q=q, state=state))


def surveys_to_answer(user, now=None) -> QuerySet:
    """Open surveys before their deadline that ``user`` is asked to answer and has not."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Survey.objects.none()
    now = now or timezone.now()
    return Survey.objects.filter(
        state=Survey.State.OPEN, due_at__gt=now,
        pk__in=Recipient.objects.filter(user_id=user.pk, answered=False).values("survey_id"),
    ).order_by("due_at", "pk")


def invitations_of(user) -> QuerySet:
    """Every survey ``user`` was asked to answer (open or not), with their own recipient row."""
    return Recipient.objects.filter(user_id=user.pk, survey__state__in=[Survey.State.OPEN, Survey.State.CLOSED]) \
        .select_related("survey").order_by("answered", "-survey__opened_at", "-pk")


def home_count(user) -> int:
    """The home card's number: surveys waiting for ``user``'s answer."""
    return surveys_to_answer(user).count()


def recipient_of(user, survey: Survey) -> Recipient | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Recipient.objects.filter(survey=survey, user_id=user.pk).first()


def recipient_by_token(token: str) -> Recipient | None:
    """The external recipient holding ``token`` (None for anything else)."""
    if not token or len(token) > 64:
        return None
    return Recipient.objects.select_related("survey", "contact__external_unit").filter(
        token=token, kind=Recipient.Kind.EXTERNAL).first()


def questions_of(survey: Survey) -> list:
    """The questions in order with their options (two queries)."""
    return list(survey.questions.order_by("position", "pk").prefetch_related("options"))


def recipients_of(survey: Survey) -> QuerySet:
    return survey.recipients.select_related("user", "unit", "contact__external_unit").order_by("kind", "pk")

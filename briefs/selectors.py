"""Reads of the bulletin: which issues, entries and adoption records a user
sees, the items an issue may take, the list queries with their joins."""
from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from infoflow.models import Confidentiality, Item
from infoflow.visibility import items_visible_to

from .models import Adoption, BulletinEntry, BulletinIssue
from .permissions import can_compile, can_read

# Adopted = passed its review (approved) or went further (seed 002 三(三)4).
ADOPTED_STATES = (Item.State.APPROVED, Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)


def issues_visible_to(user) -> QuerySet[BulletinIssue]:
    """Drafts: the secretariat. Published issues: every active user (an issue
    carries public items only, briefs.services.issues.add_item)."""
    if can_compile(user):
        return BulletinIssue.objects.all()
    if can_read(user):
        return BulletinIssue.objects.filter(state=BulletinIssue.State.PUBLISHED)
    return BulletinIssue.objects.none()


def issue_list(user, query: str = "") -> QuerySet[BulletinIssue]:
    """Issues for the list page, newest first, with their entry counts."""
    rows = issues_visible_to(user).select_related("created_by", "published_by").annotate(
        entry_count=Count("entries"))
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(period__icontains=query)
                           | Q(entries__title__icontains=query) | Q(entries__item_number__icontains=query)).distinct()
    return rows.order_by("state", "-year", "-number", "-created_at", "-pk")


def published_issues(user, limit: int = 5) -> list[BulletinIssue]:
    """The newest published issues, for the bulletin page's block."""
    if not can_read(user):
        return []
    return list(BulletinIssue.objects.filter(state=BulletinIssue.State.PUBLISHED)
                .annotate(entry_count=Count("entries")).order_by("-published_at", "-pk")[:limit])


def issue_with_entries(user):
    """The issues the user sees with their entries (and each entry's item and
    the item's recorded adoption) loaded in order."""
    return issues_visible_to(user).select_related("created_by", "published_by", "record").prefetch_related(
        Prefetch("entries", queryset=BulletinEntry.objects.select_related("item", "item__adoption")
                 .order_by("position", "pk")))


def entries_visible_to(user) -> QuerySet[BulletinEntry]:
    return BulletinEntry.objects.filter(issue__in=issues_visible_to(user))


def adoptable_items(user) -> QuerySet[Item]:
    """Items an issue may take: adopted, public, and visible to ``user``."""
    return items_visible_to(user).filter(state__in=ADOPTED_STATES, confidentiality=Confidentiality.PUBLIC)


def candidates(user, issue: BulletinIssue, query: str = "", limit: int = 20) -> list[Item]:
    """Adoptable items not yet in ``issue``, newest approval first; search by
    number, subject or department."""
    rows = adoptable_items(user).exclude(bulletin_entries__issue=issue).select_related("unit")
    if query:
        rows = rows.filter(Q(number__icontains=query) | Q(subject__icontains=query) | Q(unit__name__icontains=query))
    return list(rows.order_by("-approved_at", "-pk")[:limit])


def adoptions_visible_to(user) -> QuerySet[Adoption]:
    """Adoption records: the secretariat (they feed the officers' assessment,
    whose breakdown HR reads through officers' own pages)."""
    if can_compile(user):
        return Adoption.objects.all()
    return Adoption.objects.none()


def adoption_list(user, query: str = "", level: str = "") -> QuerySet[Adoption]:
    rows = adoptions_visible_to(user).select_related("item", "item__unit", "recorded_by")
    if level:
        rows = rows.filter(level=level)
    if query:
        rows = rows.filter(Q(item__number__icontains=query) | Q(item__subject__icontains=query)
                           | Q(item__unit__name__icontains=query))
    return rows.order_by("-recorded_at", "-pk")

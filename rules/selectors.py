"""Who sees which rules, versions and read receipts (issue 19 §5): every page,
count, admin list and sweep starts from these."""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from officers.models import Officer
from officers.roles import roles_of

from .models import ReadConfirmation, RuleDocument, RuleVersion

PUBLISHED = (RuleVersion.State.CURRENT, RuleVersion.State.SUPERSEDED)


def manages_rules(user) -> bool:
    """The secretariat keeps the rules texts (drafts, versions, publication)."""
    roles = roles_of(user)
    return roles.is_superuser or roles.is_secretariat


def sees_all_confirmations(user) -> bool:
    """Who has and has not confirmed: the secretariat, HR and supervision."""
    roles = roles_of(user)
    return manages_rules(user) or roles.is_hr or roles.is_supervision


def documents_visible_to(user) -> QuerySet:
    """Everyone logged in reads the rules in force (and their older
    versions); the secretariat also sees documents not yet published and
    those switched off."""
    roles = roles_of(user)
    docs = RuleDocument.objects.select_related("owner_unit")
    if roles.user_id is None:
        return docs.none()
    if manages_rules(user):
        return docs
    published = RuleVersion.objects.filter(document=OuterRef("pk"), state__in=PUBLISHED)
    return docs.filter(Exists(published), is_active=True)


def versions_visible_to(user) -> QuerySet:
    """Published versions (current and superseded) of visible documents; drafts for the secretariat only."""
    versions = RuleVersion.objects.select_related("document", "published_by")
    if roles_of(user).user_id is None:
        return versions.none()
    if manages_rules(user):
        return versions
    return versions.filter(state__in=PUBLISHED, document__in=documents_visible_to(user).values("pk"))


def confirmations_visible_to(user) -> QuerySet:
    """Read receipts: one's own; a head's unit's officers'; all for the
    secretariat, HR and supervision."""
    roles = roles_of(user)
    rows = ReadConfirmation.objects.select_related("version__document", "user__profile__unit")
    if roles.user_id is None:
        return rows.none()
    if sees_all_confirmations(user):
        return rows
    in_headed_unit = Officer.objects.filter(user=OuterRef("user_id"), status=Officer.Status.ACTIVE,
                                            unit_id__in=roles.headed_unit_ids)
    return rows.filter(Q(user_id=roles.user_id) | Exists(in_headed_unit))


def sees_receipts_of(user, version: RuleVersion) -> bool:
    """May open a version's who-has-confirmed page: all-seers and heads (their units' rows only)."""
    return version.state != RuleVersion.State.DRAFT and (sees_all_confirmations(user) or roles_of(user).is_head)


def pending_for(user) -> QuerySet:
    """The user's confirmations still owed on versions in force (待确认的制度)."""
    return (ReadConfirmation.objects.filter(user_id=user.pk, confirmed_at__isnull=True,
                                            version__state=RuleVersion.State.CURRENT, version__document__is_active=True)
            .select_related("version__document").order_by("remind_at", "pk"))


def document_list(user, query: str = "") -> QuerySet:
    """Visible documents with their current version, for the list page (two queries).
    The text search reads only the versions ``user`` may read (a draft's
    wording never finds its document for anyone but the secretariat)."""
    current = RuleVersion.objects.filter(state=RuleVersion.State.CURRENT)
    docs = documents_visible_to(user).prefetch_related(Prefetch("versions", queryset=current, to_attr="current"))
    if query:
        in_text = versions_visible_to(user).filter(document=OuterRef("pk"), text__icontains=query)
        docs = docs.filter(Q(title__icontains=query) | Q(code__icontains=query) | Exists(in_text))
    return docs.order_by("code")


def receipt_counts(version: RuleVersion, rows: QuerySet) -> dict:
    """{"total", "confirmed", "open"} of ``rows`` (already limited to what the user sees) for ``version``."""
    counts = rows.filter(version=version).aggregate(total=Count("pk"), confirmed=Count("pk", filter=Q(
        confirmed_at__isnull=False)))
    counts["open"] = counts["total"] - counts["confirmed"]
    return counts


def current_version(document: RuleDocument) -> RuleVersion | None:
    return document.versions.filter(state=RuleVersion.State.CURRENT).first()

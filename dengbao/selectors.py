"""Read-only queries for dengbao's pages: the second factor, the access
reviews and the audit archive batches."""
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison import audit
from officers.models import RoleAssignment

from .access_review import may_read
from .duties import Duty, administers, duties_of
from .models import AccessReview, AccessReviewRow, AuditArchiveBatch
from .services import may_reset_second_factor

User = get_user_model()


def may_use_second_factor(user) -> bool:
    """Who sees the second-factor pages: staff, superusers, holders of an
    administrator duty and HR (``duties.administers``: the people level 3
    asks it of). Others get 403."""
    return administers(user)


def codes_left(user) -> int:
    """Unused recovery codes of ``user``."""
    return StaticToken.objects.filter(device__user=user).count()


def administrators() -> QuerySet:
    """Active people level 3 asks a second factor of, with ``enrolled``
    (bool) annotated, by username. One query."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Q(admin_duties__isnull=False)
            | Q(roles__role__in=(RoleAssignment.Role.SUPERVISION, RoleAssignment.Role.HR_ADMIN))
        )
        .annotate(
            enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        )
        .distinct()
        .order_by("username")
    )


def administrators_for(viewer) -> QuerySet:
    """The administrators ``viewer`` may reset a device for (none when they
    may reset nobody's); the viewer themself is left out."""
    if not may_reset_second_factor(viewer, viewer.__class__(pk=-1)):
        return User.objects.none()
    return administrators().exclude(pk=viewer.pk)


def secret_groups(device) -> str:
    """The device's base32 secret in groups of four, for typing in by hand."""
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


# --- access reviews and audit archive batches ---------------------------------------


def reviews_visible_to(user) -> QuerySet:
    """Access reviews ``user`` may read (all, or none: dengbao.access_review.may_read),
    newest period first, signer joined."""
    if not may_read(user):
        return AccessReview.objects.none()
    return AccessReview.objects.select_related("signed_by", "generated_by", "baseline").order_by("-period_start")


def review_rows(review: AccessReview, *, q: str = "", change: str = "") -> QuerySet:
    """The rows of ``review`` matching ``q`` (username or name, contains) and
    ``change`` (an AccessReviewRow.Change value, or "diff" for every change),
    by username. One query per page."""
    rows = review.rows.all()
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if change == "diff":
        rows = rows.exclude(change=AccessReviewRow.Change.SAME)
    elif change in AccessReviewRow.Change.values:
        rows = rows.filter(change=change)
    return rows.order_by("username", "pk")


def may_see_archive_batches(user) -> bool:
    """The audit archive's batch list (metadata and seals, not the rows):
    whoever reads the audit log (liaison.audit.can_view_audit: the auditor,
    superusers unless level 3 vetoes them), an auditor by duty, and the
    security administrator."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return audit.can_view_audit(user) or bool(duties_of(user) & {Duty.AUDIT, Duty.SECURITY})


def archive_batches_visible_to(user) -> QuerySet:
    """Every audit archive batch for those who may see them, else none; newest first."""
    if not may_see_archive_batches(user):
        return AuditArchiveBatch.objects.none()
    return AuditArchiveBatch.objects.order_by("-number")

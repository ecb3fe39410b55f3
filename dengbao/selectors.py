"""Read-only queries for the second factor's pages."""
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from officers.models import RoleAssignment

from .duties import duties_of
from .services import may_reset_second_factor

User = get_user_model()


def may_use_second_factor(user) -> bool:
    """Who sees the second-factor pages: staff, superusers and holders of an
    administrator duty (the people level 3 asks it of). Others get 403."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser or duties_of(user)))


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
            | Q(roles__role=RoleAssignment.Role.SUPERVISION)
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

"""The nightly directory sync (celery beat directory-sync, manage.py
sync_directory): compare the directory with our users and write a
SyncReport for HR — it changes no user and no officer by itself (issue 20:
"reports … to HR instead of changing officers silently").

Who is compared: every person under the user base; our users linked to a
directory entry (ExternalAccount source ldap) or with the same user name.

- new: in the directory, not disabled, no user of ours;
- changed: name, e-mail, phone or department differ from ours;
- disabled: disabled in the directory, still active here;
- missing: linked to the directory, active here, no longer in it.
"""
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from officers.models import StaffProfile

from . import ldap_directory, notices
from .errors import LiaisonError
from .models import ExternalAccount, Source, SyncReport

logger = logging.getLogger(__name__)
User = get_user_model()


def _ours(user, profile) -> dict:
    return {
        "name": user.first_name or "",
        "email": user.email or "",
        "phone": profile.phone if profile else "",
        "department": profile.unit.name if profile and profile.unit_id else "",
    }


def compare(people: list[dict]) -> list[dict]:
    """Report rows for ``people`` (ldap_directory.person_from dicts) against our users."""
    by_name = {p["username"]: p for p in people}
    linked = dict(ExternalAccount.objects.filter(source=Source.LDAP).values_list("user_id", "external_id"))
    users = {u.username.lower(): u for u in User.objects.filter(username__in=list(by_name))}
    users.update({u.username.lower(): u for u in User.objects.filter(pk__in=list(linked))})
    profiles = {p.user_id: p for p in StaffProfile.objects.filter(user__in=list(users.values())).select_related("unit")}
    rows = []
    for username, person in sorted(by_name.items()):
        user = users.get(username)
        if user is None:
            if not person["disabled"]:
                rows.append({"kind": "new", "username": username, "name": person["name"], "user_id": None,
                             "changes": {}, "phone": person["phone"], "email": person["email"],
                             "department": person["department"]})
            continue
        if person["disabled"]:
            if user.is_active:
                rows.append({"kind": "disabled", "username": username, "name": person["name"], "user_id": user.pk,
                             "changes": {}})
            continue
        ours = _ours(user, profiles.get(user.pk))
        changes = {field: [ours[field], person[field]] for field in ("name", "email", "phone", "department")
                   if person[field] and person[field] != ours[field]}
        if changes and user.is_active:
            rows.append({"kind": "changed", "username": username, "name": person["name"], "user_id": user.pk,
                         "changes": changes})
    for user_id in sorted(linked):
        user = next((u for u in users.values() if u.pk == user_id), None)
        if user is not None and user.is_active and user.username.lower() not in by_name:
            rows.append({"kind": "missing", "username": user.username, "name": user.get_full_name(),
                         "user_id": user.pk, "changes": {}})
    return rows


def run_sync(*, now=None) -> SyncReport:
    """Read the directory and record a SyncReport (with the error when the
    directory cannot be read); tell HR when it found differences. Raises
    nothing for a directory that is down: the report says so."""
    started = now or timezone.now()
    try:
        people = ldap_directory.read_people()
        rows = compare(people)
        error = ""
    except LiaisonError as failure:
        logger.warning("directory sync failed: %s", getattr(failure, "detail", "") or failure)
        rows, error = [], failure.message
    counts = {kind: sum(1 for r in rows if r["kind"] == kind) for kind in ("new", "changed", "missing", "disabled")}
    with transaction.atomic():
        report = SyncReport(
            source=Source.LDAP, started_at=started, rows=rows, error=error, new_count=counts["new"],
            changed_count=counts["changed"], missing_count=counts["missing"], disabled_count=counts["disabled"],
        )
        report._change_reason = "sync"
        report.save()
        if report.difference_count:
            notices.sync_report_ready(report)
    return report

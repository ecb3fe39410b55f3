"""The rules' reminders, run by liaison.sweeps (registered in RulesConfig.ready).

* ``rules_revision``: a document in force reminds the secretariat on its
  revision date (seed 001 "本制度每年修订一次"), then again each period later
  while nobody revises it — one notice per document per year (the key
  carries the year); a sweep that was down catches up with one. Publishing a
  version or keeping the document in force moves the date and clears the
  cursor.
* ``rules_confirmation``: an officer who has not confirmed the version in
  force ``confirm_within_days`` working days after being asked is reminded
  once; then nothing more (a superseded version's requests are closed by
  ``publish_version``).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from liaison.sweeps import NEVER, Sweep

from . import notices
from .models import ReadConfirmation, RuleDocument, RuleVersion
from .services import add_months


def _moment(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def revision_moments(document, now):
    """(the latest revision moment at or before ``now`` or None, the next one after it)."""
    k, last = 0, None
    while True:
        moment = _moment(add_months(document.revision_due_on, document.revise_every_months * k))
        if moment > now:
            return last, moment
        last, k = moment, k + 1


def documents_in_force():
    return RuleDocument.objects.filter(is_active=True, revision_due_on__isnull=False)


def handle_documents(documents, now) -> None:
    for doc in documents:
        last, following = revision_moments(doc, now)
        if last is not None and (doc.notice_at is None or doc.notice_at <= last):
            notices.revision_due(doc, timezone.localtime(last).year)
        doc.notice_at = following


def open_confirmations():
    return ReadConfirmation.objects.filter(confirmed_at__isnull=True)


def handle_confirmations(rows, now) -> None:
    for row in rows:
        if row.version.state != RuleVersion.State.CURRENT:
            row.notice_at = NEVER
        elif now < row.remind_at:
            row.notice_at = row.remind_at
        else:
            if row.notice_at is None or row.notice_at <= row.remind_at:
                notices.confirmation_overdue(row)
            row.notice_at = NEVER


SWEEPS = (
    Sweep(name="rules_revision", open_cases=documents_in_force, handle=handle_documents,
          defer=("description",), order=90),
    Sweep(name="rules_confirmation", open_cases=open_confirmations, handle=handle_confirmations,
          select_related=("version__document",), defer=("version__text", "version__changes"), order=91),
)

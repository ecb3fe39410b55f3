"""Notices to users: the portal's notification centre, e-mail, a WeCom /
DingTalk group robot and per-user work messages in WeCom / DingTalk (the
``wecom`` and ``dingtalk`` channels, sent by the directory app through
``register_channel``: liaison imports no app).

The outbox. Each app's ``notices`` module decides who is told and what, and
hands the rows to ``write()`` inside the transaction of the change it
reports (``batch()`` gathers a sweep batch's rows into one INSERT … ON
CONFLICT DO NOTHING). After commit ``deliver_pending`` runs in the worker;
``deliver()`` claims each channel of a row with a conditional UPDATE, so it is
sent at most once; the periodic ``retry_undelivered`` picks up what a dead
process left (never queued, failed with tries left, left "sending").
``notify()`` is the single-row form (returns the row, or None for a key the
recipient already has).

What leaves the portal is built here, from the kind, the item's number, the
deadline and the link, never from the caller's text for internal or restricted
items (domain: e-mail and group messages carry no content of internal or
restricted items, and for restricted ones not even the subject).
"""
import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from liaison.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

CHANNELS = ("email", "webhook", "wecom", "dingtalk")
# Channels an app above liaison provides (register_channel); unregistered = skipped.
EXTRA_CHANNELS = ("wecom", "dingtalk")
_STRICTNESS = {"public": 0, "internal": 1, "restricted": 2}
# A channel left "sending" this long was being sent by a worker that died.
STALE_SENDING = timedelta(minutes=15)


class DeliveryFailed(Exception):
    """A channel failed and may be retried; the task retries with backoff."""


class RetryLater(Exception):
    """Raised by a sender whose service asked to come back later (a rate
    limit): the channel is left failed for the next retry and the try is not
    counted against NOTIFY_MAX_ATTEMPTS."""


_EXTRA: dict = {}


def register_channel(name: str, *, send, wants, enabled) -> None:
    """Provide one of EXTRA_CHANNELS (called from an AppConfig.ready()).
    ``enabled()`` says cheaply whether new notices are queued for it at all
    (``build`` marks the channel skipped otherwise); ``wants(notification)``
    whether this recipient gets it (an account on the platform);
    ``send(notification)`` raises on failure, RetryLater for a rate limit.
    Raises ValueError for a name that has no columns on Notification."""
    if name not in EXTRA_CHANNELS:
        raise ValueError(f"unknown channel {name!r}")
    _EXTRA[name] = {"send": send, "wants": wants, "enabled": enabled}


# --- writing a notice ------------------------------------------------------------


def _item_attr(item, name):
    """``item`` may be an infoflow Item or something belonging to one (a
    review step, a receiver, a question): look on it, then on its ``item``."""
    if item is None:
        return None
    value = getattr(item, name, None)
    if value is None and hasattr(item, "item"):
        value = getattr(item.item, name, None)
    return value


def build(
    *,
    recipient,
    key: str,
    kind: str,
    subject: str,
    body: str,
    url: str,
    item=None,
    confidentiality: str = "internal",
    due=None,
) -> Notification:
    """An unsaved notice row (see ``notify`` for the rules on its text)."""
    level = confidentiality if confidentiality in _STRICTNESS else "restricted"
    number = ""
    if item is not None:
        item_level = _item_attr(item, "confidentiality")
        if item_level in _STRICTNESS and _STRICTNESS[item_level] > _STRICTNESS[level]:
            level = item_level
        if due is None:
            due = _item_attr(item, "due_at")
        number = _item_attr(item, "number") or ""
    # A copy of the defaults with the row's values: what Model.__init__ would
    # put in the instance's __dict__, in a fraction of its time (a sweep
    # builds thousands).
    values = _defaults().copy()
    values["recipient_id"] = getattr(recipient, "pk", recipient)
    values["key"] = key[:200]
    values["kind"] = kind
    values["subject"] = subject[:200]
    values["body"] = body
    values["url"] = url
    values["item_number"] = number
    values["due_at"] = due
    values["confidentiality"] = level
    for channel in EXTRA_CHANNELS:
        extra = _EXTRA.get(channel)
        values[f"{channel}_state"] = "pending" if extra is not None and extra["enabled"]() else "skipped"
    # created_at: stamped when inserted (``_insert``: one stamp per statement; ``notify``).
    row = _new_row(values)
    if isinstance(recipient, _user_model()):
        Notification.recipient.field.set_cached_value(row, recipient)
    return row


_COLUMNS: list = []
_DEFAULTS: dict = {}  # attname -> default, in field order
_USER: list = []


def _user_model():
    if not _USER:
        _USER.append(Notification.recipient.field.related_model)
    return _USER[0]


def _new_row(values: dict) -> Notification:
    """``Notification(**values)`` for a row nobody has seen yet (``values``
    by attname, every concrete field): the dict becomes the instance's
    __dict__, as Model.__init__ would fill it, unless something listens to
    the model's init signals (then Model.__init__ runs, sending them)."""
    if (pre_init.receivers or post_init.receivers) and (
        pre_init.has_listeners(Notification) or post_init.has_listeners(Notification)
    ):
        return Notification(*(values[name] for name in _defaults()))
    row = Notification.__new__(Notification)
    values["_state"] = ModelState()
    row.__dict__ = values
    return row


def _defaults() -> dict:
    """Each concrete field's default by attname, in field order (None for the id)."""
    if not _DEFAULTS:
        _DEFAULTS.update(_columns())
    return _DEFAULTS


def _columns() -> list:
    """(attname, default) of each concrete field of Notification, in order."""
    if not _COLUMNS:
        _COLUMNS.extend((f.attname, None if f.primary_key else f.get_default()) for f in Notification._meta.concrete_fields)
    return _COLUMNS


_local = threading.local()
INSERT_BATCH = 1000


class Batch(list):
    """What ``batch()`` yields: after the block, the rows it really inserted
    (read back with their keys; rows that existed already are not in it), or
    with ``fetch=False`` the rows it was given, unsaved and not read back."""


@contextmanager
def batch(fetch: bool = True):
    """Collect the rows ``write`` is given inside the block and insert them
    at its end in batches (a sweep with many cases: one INSERT … ON CONFLICT
    DO NOTHING per thousand rows instead of one SAVEPOINT/INSERT/RELEASE per
    notice). Must end inside the transaction that decided the notices."""
    result = Batch()
    if getattr(_local, "buffer", None) is not None:  # nested: the outermost block inserts
        yield result
        return
    _local.buffer = []
    try:
        yield result
        rows, _local.buffer = _local.buffer, None
        inserted = _insert(rows, fetch=fetch)
        result.extend(inserted if fetch else rows)
    finally:
        _local.buffer = None


def write(rows) -> None:
    """Insert notice rows in the caller's transaction: the outbox. A row whose
    (recipient, key) exists already is skipped (INSERT … ON CONFLICT DO
    NOTHING on PostgreSQL, INSERT OR IGNORE on SQLite): a backstop for a
    retried task or a hand-run script; sweeps never reach it, their cursor
    claims each case (liaison.sweeps). Delivery is
    queued after commit; if that never happens (the process died, the broker
    was down), the periodic ``retry_undelivered`` finds the rows."""
    rows = list(rows)
    if not rows:
        return
    buffer = getattr(_local, "buffer", None)
    if buffer is not None:
        buffer.extend(rows)
        return
    _insert(rows)


def _insert(rows, fetch=False) -> list:
    if not rows:
        return []
    # One stamp for the statement: reading back by (stamp, key) tells the
    # rows inserted now from those another writer inserted before.
    stamp = timezone.now()
    for row in rows:
        row.created_at = stamp
    Notification.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    transaction.on_commit(enqueue_pending)
    if not fetch:
        return []
    wanted = {(row.recipient_id, row.key) for row in rows}
    recipients = sorted({r for r, _key in wanted})
    keys = sorted({key for _r, key in wanted})
    found = []
    for start in range(0, len(keys), INSERT_BATCH):
        # recipient_id and key: the unique index answers it.
        found += [
            n
            for n in Notification.objects.filter(
                recipient_id__in=recipients, key__in=keys[start : start + INSERT_BATCH], created_at=stamp
            )
            .select_related("recipient")
            .order_by("pk")
            if (n.recipient_id, n.key) in wanted
        ]
    return found


def enqueue_pending() -> bool:
    """Queue one run of the delivery of every pending notice. A broker that is
    down must not turn the user's action into an error: retry_undelivered
    picks the rows up."""
    from liaison.tasks_notify import deliver_pending  # a real cycle: the tasks call this module

    try:
        deliver_pending.delay()
    except Exception:  # kombu/redis raise many kinds
        logger.exception("could not queue the delivery of pending notices; retry_undelivered will send them")
        return False
    return True


def notify(
    *,
    recipient,
    key: str,
    kind: str,
    subject: str,
    body: str,
    url: str,
    item=None,
    confidentiality: str = "internal",
    due=None,
):
    """Record one notice for ``recipient`` under ``key`` and schedule its
    delivery after commit. Returns the new Notification, or None when this
    recipient already has a notice with this key (nothing is sent again).

    Runs inside the caller's transaction: a savepoint keeps a duplicate key
    from breaking it. ``subject``/``body`` are shown in the portal only; e-mail
    and group text is built from ``kind``, the item's number, ``due`` (or the
    item's ``due_at``) and ``url``. The stricter of ``confidentiality`` and the
    item's own 密级 applies."""
    notification = build(
        recipient=recipient, key=key, kind=kind, subject=subject, body=body, url=url, item=item,
        confidentiality=confidentiality, due=due,
    )
    notification.created_at = timezone.now()
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        # Same recipient and key: someone (another sweep, a retried task)
        # already recorded this notice. Anything else is a real error.
        if Notification.objects.filter(recipient=recipient, key=key[:200]).exists():
            return None
        raise
    pk = notification.pk
    transaction.on_commit(lambda: enqueue_delivery(pk))
    return notification


def enqueue_delivery(pk: int) -> bool:
    """Queue the delivery task. A broker that is down must not turn the
    user's action into an error: the row is kept and retry_undelivered sends
    it when the broker is back."""
    from liaison.tasks_notify import deliver_notification  # a real cycle: the tasks call this module

    try:
        deliver_notification.delay(pk)
    except Exception:  # kombu/redis raise many kinds: OperationalError, ConnectionError…
        logger.exception("could not queue delivery of notification %s; retry_undelivered will send it", pk)
        return False
    return True


# --- the text that leaves the portal ---------------------------------------------


def _what_and_todo(kind):
    table = {
        "reminder": (_("待办事项即将到期"), _("请在期限前登录平台处理。")),
        "overdue": (_("待办事项已超期"), _("请尽快登录平台处理。")),
        "escalation": (_("所督办的事项已超期"), _("请登录平台查看并督促办理。")),
        "chase": (_("发起人催办"), _("请尽快登录平台反馈。")),
        "delegation": (_("您被指定为代理人"), _("请登录平台查看代理的事项。")),
        "archive_due": (_("信息已到归档期限"), _("请登录平台归档。")),
        "filing_due": (_("联络员变更待备案"), _("请登录平台办理备案。")),
        "task": (_("您有新的待办事项"), _("请登录平台处理。")),
    }
    return table.get(kind, (_("您有一条新通知"), _("请登录平台查看。")))


def _absolute(url):
    if not url or "://" in url:
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def safe_text(notification) -> tuple[str, str]:
    """(subject, text) for e-mail and group messages, in NOTIFY_LANGUAGE.
    Says what happened, which item, which deadline and what to do; includes
    the notice's subject only for public and internal items and its body only
    for public ones."""
    n = notification
    with translation.override(settings.NOTIFY_LANGUAGE):
        what, todo = _what_and_todo(n.kind)
        lines = [_("【%(org)s】%(what)s") % {"org": settings.ORGANISATION_NAME, "what": what}]
        if n.item_number:
            lines.append(_("信息编号：%(number)s") % {"number": n.item_number})
        if n.confidentiality in ("public", "internal"):
            lines.append(_("事项：%(subject)s") % {"subject": n.subject})
        if n.confidentiality == "public" and n.body:
            lines.append(n.body)
        if n.due_at:
            due = formats.date_format(timezone.localtime(n.due_at), "Y-m-d H:i")
            lines.append(_("期限：%(due)s") % {"due": due})
        lines.append(todo)
        if n.url:
            lines.append(_absolute(n.url))
        if n.item_number:
            subject = _("%(what)s：信息 %(number)s") % {"what": what, "number": n.item_number}
        else:
            subject = what
    return subject, "\n".join(lines)


# --- delivery ---------------------------------------------------------------------


def _claim(pk, channel, max_attempts):
    """Take the channel for this worker: pending (or failed with tries left)
    → sending, in one conditional UPDATE. Only one of two concurrent or
    repeated deliveries gets 1 back, so a message is sent at most once."""
    state = f"{channel}_state"
    attempts = f"{channel}_attempts"
    return (
        Notification.objects.filter(pk=pk)
        .filter(Q(**{state: "pending"}) | Q(**{state: "failed", f"{attempts}__lt": max_attempts}))
        .update(**{state: "sending", attempts: F(attempts) + 1, f"{channel}_claimed_at": timezone.now()})
        == 1
    )


def _finish(pk, channel, state, error="", refund=False):
    fields = {f"{channel}_state": state, f"{channel}_error": error[:2000]}
    if refund:  # RetryLater: this try does not count
        fields[f"{channel}_attempts"] = F(f"{channel}_attempts") - 1
    if state == "sent":
        fields[f"{channel}_sent_at"] = timezone.now()
    Notification.objects.filter(pk=pk, **{f"{channel}_state": "sending"}).update(**fields)


def _wants(notification, channel):
    """Whether this channel applies: the user's choice, an address, a robot."""
    pref = NotificationPreference.objects.filter(user_id=notification.recipient_id).first()
    if channel == "email":
        return (pref is None or pref.email) and bool(notification.recipient.email)
    if channel in EXTRA_CHANNELS:
        extra = _EXTRA.get(channel)
        return extra is not None and (pref is None or getattr(pref, channel)) and bool(extra["wants"](notification))
    return (pref is None or pref.webhook) and bool(settings.NOTIFY_WEBHOOK_URL)


def message_id(notification) -> str:
    """The e-mail's Message-ID, the same for every try of one notice: a
    worker killed after the mail server accepted the message but before the
    row was marked sent resends it (stale claim), and mail systems that
    deduplicate by Message-ID then keep one copy."""
    domain = (settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "liaison").strip("> ")
    return "<notice-%d-%s@%s>" % (notification.pk, notification.created_at.strftime("%Y%m%d%H%M%S"), domain)


def send_email(notification):
    subject, text = safe_text(notification)
    EmailMessage(
        subject, text, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email],
        headers={"Message-ID": message_id(notification)},
    ).send(fail_silently=False)


def _webhook_url():
    url = settings.NOTIFY_WEBHOOK_URL
    secret = settings.NOTIFY_WEBHOOK_SECRET
    if settings.NOTIFY_WEBHOOK_KIND == "dingtalk" and secret:
        # DingTalk 加签: HMAC-SHA256 of "timestamp\nsecret", base64, URL-encoded.
        timestamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    return url


def send_webhook(notification):
    """POST the group message; WeCom and DingTalk both answer errcode 0 on success."""
    _subject, text = safe_text(notification)
    name = notification.recipient.get_full_name() or notification.recipient.get_username()
    content = f"@{name}\n{text}"
    # Both robots take the same text message; kept apart for their extras.
    if settings.NOTIFY_WEBHOOK_KIND == "dingtalk":
        payload = {"msgtype": "text", "text": {"content": content}}
    else:
        payload = {"msgtype": "text", "text": {"content": content}}
    request = urllib.request.Request(
        _webhook_url(),
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer = response.read(65536)
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        raise RuntimeError(f"webhook answered with non-JSON: {answer[:200]!r}") from None
    if isinstance(result, dict) and result.get("errcode", 0) != 0:
        raise RuntimeError(f"webhook refused the message: {result.get('errcode')} {result.get('errmsg', '')}")


SENDERS = {"email": send_email, "webhook": send_webhook}


def deliver(pk: int) -> dict:
    """Send the notice's pending channels. Each channel is claimed first, so
    running this twice (a retried or duplicated task) sends nothing twice.
    A failure marks the channel failed and is logged; raises DeliveryFailed
    afterwards if a channel may still be retried. Returns channel → state."""
    max_attempts = settings.NOTIFY_MAX_ATTEMPTS
    outcome = {}
    retry = False
    for channel in CHANNELS:
        if not _claim(pk, channel, max_attempts):
            continue
        notification = Notification.objects.select_related("recipient").get(pk=pk)
        if not _wants(notification, channel):
            _finish(pk, channel, "skipped")
            outcome[channel] = "skipped"
            continue
        try:
            sender = SENDERS.get(channel) or _EXTRA[channel]["send"]
            sender(notification)
        except RetryLater as exc:
            logger.warning("notification %s: %s asked to retry later: %s", pk, channel, exc)
            _finish(pk, channel, "failed", f"{type(exc).__name__}: {exc}", refund=True)
            outcome[channel] = "failed"
            retry = True
        except Exception as exc:
            logger.exception("notification %s: %s delivery failed", pk, channel)
            _finish(pk, channel, "failed", f"{type(exc).__name__}: {exc}")
            outcome[channel] = "failed"
            retry = retry or getattr(notification, f"{channel}_attempts") < max_attempts
        else:
            _finish(pk, channel, "sent")
            outcome[channel] = "sent"
    if retry:
        raise DeliveryFailed(f"notification {pk}: {outcome}")
    return outcome


def undelivered(now=None):
    """Primary keys of notices with a channel still to send: never queued
    (broker down), failed with tries left, or left "sending" by a dead worker
    (those are put back to failed first)."""
    now = now or timezone.now()
    max_attempts = settings.NOTIFY_MAX_ATTEMPTS
    stale = now - STALE_SENDING
    for channel in CHANNELS:
        # A worker killed mid-send: the message may or may not have gone out;
        # sending again is the lesser harm than never sending.
        Notification.objects.filter(**{f"{channel}_state": "sending", f"{channel}_claimed_at__lt": stale}).update(
            **{f"{channel}_state": "failed", f"{channel}_error": "worker lost while sending"}
        )
    # Leave fresh rows to the delivery queued on commit.
    settled = now - timedelta(minutes=2)
    query = Q()
    for channel in CHANNELS:
        query |= Q(**{f"{channel}_state": "pending", "created_at__lt": settled})
        query |= Q(
            **{
                f"{channel}_state": "failed",
                f"{channel}_attempts__lt": max_attempts,
                f"{channel}_claimed_at__lt": now - timedelta(minutes=1),
            }
        )
    return list(Notification.objects.filter(query).order_by("pk").values_list("pk", flat=True)[:1000])


def pending(limit: int = 1000) -> list[int]:
    """Primary keys of notices with a channel never tried, oldest first."""
    query = Q()
    for channel in CHANNELS:
        query |= Q(**{f"{channel}_state": "pending"})
    return list(Notification.objects.filter(query).order_by("pk").values_list("pk", flat=True)[:limit])


def deliver_pending(limit: int = 1000) -> int:
    """Deliver the pending notices (run after a commit that wrote some, and by
    whoever kicks it): each channel of each row is claimed before sending, so
    two runs at once, or a run beside ``deliver(pk)``, send nothing twice. A
    failed channel is left to retry_undelivered. Returns rows handled."""
    done = 0
    while True:
        pks = pending(limit)
        if not pks:
            return done
        for pk in pks:
            try:
                deliver(pk)
            except DeliveryFailed:
                pass  # logged in deliver(); retry_undelivered tries again
        done += len(pks)
        if len(pks) < limit:
            return done


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

"""The on-time page's day totals (``OnTimeDay``), kept in the transaction of
the decision or answer they count, so they never disagree with the steps and
receivers (tests/infoflow/test_ontime_days.py replays random decisions and
answers and compares them with ``rebuild_ontime_days``' recount).

What is counted is what infoflow.ontime's rates count (its docstring): a
review step that closed approved or returned and had a due time, under its
item's department, on the local day it closed; an answer of an internal unit
receiver that had an answer due time, under the receiving unit, on the local
day it came in. On time: closed or answered at or before the due time. The
local day is settings.TIME_ZONE's (the page's periods are whole local days).
"""
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import OnTimeDay, Receiver, ReviewStep

CLOSED_STATES = (ReviewStep.State.APPROVED, ReviewStep.State.RETURNED)


def local_day(moment):
    """The date of aware ``moment`` in settings.TIME_ZONE."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _count(*, kind: str, unit_id: int, moment, due) -> None:
    """One more done (and on time when ``moment <= due``) for ``unit_id`` on
    ``moment``'s local day: one upsert, so two transactions counting the same
    department and day both count (the row's lock orders them)."""
    table = connection.ops.quote_name(OnTimeDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, day, unit_id, done, done_on_time) VALUES (%s, %s, %s, 1, %s) "
            f"ON CONFLICT (kind, day, unit_id) DO UPDATE SET done = {table}.done + 1, "
            f"done_on_time = {table}.done_on_time + excluded.done_on_time",
            [kind, local_day(moment), unit_id, 1 if moment <= due else 0],
        )


def count_step_closed(*, step: ReviewStep, unit_id: int) -> None:
    """Count ``step`` just closed (its state and closed_at set, inside the
    deciding transaction) under ``unit_id``, its item's department. A step
    skipped (撤销) or without a due time is not counted, as the page does
    not count it."""
    if step.state in CLOSED_STATES and step.due_at is not None and step.closed_at is not None:
        _count(kind=OnTimeDay.Kind.REVIEW, unit_id=unit_id, moment=step.closed_at, due=step.due_at)


def count_answer(*, receiver: Receiver) -> None:
    """Count ``receiver``'s answer just recorded (inside the answering
    transaction): internal unit receivers with an answer due time only."""
    if (receiver.kind == Receiver.Kind.UNIT and receiver.unit_id is not None
            and receiver.state == Receiver.State.ANSWERED
            and receiver.answer_due_at is not None and receiver.answered_at is not None):
        _count(kind=OnTimeDay.Kind.FEEDBACK, unit_id=receiver.unit_id, moment=receiver.answered_at,
               due=receiver.answer_due_at)


def recount(*, step_model=ReviewStep, receiver_model=Receiver) -> dict:
    """{(kind, day, unit id): (done, done on time)} counted from every step
    and receiver (two grouped queries). The model arguments let a migration
    pass its historical models."""
    tz = timezone.get_default_timezone()
    totals = {}
    steps = (
        step_model.objects.filter(state__in=CLOSED_STATES, due_at__isnull=False, closed_at__isnull=False)
        .order_by().values(unit=F("item__unit_id"), on_day=TruncDate("closed_at", tzinfo=tz))
        .annotate(n=Count("pk"), n_on_time=Count("pk", filter=Q(closed_at__lte=F("due_at"))))
    )
    for row in steps:
        totals[(OnTimeDay.Kind.REVIEW.value, row["on_day"], row["unit"])] = (row["n"], row["n_on_time"])
    answers = (
        receiver_model.objects.filter(kind=Receiver.Kind.UNIT, unit__isnull=False, state=Receiver.State.ANSWERED,
                                      answer_due_at__isnull=False, answered_at__isnull=False)
        .order_by().values(unit_ref=F("unit_id"), on_day=TruncDate("answered_at", tzinfo=tz))
        .annotate(n=Count("pk"), n_on_time=Count("pk", filter=Q(answered_at__lte=F("answer_due_at"))))
    )
    for row in answers:
        totals[(OnTimeDay.Kind.FEEDBACK.value, row["on_day"], row["unit_ref"])] = (row["n"], row["n_on_time"])
    return totals


@transaction.atomic
def rebuild_ontime_days(*, day_model=OnTimeDay, step_model=ReviewStep, receiver_model=Receiver) -> int:
    """Replace every day total by ``recount()``; the number of rows written.
    For the migration that adds the table and for data written without the
    services (the bench builders, imports); run it while nobody decides or
    answers (a decision between the recount and the write would be lost)."""
    totals = recount(step_model=step_model, receiver_model=receiver_model)
    day_model.objects.all().delete()
    day_model.objects.bulk_create(
        [day_model(kind=kind, day=day, unit_id=unit, done=done, done_on_time=on_time)
         for (kind, day, unit), (done, on_time) in totals.items()],
        batch_size=1000,
    )
    return len(totals)

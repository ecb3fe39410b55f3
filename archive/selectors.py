"""Reads of the archive: who sees which record, the catalogue with its
filters and search, the classification tree, retention lists.

Visibility: archived records keep the permissions their item had
(``infoflow.visibility.items_visible_to``, guardian grants included);
archivists see every record that is not restricted; a restricted record is
seen only by the people on its path (their guardian grant on the item) and by
the archivists named on it.
"""
import re

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import Count, Expression, Q, Window
from django.utils import timezone

from infoflow.models import Confidentiality, Item
from infoflow.visibility import granted_item_ids, items_visible_to, visibility_q
from officers.roles import roles_of

from .models import ArchivedRecord, Hold, Importance, Retention
from .snapshot import spaced

RESTRICTED = Q(importance=Importance.RESTRICTED) | Q(confidentiality="restricted")


def named_record_ids(user):
    return ArchivedRecord.named_archivists.through.objects.filter(user_id=user.pk).values("archivedrecord_id")


def records_visible_to(user, moment=None):
    """The archived records ``user`` may see (the module docstring's rule).
    ``moment``: when a deputy's delegations are in force (now by default;
    infoflow.visibility.visibility_q)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ArchivedRecord.objects.none()
    # The item rule on the record's own copies of its item's columns
    # (models.ItemCopies, kept by triggers; issue 12): "item in the set of
    # every visible item" scanned the whole item table, three times per
    # catalogue page (rows, count, category tree), and joining each record
    # to its item read every visible record's item (11 ms a statement for
    # the secretariat at 5,000 records).
    roles = roles_of(user)
    if roles.is_archivist:
        unrestricted = ~RESTRICTED
    elif roles.sees_everything_unrestricted or user.is_superuser:
        # Rule 4 of items_visible_to (every submitted unrestricted item),
        # which covers its other rules for these records: the rest of the
        # item clause only added two subqueries to compile and plan on each
        # of the page's queries (issue 12).
        unrestricted = ~RESTRICTED & ~Q(item_state=Item.State.DRAFT) & ~Q(
            item_confidentiality=Confidentiality.RESTRICTED)
    else:
        unrestricted = visibility_q(user, copies=True, moment=moment) & ~RESTRICTED
    condition = (
        unrestricted
        | (Q(item_id__in=granted_item_ids(user)) & RESTRICTED)
        | Q(pk__in=named_record_ids(user))
    )
    return ArchivedRecord.objects.filter(condition)


def active_holds():
    return Hold.objects.filter(lifted_at__isnull=True)


class StoredSearchVector(Expression):
    """The records' ``search_vector`` column on PostgreSQL: the search text
    as a tsvector the database generates and indexes (migration 0005). The
    model does not declare it (SQLite has none), so it is named here, on the
    query's own base table (its alias, should the query become a subquery)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return "%s.search_vector" % compiler.quote_name_unless_alias(compiler.query.base_table), []


def search(queryset, text, vendor):
    """Full-text search over subject, summary and opinions (search_text).
    PostgreSQL: a phrase query on the spaced text's stored tsvector (GIN
    index, migration 0005); elsewhere a plain substring match on the same text."""
    text = spaced(text.strip())
    if not text:
        return queryset
    if vendor == "postgresql":
        return queryset.alias(fts=StoredSearchVector()).filter(
            fts=SearchQuery(text, config="simple", search_type="phrase")
        )
    return queryset.filter(search_text__contains=text)


RETENTION_STATES = ("current", "due", "permanent", "held", "destroyed")


def catalogue(user, *, year=None, unit=None, unit_type="", importance="", retention_state="", q="",
              top="", mid="", month="", vendor="sqlite", today=None, visible=None):
    """The user's records with the filters, newest first. ``visible``: the
    records_visible_to(user) queryset when the caller already built it (the
    catalogue page builds it once for its rows and its tree)."""
    rows = (records_visible_to(user) if visible is None else visible).select_related("unit", "category")
    if year:
        rows = rows.filter(year=year)
    if unit:
        rows = rows.filter(unit_id=unit)
    if unit_type:
        rows = rows.filter(unit_type=unit_type)
    if importance:
        rows = rows.filter(importance=importance)
    if top:
        rows = rows.filter(class_top=top)
    if mid:
        rows = rows.filter(class_mid=mid)
    if month:
        rows = rows.filter(class_date=month)
    if retention_state:
        rows = filter_retention_state(rows, retention_state, today)
    if q:
        rows = search(rows, q, vendor)
    return rows.order_by("-year", "-sequence")


def filter_retention_state(rows, state, today=None):
    today = today or timezone.localdate()
    held = Q(pk__in=active_holds().values("record_id"))
    kept = rows.filter(state=ArchivedRecord.State.KEPT)
    if state == "permanent":
        return kept.filter(retention=Retention.PERMANENT)
    if state == "due":
        return kept.filter(retention_until__lt=today).exclude(retention=Retention.PERMANENT).exclude(held)
    if state == "held":
        return kept.filter(held)
    if state == "destroyed":
        return rows.filter(state=ArchivedRecord.State.DESTROYED)
    if state == "current":
        return kept.filter(Q(retention_until__gte=today) | Q(retention=Retention.PERMANENT))
    return rows


def classification_counts(visible):
    """(class_top, class_mid, class_date, n) rows of ``visible`` records: the tree's counts."""
    return visible.order_by().values("class_top", "class_mid", "class_date").annotate(n=Count("pk"))


def classification_tree(user, visible=None, counts=None):
    """[(top, count, [(middle, count, [(month, count)])])] of visible records
    (``visible`` as for catalogue; ``counts``: classification_counts' rows
    as tuples when the caller read them already)."""
    tree = {}
    if counts is None:
        counts = ((row["class_top"], row["class_mid"], row["class_date"], row["n"]) for row in
                  classification_counts(records_visible_to(user) if visible is None else visible))
    for top, mid, month, n in counts:
        tree.setdefault(top, {}).setdefault(mid, []).append((month, n))
    out = []
    for top in sorted(tree):
        mids = []
        for mid in sorted(tree[top]):
            months = sorted(tree[top][mid], reverse=True)
            mids.append((mid, sum(n for _m, n in months), months))
        out.append((top, sum(m[1] for m in mids), mids))
    return out


# What the catalogue's table shows of a record (and sorts by): the rows leave
# out the archived content, its search text and the seal, which the window
# count otherwise carried along for every visible record (issue 12).
CATALOGUE_FIELDS = ("id", "number", "year", "sequence", "subject", "class_top", "class_mid", "class_date",
                    "importance", "retention", "retention_until", "state")


def catalogue_table_rows(rows):
    """The catalogue's rows (a ``catalogue`` queryset) with only the table's columns."""
    return rows.select_related(None).only(*CATALOGUE_FIELDS)


def with_total(rows):
    """``rows`` each carrying ``page_total``, the count of all of them
    (COUNT(*) OVER ()): one query reads a page of them and the total."""
    return rows.annotate(page_total=Window(Count("pk")))


def awaiting_archive(user, moment=None):
    """The first 50 completed items ``user`` sees, oldest completion first:
    the secretariat's list of items to archive now (``moment`` as for items_visible_to)."""
    return (items_visible_to(user, moment=moment).filter(state=Item.State.COMPLETED)
            .only("pk", "number", "subject", "completed_at").order_by("completed_at")[:50])


def records_past_retention(today=None):
    """Kept records whose retention has run out, never permanent, not on hold."""
    return filter_retention_state(ArchivedRecord.objects.all(), "due", today).order_by("retention_until", "number")


NUMBER = re.compile(r"ND-\d{4}-\d+")


def failures_visible_to(user, failures):
    """The failures of a verification run that ``user`` may read in full, and
    how many others were left out: a failure naming an archive number (its
    label or its message, e.g. "after ND-2026-1001") is shown only when the
    user may see every record it names. Failures naming no number (audit
    rows, the chain's tail) are shown to every reader of the report."""
    named = {n for label, message in failures for n in NUMBER.findall("%s %s" % (label, message))}
    visible = set(records_visible_to(user).filter(number__in=named).values_list("number", flat=True)) if named else set()
    shown = [(label, message) for label, message in failures
             if set(NUMBER.findall("%s %s" % (label, message))) <= visible]
    return shown, len(failures) - len(shown)

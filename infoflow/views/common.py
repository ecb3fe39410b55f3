"""Helpers shared by the item views."""
from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.shortcuts import get_object_or_404

from liaison.errors import LiaisonError, NotAllowed

from .. import compiled, selectors

PAGE_SIZE = 20


def get_item(request, pk):
    """The item, if the user may see it; 404 otherwise (the same answer as
    for an item that does not exist)."""
    return get_object_or_404(selectors.item_detail(request.user), pk=pk)


def paginate(request, queryset, count=None):
    """Page ``request.GET["page"]`` of ``queryset``; ``count``, when the view
    already knows the total (a tab badge), saves the paginator's COUNT."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not queried
    return paginator.get_page(request.GET.get("page"))


def _asked_page(request) -> int:
    """The ``page`` parameter as a number: none, or not a number, is 1 (as
    ``Paginator.get_page``); a number below 1 is returned as it is."""
    raw = request.GET.get("page")
    try:
        return int(raw) if raw else 1
    except ValueError:
        return 1


def paginate_counted(request, queryset):
    """``paginate`` in one query: the page's rows carry the whole list's
    count (``COUNT(*) OVER ()``, computed while the database sorts the list
    for the page), so the paginator needs no COUNT of its own. The pages
    are those of ``paginate``: a number that is not one gives the first
    page, one past the end (or below 1) the last, through ``paginate``."""
    number = _asked_page(request)
    if number < 1:
        return paginate(request, queryset)
    start = (number - 1) * PAGE_SIZE
    rows = list(queryset.annotate(list_total=Window(Count("pk")))[start:start + PAGE_SIZE])
    paginator = Paginator(queryset, PAGE_SIZE)
    if rows:
        first = rows[0]  # a model instance, or a dict from a values() queryset
        paginator.count = first["list_total"] if isinstance(first, dict) else first.list_total  # not queried
    elif number == 1:
        paginator.count = 0  # an empty list: its one empty page
    else:
        return paginate(request, queryset)  # past the end: the last page
    return Page(rows, number, paginator)


def paginate_compiled(request, build, ids: tuple, *, shape: tuple, fallback, count: int | None = None) -> Page:
    """The page ``paginate_counted`` gives (``count`` given: ``paginate(…,
    count=count)``) of the list ``build(*shape, *ids)``, read through its
    SQL compiled once per shape (``compiled.page``; issue 12): building and
    compiling a list's queryset cost more Python than reading its rows.
    ``fallback()`` gives the list's queryset for the rare pages the compiled
    SQL does not answer (a page number below 1, one past the end), which
    go through ``paginate`` as before."""
    if count is not None:
        paginator = Paginator((), PAGE_SIZE)
        paginator.count = count  # a cached_property: set, it is not queried
        try:
            number = paginator.validate_number(request.GET.get("page"))
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = paginator.num_pages
        bottom = (number - 1) * PAGE_SIZE
        rows, _total = compiled.page(build, ids, shape=shape, start=bottom, size=PAGE_SIZE, counted=False)
        return Page(rows[:max(0, min(PAGE_SIZE, count - bottom))], number, paginator)
    number = _asked_page(request)
    if number < 1:
        return paginate(request, fallback())
    rows, total = compiled.page(build, ids, shape=shape, start=(number - 1) * PAGE_SIZE, size=PAGE_SIZE)
    paginator = Paginator((), PAGE_SIZE)
    if rows:
        paginator.count = total  # not queried
    elif number == 1:
        paginator.count = 0  # an empty list: its one empty page
    else:
        return paginate(request, fallback())  # past the end: the last page
    return Page(rows, number, paginator)


def paginate_keyed(request, keys, ids: tuple, *, shape: tuple, rows, fallback) -> Page:
    """The page ``paginate_counted`` gives of a list read in two statements,
    each compiled once per shape (``compiled.page``; issue 12): ``keys(*shape,
    *ids)``, a ``values("pk")`` queryset of the list's rows in its order,
    reads the page's keys and the whole list's count from the rows' own
    table; ``rows(*shape, len(ids), *ids, *pks)`` then reads those rows with
    their joins (a queryset narrowed by ``pk__in``, in any order). With the
    count in the rows' statement, PostgreSQL joined every row of the list
    before counting and sorting them (a unit's 4,069 open receipts at
    1,000,000 items, to show 20). ``fallback()`` gives the list's queryset for
    the pages the compiled SQL does not answer (below 1, past the end), which
    go through ``paginate``."""
    number = _asked_page(request)
    if number < 1:
        return paginate(request, fallback())
    found, total = compiled.page(keys, ids, shape=shape, start=(number - 1) * PAGE_SIZE, size=PAGE_SIZE)
    paginator = Paginator((), PAGE_SIZE)
    if not found:
        if number != 1:
            return paginate(request, fallback())  # past the end: the last page
        paginator.count = 0  # an empty list: its one empty page
        return Page([], 1, paginator)
    pks = tuple(row["pk"] for row in found)
    # Always PAGE_SIZE keys (the last repeated): one statement per shape, not one per page length.
    padded = pks + pks[-1:] * (PAGE_SIZE - len(pks))
    read, _none = compiled.page(rows, (*ids, *padded), shape=(*shape, len(ids)), size=PAGE_SIZE, counted=False)
    place = {pk: n for n, pk in enumerate(pks)}
    read.sort(key=lambda row: place[row.pk])
    paginator.count = total  # not queried
    return Page(read, number, paginator)


class ServiceFailed(Exception):
    """Raised by ``service_errors`` after the message was recorded."""


@contextmanager
def service_errors(request):
    """Turn a service's LiaisonError into an error message; the caller then
    re-renders its form with the input kept. Django's PermissionDenied passes
    through and becomes a 403 (the user can see the item, but may not act)."""
    try:
        yield
    except NotAllowed as exc:
        # The user sees the item (it was fetched through visibility) but may
        # not do this: 403, as conventions say.
        raise PermissionDenied(exc.message) from exc
    except LiaisonError as exc:
        messages.error(request, exc.message)
        raise ServiceFailed from exc


def is_htmx(request):
    return bool(getattr(request, "htmx", False)) or request.headers.get("HX-Request") == "true"


def form_error(form, default):
    """The first error of an invalid ``form`` as one message (for pages that
    redirect back instead of re-rendering the form), ``default`` when the
    only problem is an empty required field."""
    for name, errors in form.errors.items():
        for error in errors.as_data():
            if error.code != "required":
                message = error.message % error.params if error.params else error.message
                label = form.fields[name].label if name in form.fields else ""
                return str(message) if not label or str(label) in str(message) else "%s：%s" % (label, message)
    return default

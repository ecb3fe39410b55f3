"""The "存入资料库" panel on an information item's page (registered in
infoflow.extensions from LibraryConfig.ready()): for a user who can see the
item (the item page showed it) and may add library entries, once the item
passed its review; with links to the entries already filed from it that the
user may see."""
from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from .forms import FileItemForm
from .models import Entry
from .selectors import addable_units_read, categories_read, entries_visible_to
from .services import FILEABLE_STATES


def item_probes(user) -> dict:
    """Whether entries were filed from the item, probed with the item on its
    page (infoflow.extensions.item_probes; issue 12)."""
    return {"library_has_entries": Exists(Entry.objects.filter(source_item_id=OuterRef("pk")))}


def item_panel(request, item) -> str:
    """HTML for ``item``'s page, or "" when there is nothing to show (an
    item that came with ``item_probes`` found without entries spares the
    entries' query)."""
    user = request.user
    filed = [] if getattr(item, "library_has_entries", None) is False else list(
        entries_visible_to(user).filter(source_item=item).select_related(None).only("pk", "title", "state"))
    # may_add(user) is "any addable unit": the units read once, for it and
    # for the form's choices (issue 12).
    units = addable_units_read(user) if item.state in FILEABLE_STATES else []
    can_file = bool(units) and not any(e.state == "active" for e in filed)
    if not (filed or can_file):
        return ""
    form = None
    if can_file:
        form = FileItemForm(user=user)
        _choices(form.fields["category"], categories_read())
        _choices(form.fields["department"], units)
    return render_to_string("library/_item_panel.html", {"item": item, "filed": filed, "form": form},
                            request=request)


def _choices(field, rows) -> None:
    """Give a ModelChoiceField's widget the choices its iterator would list,
    from ``rows`` already read: the iterator reads its queryset through a
    server-side cursor each time the widget lists it (twice for a required
    field), three round trips each."""
    choices = [("", field.empty_label)] if field.empty_label is not None else []
    field.widget.choices = choices + [(field.prepare_value(row), field.label_from_instance(row)) for row in rows]

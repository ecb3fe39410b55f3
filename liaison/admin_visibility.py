"""Admin classes that show item content see exactly what the portal shows.

``VisibleOnlyAdmin`` narrows ``get_queryset`` with ``visible_queryset`` (each
class says which selector decides: ``items_visible_to`` for items and what
hangs on them, ``records_visible_to`` for the archive) and makes every view
that reads one object go through it: the change, delete and Django history
views already fetch through ``get_queryset``; django-simple-history's
``history/`` view falls back to the newest historical row when the object is
outside the queryset, and its ``history/<id>/`` view never asks the queryset
at all — both answer 404 here unless the object is in the narrowed queryset,
the same answer as for an object that does not exist. The change and delete
views answer 404 too, where Django's admin redirects to its index with "does
not exist" (``NotFoundAdmin``): a hidden object gets the portal's answer. A
superuser is no exception (``infoflow.visibility``: restricted items are
seen by their path).
"""
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

__all__ = ["DeleteSummaryAdmin", "NotFoundAdmin", "VisibleOnlyAdmin"]


class NotFoundAdmin(admin.ModelAdmin):
    """The change and delete views of an object outside ``get_queryset``
    (hidden, or not there) answer 404, as the portal does, instead of the
    admin's redirect to its index."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class DeleteSummaryAdmin(admin.ModelAdmin):
    """For settings that items' rows point to (a release channel, a
    distribution list): the delete confirmation names only the objects
    chosen, and what their deletion takes with it only as a count per kind
    (the summary). Those rows may belong to items the user may not see, whose
    numbers and subjects the page would otherwise print."""

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        chosen = [str(obj) for obj in objs]
        if protected:
            protected = [_("%(count)d 条相关记录") % {"count": len(protected)}]
        return chosen, model_count, perms_needed, protected


class VisibleOnlyAdmin(NotFoundAdmin):
    def visible_queryset(self, request, queryset):
        """``queryset`` narrowed to the rows ``request.user`` may see."""
        raise NotImplementedError

    def get_queryset(self, request):
        return self.visible_queryset(request, super().get_queryset(request))

    def _require_visible(self, request, object_id):
        pk_name = self.model._meta.pk.attname
        try:
            visible = self.get_queryset(request).filter(**{pk_name: unquote(object_id)}).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        if not visible:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

"""Every change to the information library and to the departments'
information needs (issue 19 §1; seed 000 §2.1–2.2 信息资源的分类和整理、存储和
更新; seed 001 信息沟通管理制度 4 第18–22条). Each function locks the row,
checks its state and the actor's right, writes with history and calls the
notices in plain sight, inside one transaction.

Who: an officer adds and updates the entries of their department; the
secretariat curates (edits any entry it can see, withdraws and restores,
features). An information item is filed into the library by someone who can
see it and may add entries (``file_item``). A department's officer or head
states its needs. Visibility is ``selectors.entries_visible_to``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoflow.files import inspect_upload
from infoflow.models import Attachment, Confidentiality, Item
from infoflow.models import Category as ItemCategory
from infoflow.visibility import can_view
from liaison.errors import LibraryInvalid, LibraryNotAllowed, LibraryStateConflict
from officers.models import OrgUnit

from . import matching
from .models import Category, Entry, EntryFile, Need
from .search import index_text
from .selectors import addable_units, entries_visible_to, may_curate, may_edit, may_state_need

# What a form hands over as ``fields``.
ENTRY_FIELDS = ("title", "summary", "body", "category", "issuer", "reference", "valid_from", "valid_until",
                "confidentiality")
MAX_FILES = 10
# Reviewed content only: an item is filed once its route approved it.
FILEABLE_STATES = (Item.State.APPROVED, Item.State.TRANSMITTED, Item.State.COMPLETED, Item.State.ARCHIVED)
_RANK = {Confidentiality.PUBLIC: 0, Confidentiality.INTERNAL: 1, Confidentiality.RESTRICTED: 2}


def _save(obj, actor, reason: str, update_fields: list[str] | None = None):
    obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=update_fields) if update_fields else obj.save()
    return obj


def _lock(entry: Entry) -> Entry:
    # Two curators acting on one entry at once queue here; the state checks below see the winner's change.
    return Entry.objects.select_for_update(of=("self",)).select_related("source_item").get(pk=entry.pk)


def _visible(actor, entry: Entry) -> None:
    if not entries_visible_to(actor).filter(pk=entry.pk).exists():
        raise LibraryNotAllowed(_("您无权操作该资料。"))


def _not_allowed():
    return LibraryNotAllowed(_("只有资料所属部门的联络员和秘书处可以修改该资料。"))


def _check(fields: dict) -> None:
    """Input rules every entry keeps. Raises LibraryInvalid."""
    if not (fields.get("title") or "").strip():
        raise LibraryInvalid(_("请填写标题。"))
    category = fields.get("category")
    if not isinstance(category, Category) or not category.active:
        raise LibraryInvalid(_("请选择一个启用的资料类别。"))
    if fields.get("confidentiality") not in Confidentiality.values:
        raise LibraryInvalid(_("密级无效。"))
    start, end = fields.get("valid_from"), fields.get("valid_until")
    for value in (start, end):
        if value is not None and not isinstance(value, dt.date):
            raise LibraryInvalid(_("日期格式无效。"))
    if start and end and end < start:
        raise LibraryInvalid(_("“有效期至”不能早于“生效日期”。"))


def _confine(entry: Entry, units: Iterable[OrgUnit]) -> list[OrgUnit]:
    """The units a restricted entry names (its department always), none for
    others. A copy of an information item is never opener than the item: a
    restricted item's copy stays restricted and names no unit (it is seen by
    those who see the item), an internal item's copy is never public."""
    source = entry.source_item
    if source is not None and _RANK[entry.confidentiality] < _RANK[source.confidentiality]:
        raise LibraryInvalid(_("从信息存入的资料密级不能低于原信息（%(level)s）。")
                             % {"level": source.get_confidentiality_display()})
    if entry.confidentiality != Confidentiality.RESTRICTED:
        return []
    if source is not None and source.confidentiality == Confidentiality.RESTRICTED:
        return []
    named = {unit.pk: unit for unit in units}
    named.setdefault(entry.department_id, entry.department)
    return list(named.values())


def _store(entry: Entry, actor, upload) -> EntryFile:
    info = inspect_upload(upload)  # the portal's check by content; raises AttachmentRejected
    row = EntryFile(entry=entry, original_name=(getattr(upload, "name", "") or "file")[-255:],
                    content_type=info["content_type"], size=info["size"], sha256=info["sha256"], uploaded_by=actor)
    row.file.save("upload", upload, save=False)
    return _save(row, actor, "upload")


def _apply(entry: Entry, fields: dict) -> None:
    for name in ENTRY_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(entry, name, value.strip() if isinstance(value, str) else value)
    entry.search_text = index_text(entry.title, entry.summary, entry.body, entry.issuer, entry.reference)


@transaction.atomic
def create_entry(*, actor, department: OrgUnit, fields: dict, units: Iterable[OrgUnit] = (), files=(),
                 source_item: Item | None = None) -> Entry:
    """Add an entry for ``department`` (an officer: their own department; the
    secretariat: any), store its files and tell the departments whose
    information needs it matches (``matching.match_entry``, once per need).
    Raises LibraryNotAllowed, LibraryInvalid, AttachmentRejected (nothing is
    kept then: one transaction)."""
    if not addable_units(actor).filter(pk=department.pk).exists():
        raise LibraryNotAllowed(_("您只能为本部门录入资料。"))
    _check(fields)
    files = list(files)
    if len(files) > MAX_FILES:
        raise LibraryInvalid(_("每条资料最多 %(n)s 个附件。") % {"n": MAX_FILES})
    now = timezone.now()
    entry = Entry(department=department, created_by=actor, created_at=now, updated_at=now, source_item=source_item)
    _apply(entry, fields)
    named = _confine(entry, units)
    _save(entry, actor, "create")
    entry.units.set(named)
    for upload in files:
        _store(entry, actor, upload)
    matching.match_entry(entry, actor=actor)
    return entry


@transaction.atomic
def update_entry(*, actor, entry: Entry, fields: dict, units: Iterable[OrgUnit] = (), files=(),
                 remove_files: Iterable[int] = ()) -> Entry:
    """Update an entry in use: its department's officers or the secretariat.
    ``remove_files`` are ids of the entry's files to drop. Raises
    LibraryNotAllowed, LibraryStateConflict (withdrawn), LibraryInvalid."""
    entry = _lock(entry)
    _visible(actor, entry)
    if not may_edit(actor, entry):
        raise _not_allowed()
    if entry.state != Entry.State.ACTIVE:
        raise LibraryStateConflict(_("该资料已撤回，不能修改；如需修改请先由秘书处恢复。"))
    _check(fields)
    _apply(entry, fields)
    named = _confine(entry, units)
    removing = list(entry.files.filter(pk__in=[int(i) for i in remove_files]))
    files = list(files)
    if entry.files.count() - len(removing) + len(files) > MAX_FILES:
        raise LibraryInvalid(_("每条资料最多 %(n)s 个附件。") % {"n": MAX_FILES})
    entry.updated_at = timezone.now()
    _save(entry, actor, "update")
    if set(entry.units.values_list("pk", flat=True)) != {u.pk for u in named}:
        entry.units.set(named)
    for row in removing:
        row._history_user = actor
        row._change_reason = "remove"
        row.delete()  # the history keeps the row; the stored file stays for it
    for upload in files:
        _store(entry, actor, upload)
    return entry


@transaction.atomic
def withdraw_entry(*, actor, entry: Entry, reason: str) -> Entry:
    """Withdraw (撤回) an entry from use — superseded, wrong, no longer
    needed; it stays, with its history, for the secretariat and its
    department. Secretariat only. Raises LibraryNotAllowed,
    LibraryStateConflict, LibraryInvalid (no reason)."""
    entry = _lock(entry)
    _visible(actor, entry)
    if not may_curate(actor):
        raise LibraryNotAllowed(_("只有秘书处可以撤回资料。"))
    if entry.state != Entry.State.ACTIVE:
        raise LibraryStateConflict(_("该资料已撤回。"))
    reason = (reason or "").strip()
    if not reason:
        raise LibraryInvalid(_("请填写撤回原因。"))
    entry.state, entry.withdraw_reason, entry.featured = Entry.State.WITHDRAWN, reason[:500], False
    entry.updated_at = timezone.now()
    return _save(entry, actor, "withdraw", ["state", "withdraw_reason", "featured", "updated_at"])


@transaction.atomic
def restore_entry(*, actor, entry: Entry) -> Entry:
    """Put a withdrawn entry back in use (secretariat). Raises LibraryNotAllowed, LibraryStateConflict."""
    entry = _lock(entry)
    _visible(actor, entry)
    if not may_curate(actor):
        raise LibraryNotAllowed(_("只有秘书处可以恢复资料。"))
    if entry.state != Entry.State.WITHDRAWN:
        raise LibraryStateConflict(_("该资料在用，无需恢复。"))
    entry.state, entry.withdraw_reason = Entry.State.ACTIVE, ""
    entry.updated_at = timezone.now()
    return _save(entry, actor, "restore", ["state", "withdraw_reason", "updated_at"])


@transaction.atomic
def set_featured(*, actor, entry: Entry, featured: bool) -> Entry:
    """Feature (推荐) an entry in use at the top of the list, or stop
    featuring it (secretariat). Raises LibraryNotAllowed, LibraryStateConflict."""
    entry = _lock(entry)
    _visible(actor, entry)
    if not may_curate(actor):
        raise LibraryNotAllowed(_("只有秘书处可以推荐资料。"))
    if featured and entry.state != Entry.State.ACTIVE:
        raise LibraryStateConflict(_("已撤回的资料不能推荐。"))
    if entry.featured == featured:
        return entry
    entry.featured = featured
    return _save(entry, actor, "feature" if featured else "unfeature", ["featured"])


@transaction.atomic
def file_item(*, actor, item: Item, category: Category, department: OrgUnit) -> Entry:
    """存入资料库: copy an information item's subject, summary and body
    attachments into a new entry of ``department``, linked back to the item,
    at the item's confidentiality (a restricted item's copy stays restricted
    and is seen by those who see the item). The actor must see the item and
    may add entries for ``department``; the item must have passed its review
    (approved or later). Raises LibraryNotAllowed, LibraryStateConflict
    (not reviewed yet, or already filed), LibraryInvalid."""
    # The item's row lock serialises two people filing the same item at once.
    item = Item.objects.select_for_update(of=("self",)).select_related("unit").get(pk=item.pk)
    if not can_view(actor, item):
        raise LibraryNotAllowed(_("您无权操作该信息。"))
    if item.state not in FILEABLE_STATES:
        raise LibraryStateConflict(_("信息审核通过后才能存入资料库（当前状态：%(state)s）。")
                                   % {"state": item.get_state_display()})
    if Entry.objects.filter(source_item=item, state=Entry.State.ACTIVE).exists():
        raise LibraryStateConflict(_("该信息已存入资料库。"))
    fields = {
        "title": item.subject, "summary": item.summary, "body": "", "category": category,
        "issuer": item.source_name or item.unit.name, "reference": item.source_reference or item.number or "",
        "valid_from": timezone.localdate(), "valid_until": None, "confidentiality": item.confidentiality,
    }
    entry = create_entry(actor=actor, department=department, fields=fields, source_item=item)
    for attachment in item.attachments.filter(purpose=Attachment.Purpose.ITEM).order_by("uploaded_at", "pk"):
        try:
            with attachment.file.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            continue  # a file lost from storage is not copied; the item page says so
        row = EntryFile(entry=entry, original_name=attachment.original_name, content_type=attachment.content_type,
                        size=attachment.size, sha256=attachment.sha256, uploaded_by=actor)
        row.file.save("upload", ContentFile(data), save=False)
        _save(row, actor, "copy")
    return entry


# --- needs ------------------------------------------------------------------------


def _check_need(title: str, categories, item_categories, keywords: str) -> None:
    if not (title or "").strip():
        raise LibraryInvalid(_("请填写需求说明。"))
    if not (list(categories) or list(item_categories) or (keywords or "").strip()):
        raise LibraryInvalid(_("请至少选择一个资料类别、信息类别或填写关键词，否则无法匹配。"))


@transaction.atomic
def save_need(*, actor, unit: OrgUnit, title: str, categories: Iterable[Category] = (),
              item_categories: Iterable[ItemCategory] = (), keywords: str = "", need: Need | None = None) -> Need:
    """State (or, with ``need``, change) an information need of ``unit``
    (seed 000: 确定信息需求): by its officers or head. New library entries
    and completed or released items matching it are told to the unit's
    officers from now on (nothing is matched backwards). Raises
    LibraryNotAllowed, LibraryInvalid, LibraryStateConflict (closed)."""
    categories, item_categories = list(categories), list(item_categories)
    _check_need(title, categories, item_categories, keywords)
    if need is not None:
        need = Need.objects.select_for_update().get(pk=need.pk)
        if not may_state_need(actor, need.unit_id):
            raise LibraryNotAllowed(_("只有本部门的联络员和负责人可以修改本部门的信息需求。"))
        if not need.active:
            raise LibraryStateConflict(_("该信息需求已关闭。"))
        reason = "update"
    else:
        if not may_state_need(actor, unit.pk):
            raise LibraryNotAllowed(_("只有本部门的联络员和负责人可以提出本部门的信息需求。"))
        need = Need(unit=unit, created_by=actor)
        reason = "create"
    need.title, need.keywords = title.strip()[:100], (keywords or "").strip()[:200]
    _save(need, actor, reason)
    need.categories.set(categories)
    need.item_categories.set(item_categories)
    return need


@transaction.atomic
def close_need(*, actor, need: Need) -> Need:
    """Close a need: nothing more is matched against it. Raises LibraryNotAllowed, LibraryStateConflict."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if not may_state_need(actor, need.unit_id):
        raise LibraryNotAllowed(_("只有本部门的联络员和负责人可以关闭本部门的信息需求。"))
    if not need.active:
        raise LibraryStateConflict(_("该信息需求已关闭。"))
    need.active = False
    return _save(need, actor, "close", ["active"])

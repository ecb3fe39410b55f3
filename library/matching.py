"""Matching the departments' information needs (seed 000: 确定信息需求 →
收集 → 传递给相关部门): a new library entry, or an information item that was
completed (办结) or released (发布), is checked against every open need, and
each match is recorded once (``NeedMatch``: unique per need and entry, per
need and item — a race of two matches of one pair gives one row) with its
notice to the department's officers.

A need matches an entry when every criterion it names holds: the entry's
category is one of its library categories (if it names any), and the
entry's title, summary, body, issuer or reference holds one of its keywords
(if it names any). An item is matched by the need's item categories and
keywords the same way (a need naming only library categories matches no
item). Restricted items are never matched: a notice would tell of them.
"""
from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction

from infoflow.models import Item

from . import notices
from .models import Entry, Need, NeedMatch


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _keywords_hit(need: Need, text: str) -> bool:
    words = [_norm(k) for k in need.keyword_list()]
    return not words or any(w in text for w in words)


def open_needs():
    return Need.objects.filter(active=True, unit__is_active=True).select_related("unit").prefetch_related(
        "categories", "item_categories").order_by("pk")


def needs_for_entry(entry: Entry) -> list[Need]:
    """The open needs ``entry`` matches (see the module docstring)."""
    text = _norm(" ".join((entry.title, entry.summary, entry.body, entry.issuer, entry.reference)))
    found = []
    for need in open_needs():
        categories = {c.pk for c in need.categories.all()}
        if not categories and not need.keyword_list():
            continue
        if categories and entry.category_id not in categories:
            continue
        if _keywords_hit(need, text):
            found.append(need)
    return found


def needs_for_item(item: Item) -> list[Need]:
    """The open needs ``item`` matches by item category and keywords."""
    if item.is_restricted:
        return []
    text = _norm(" ".join((item.subject, item.summary, item.number or "")))
    found = []
    for need in open_needs():
        categories = {c.pk for c in need.item_categories.all()}
        if not categories and not need.keyword_list():
            continue
        if categories and item.category_id not in categories:
            continue
        if _keywords_hit(need, text):
            found.append(need)
    return found


def _claim(need: Need, **target) -> NeedMatch | None:
    """The match row, or None when this pair was matched before (by us or by
    a concurrent transaction: the unique constraint decides; the savepoint
    keeps the caller's transaction usable)."""
    try:
        with transaction.atomic():
            return NeedMatch.objects.create(need=need, **target)
    except IntegrityError:
        return None


def match_entry(entry: Entry, *, actor=None) -> list[NeedMatch]:
    """Record and tell each need a new entry matches (inside the caller's transaction)."""
    matches = []
    for need in needs_for_entry(entry):
        match = _claim(need, entry=entry)
        if match is not None:
            notices.entry_matches_need(match, actor=actor)
            matches.append(match)
    return matches


def item_finished(item: Item, *, actor=None, how: str = "completed") -> list[NeedMatch]:
    """infoflow.extensions' ``item_finished``: an item was completed or
    released; record and tell each need it matches, once per need whichever
    happens first (a release on three channels tells once)."""
    matches = []
    for need in needs_for_item(item):
        match = _claim(need, item=item)
        if match is not None:
            notices.item_matches_need(match, actor=actor, how=how)
            matches.append(match)
    return matches

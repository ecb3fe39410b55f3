"""What the information flow asks of apps built on it (issue 15): the few
questions infoflow must answer with their help, registered from their
AppConfig.ready() so that infoflow imports none of them (the pattern of
liaison.hooks).

- ``viewers(item)``: user ids an app puts on the item's path — people an item
  was circulated to for reading (传阅) — who get the ``view_item`` grant from
  ``permissions.desired_grants`` and so pass ``items_visible_to``.
- ``completion_blocker(item)``: a sentence saying why the item may not be
  completed yet (an open task of a leader's instruction, 批示), or None.
  Both completion paths of ``services.delivery`` ask it.
- ``detail_panels(request, item)``: HTML fragments an app shows on the item
  page (circulation, reading, instructions and their tasks).
- ``item_probes(user)``: annotations the item page reads with the item
  (``{name: Exists(...)}`` on ``OuterRef("pk")``), so that a panel skips the
  queries of what the item has none of; a panel given an item without them
  (``getattr(item, name, None) is None``) queries as before (issue 12).
  The item page compiles them once per process with a stand-in user and
  puts each request's user id in its place (infoflow.page_probes): a
  source may read ``user.pk`` and nothing else of the user.
- ``release_channels(active_only)``: the release channels an item may name,
  as ``[(code, name)]`` — the channels the secretariat keeps as data
  (publication.Channel, issue 16) instead of the fixed ReleaseChannel list.
- ``item_finished(item, actor=, how=)``: told inside the transaction that
  completed (办结, ``how="completed"``) or released (发布, ``how="released"``,
  called by publication) an item — the information library tells departments
  whose information needs the item matches (issue 19 §1).

Without registered answers (infoflow alone) there are no extra viewers,
nothing blocks completion and the item page has no extra panels.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

_viewer_sources: dict[str, Callable] = {}
_completion_checks: dict[str, Callable] = {}
_detail_panels: dict[str, Callable] = {}
_channel_sources: dict[str, Callable] = {}
_finish_listeners: dict[str, Callable] = {}
_item_probes: dict[str, Callable] = {}


def register(*, name: str, viewers: Callable | None = None, completion_check: Callable | None = None,
             detail_panel: Callable | None = None, release_channels: Callable | None = None,
             item_finished: Callable | None = None, item_probes: Callable | None = None) -> None:
    """Register an app's answers under ``name`` (called from AppConfig.ready();
    registering the same name again replaces them)."""
    if viewers is not None:
        _viewer_sources[name] = viewers
    if completion_check is not None:
        _completion_checks[name] = completion_check
    if detail_panel is not None:
        _detail_panels[name] = detail_panel
    if release_channels is not None:
        _channel_sources[name] = release_channels
    if item_finished is not None:
        _finish_listeners[name] = item_finished
    if item_probes is not None:
        _item_probes[name] = item_probes


def viewers(item) -> set[int]:
    """User ids the registered apps put on ``item``'s path (view only)."""
    ids: set[int] = set()
    for source in _viewer_sources.values():
        ids.update(i for i in source(item) if i)
    return ids


def completion_blocker(item) -> str | None:
    """The first registered reason why ``item`` may not complete now, or None."""
    for check in _completion_checks.values():
        reason = check(item)
        if reason:
            return reason
    return None


def item_probes(user) -> dict:
    """The registered apps' annotations for the item page's Item query."""
    probes: dict = {}
    for source in _item_probes.values():
        probes.update(source(user))
    return probes


def detail_panels(request, item) -> Iterable[str]:
    """The registered panels' HTML for the item page, in registration order."""
    return [html for panel in _detail_panels.values() if (html := panel(request, item))]


def release_channels(active_only: bool = True) -> list[tuple[str, str]] | None:
    """``[(code, name)]`` of the release channels from the registered app (the
    active ones for a form, every one for labels), or None when none is
    registered (then the fixed ReleaseChannel list applies)."""
    for source in _channel_sources.values():
        return list(source(active_only))
    return None


def item_finished(item, *, actor, how: str) -> None:
    """Tell the registered apps that ``item`` was completed (``how="completed"``)
    or released on a channel (``how="released"``, possibly once per channel),
    inside the transaction of that change: what they write (notices through
    the outbox) commits or rolls back with it."""
    for listener in _finish_listeners.values():
        listener(item, actor=actor, how=how)

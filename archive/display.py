"""An archived record's sealed snapshot as people read it (issue 10, 6.2).

The snapshot stores times as UTC ISO text and choices as codes beside their
labels; the record page shows local times and labels only:

- every ``…_at`` value becomes an aware datetime, which templates show in the
  configured time zone (Asia/Shanghai by default);
- format 2 snapshots carry the labels as they read when sealed
  (``methods_display``, ``release_channels_display``, ``purpose_display``);
  format 1 snapshots had codes only for these, and get today's labels for
  them here, at display time (the sealed content itself is never changed).
"""
import copy
from datetime import datetime

from django.utils.translation import gettext as _

from infoflow import extensions
from infoflow.models import Attachment, ReleaseChannel, TransmissionMethod


def _labels(codes, choices, joiner):
    if not codes:
        return ""
    if isinstance(codes, (list, tuple)):
        codes = ",".join(codes)
    labels = dict(choices)
    return joiner.join(str(labels.get(code, code)) for code in str(codes).split(",") if code)


def methods_label(codes) -> str:
    """"email,letter" → "邮件+书面函件" (the communication log's way)."""
    return _labels(codes, TransmissionMethod.choices, "+")


def channels_label(codes) -> str:
    """"intranet,wechat_oa" → "内网网站、微信公众号": the channels kept as data
    (infoflow.extensions.release_channels), else the fixed list."""
    if not codes:
        return ""
    return _labels(codes, ReleaseChannel.choices + list(extensions.release_channels(active_only=False) or ()), "、")


def purpose_label(code) -> str:
    """"evidence" → "传递凭证"; "minutes" (a linked meeting's minutes, archived with the item) → "会议纪要"."""
    return _labels(code, [*Attachment.Purpose.choices, ("minutes", _("会议纪要"))], "")


def _moment(value):
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment if moment.tzinfo is not None else value


def _times(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_at") and isinstance(value, str):
                node[key] = _moment(value)
            else:
                _times(value)
    elif isinstance(node, list):
        for value in node:
            _times(value)


def _fill(row, key, value):
    if not row.get(key):
        row[key] = value


def present(snapshot):
    """A copy of ``snapshot`` ready for the record page (module docstring)."""
    if not snapshot:
        return snapshot
    shown = copy.deepcopy(snapshot)
    item = shown.setdefault("item", {})
    _fill(item, "methods_display", methods_label(item.get("transmission_methods")))
    _fill(item, "transmission_methods_display", item.get("methods_display") or "")
    _fill(item, "release_channels_display", channels_label(item.get("release_channels")))
    for t in shown.get("transmissions", []):
        _fill(t, "methods_display", methods_label(t.get("methods")))
    for a in shown.get("attachments", []):
        _fill(a, "purpose_display", purpose_label(a.get("purpose")))
    for r in shown.get("receivers", []):
        r["label"] = next((r[k] for k in ("unit_label", "user_label", "external_unit_label", "contact_label",
                                          "kind_display") if r.get(k)), "") or _("接收方")
    _times(shown)
    return shown

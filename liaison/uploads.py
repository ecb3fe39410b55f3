"""Uploads kept across a form that comes back with an error (issue 10 §6.1).

A browser never re-fills a file input: a form with files that came back
with an error (a missing 预计反馈时间, a date in the future) lost its
attachments, and the user had to find them again — or did not notice. One
form submission is one item: the services run only on a valid form, inside
one transaction, and whatever files the submission carried are kept here
until the corrected form is sent.

``PendingUploads`` keeps files in the default storage under ``pending/``,
listed in the user's session (so a token from someone else's session is not
accepted), for PENDING_MAX_AGE seconds. ``PendingFilesMixin`` gives a form a
"kept files" checkbox list per file field, stashes the new uploads whenever
the form has errors (or the view calls ``keep_uploads()`` after a service
refused), and answers ``uploads(name)``: the kept files plus the new ones,
for the service. The view calls ``discard_pending()`` once the service
stored them.
"""
import os
import secrets
import time

from django import forms
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "liaison_pending_uploads"
PENDING_DIR = "pending"
PENDING_MAX_AGE = 24 * 3600


def _size_text(size):
    if size >= 1024 * 1024:
        return "%.1f MB" % (size / 1024 / 1024)
    return "%s KB" % max(1, round(size / 1024))


class PendingUploads:
    """The uploads a session keeps for a form that came back with an error."""

    def __init__(self, request):
        self.session = request.session

    def _entries(self) -> dict:
        return self.session.get(SESSION_KEY) or {}

    def _save(self, entries):
        self.session[SESSION_KEY] = entries
        self.session.modified = True

    def prune(self):
        """Forget (and delete) the session's files older than PENDING_MAX_AGE,
        and any session's: a form abandoned with kept files leaves them in
        ``pending/`` until the next stash of anyone clears them."""
        entries = self._entries()
        now = time.time()
        stale = [token for token, entry in entries.items() if now - entry.get("at", 0) > PENDING_MAX_AGE]
        if stale:
            self.discard(stale)
        try:
            _dirs, names = default_storage.listdir(PENDING_DIR)
        except (FileNotFoundError, NotImplementedError):
            return
        for name in names:
            path = "%s/%s" % (PENDING_DIR, name)
            try:
                age = now - default_storage.get_modified_time(path).timestamp()
            except (FileNotFoundError, NotImplementedError):
                continue
            if age > PENDING_MAX_AGE:
                default_storage.delete(path)

    def stash(self, upload) -> str:
        """Keep ``upload``; answers its token."""
        self.prune()
        token = secrets.token_hex(16)
        upload.seek(0)
        path = default_storage.save("%s/%s" % (PENDING_DIR, token), upload)
        upload.seek(0)
        entries = self._entries()
        entries[token] = {
            "name": os.path.basename(getattr(upload, "name", "") or "file")[-255:],
            "path": path,
            "size": getattr(upload, "size", None) or default_storage.size(path),
            "at": time.time(),
        }
        self._save(entries)
        return token

    def choices(self):
        """(token, label) of every kept file, oldest first."""
        entries = sorted(self._entries().items(), key=lambda pair: pair[1].get("at", 0))
        return [(token, "%s（%s）" % (entry["name"], _size_text(entry["size"]))) for token, entry in entries]

    def open(self, token) -> File | None:
        entry = self._entries().get(token)
        if entry is None or not default_storage.exists(entry["path"]):
            return None
        return File(default_storage.open(entry["path"], "rb"), name=entry["name"])

    def discard(self, tokens):
        entries = self._entries()
        for token in tokens:
            entry = entries.pop(token, None)
            if entry is not None:
                default_storage.delete(entry["path"])
        self._save(entries)


class KeptFilesField(forms.MultipleChoiceField):
    """The tokens of the kept files still ticked. A token this session does
    not hold (expired, or someone else's) is dropped, not an error: the
    submission goes on without it."""

    def __init__(self, *, choices=(), **kwargs):
        kwargs.setdefault("required", False)
        if choices:
            kwargs.setdefault("label", _("已上传的文件"))
            kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
            kwargs.setdefault("help_text", _("上次提交时已上传，提交时一并保存；取消勾选即移除。"))
        else:
            kwargs.setdefault("widget", forms.MultipleHiddenInput)
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = self.to_python(value)
        return [token for token in value if self.valid_value(token)]


class PendingFilesMixin:
    """For a form with file fields (``pending_file_fields``): keeps their
    uploads when the form comes back with an error. Construct with
    ``pending=PendingUploads(request)``; without it the form behaves as a
    plain form."""

    pending_file_fields = ("files",)
    pending_request = None  # an admin form class may carry the request here

    def __init__(self, *args, pending=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pending is None and self.pending_request is not None:
            pending = PendingUploads(self.pending_request)
        self.pending = pending
        self._opened = {}
        choices = pending.choices() if pending is not None else []
        for name in self.pending_file_fields:
            # Only the files this form sent back: another form's kept files
            # (an abandoned draft in another tab) are not offered here.
            posted = set(self._posted_tokens(name))
            self.fields["pending_%s" % name] = KeptFilesField(choices=[c for c in choices if c[0] in posted])

    def _posted_tokens(self, name):
        key = self.add_prefix("pending_%s" % name)
        if not self.is_bound or not hasattr(self.data, "getlist"):
            return list((self.data or {}).get(key) or []) if self.is_bound else []
        return self.data.getlist(key)

    # --- what the view uses ------------------------------------------------------

    def kept_tokens(self, name="files"):
        kept = "pending_%s" % name
        if hasattr(self, "cleaned_data") and kept in self.cleaned_data:
            return list(self.cleaned_data[kept])
        valid = {token for token, _label in self.fields[kept].choices}
        return [t for t in self._posted_tokens(name) if t in valid]

    def uploads(self, name="files"):
        """The kept files, then the new uploads of field ``name``."""
        files = []
        if self.pending is not None:
            for token in self.kept_tokens(name):
                if token not in self._opened:
                    self._opened[token] = self.pending.open(token)
                if self._opened[token] is not None:
                    files.append(self._opened[token])
        new = self.cleaned_data.get(name) if self._uploaded(name) and hasattr(self, "cleaned_data") else None
        if new:
            files.extend(new if isinstance(new, (list, tuple)) else [new])
        return files

    def _uploaded(self, name):
        # A model form's file field cleans to the stored file when nothing was
        # uploaded: only a file in this request counts as new.
        return bool(self.files) and self.add_prefix(name) in self.files

    def keep_uploads(self):
        """Stash this submission's acceptable new uploads so the re-rendered
        form offers them checked. Idempotent."""
        if self.pending is None or getattr(self, "_kept", False) or not self.is_bound:
            return
        self._kept = True
        data = self.data.copy()
        for name in self.pending_file_fields:
            field = self.fields[name]
            new = getattr(field, "accepted", None)
            if new is None:
                value = self.cleaned_data.get(name) if self._uploaded(name) and hasattr(self, "cleaned_data") else None
                new = value if isinstance(value, (list, tuple)) else ([value] if value else [])
            tokens = self.kept_tokens(name)
            tokens += [self.pending.stash(upload) for upload in new if hasattr(upload, "read")]
            kept = "pending_%s" % name
            self.fields[kept] = KeptFilesField(choices=[c for c in self.pending.choices() if c[0] in tokens])
            self._bound_fields_cache.pop(kept, None)
            if hasattr(data, "setlist"):
                data.setlist(self.add_prefix(kept), tokens)
            else:
                data[self.add_prefix(kept)] = tokens
        self.data = data

    def discard_pending(self):
        """Delete the kept files this form used (after the service stored them)."""
        for handle in self._opened.values():
            if handle is not None:
                handle.close()
        if self.pending is not None:
            tokens = []
            for name in self.pending_file_fields:
                tokens += self.kept_tokens(name)
            self.pending.discard(tokens)

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            self.keep_uploads()

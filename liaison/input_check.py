"""Refuse request data that is not text (issue 10 §5).

Django decodes form data leniently: bytes that are not valid UTF-8 become
U+FFFD (QueryDict and the multipart parser decode with errors="replace"), so
they were stored as mojibake; a NUL character reached the forms, whose
validator says only "不允许空字符". This middleware checks every request's
query string and form fields before a view runs, for every form of the
project (portal and admin alike), and answers 400 with a Chinese page that
names the field and says what is wrong. A browser's back button keeps what
the user typed.

- Urlencoded bodies and query strings are checked on their raw bytes: a
  value that does not decode as UTF-8 is refused.
- Multipart bodies are parsed by Django before anything could see their
  bytes, so a field holding U+FFFD there is taken as an undecodable one
  (nobody types the replacement character; pasting binary does make it).
- A NUL (U+0000) anywhere in a name or value is refused.
Uploaded files are not text and are checked by infoflow.files.
"""
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from django.apps import apps
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REPLACEMENT = "\ufffd"

# Inputs that are no model field, by the names the forms give them.
FORM_LABELS = {
    "old_password": gettext_lazy("旧密码"),
    "new_password1": gettext_lazy("新密码"),
    "new_password2": gettext_lazy("确认新密码"),
    "password": gettext_lazy("密码"),
    "password1": gettext_lazy("密码"),
    "password2": gettext_lazy("确认密码"),
    "q": gettext_lazy("检索"),
    "reason": gettext_lazy("原因"),
    "opinion": gettext_lazy("审核意见"),
    "text": gettext_lazy("内容"),
    "result": gettext_lazy("处理结果"),
}


@lru_cache(maxsize=1)
def _model_labels():
    """Field name → verbose name (lazy, so in the reader's language) over
    every model; the first model to name a field wins."""
    labels = {}
    # The item's fields first: most forms are about items.
    models = sorted(apps.get_models(), key=lambda m: (m._meta.label != "infoflow.Item", m._meta.app_label != "infoflow"))
    for model in models:
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose and field.name not in labels:
                labels[field.name] = verbose
    return labels


def field_label(name: str) -> str:
    """What the user calls input ``name`` (never the code itself)."""
    base = name.rsplit("-", 1)[-1]  # formset prefixes: duty_links-0-duty
    for key in (name, base, base.removeprefix("receiver_")):
        label = FORM_LABELS.get(key) or _model_labels().get(key)
        if label:
            return str(label)
    return _("其中一项输入")


def _raw_pairs(raw: bytes):
    """(name, value) byte pairs of an application/x-www-form-urlencoded string."""
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _sep, value = part.partition(b"=")
        yield unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))


def _problem_in_raw(raw: bytes):
    for name, value in _raw_pairs(raw):
        label = name.decode("utf-8", errors="replace")
        for chunk in (name, value):
            try:
                text = chunk.decode("utf-8")
            except UnicodeDecodeError:
                return "encoding", label
            if "\x00" in text:
                return "nul", label
    return None


def _problem_in_decoded(data, *, replacement_is_invalid):
    for name in data:
        if "\x00" in name:
            return "nul", name.replace("\x00", "")
        for value in data.getlist(name):
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                return "nul", name
            if replacement_is_invalid and REPLACEMENT in value:
                return "encoding", name
    return None


def input_problem(request):
    """``(kind, field name)`` of the first field that is not clean text
    (kind "encoding" or "nul"), or None."""
    raw_query = request.META.get("QUERY_STRING", "")
    if raw_query:
        # WSGI hands the query string over as latin-1 text of its raw bytes.
        problem = _problem_in_raw(raw_query.encode("latin-1", errors="replace"))
        if problem:
            return problem
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _problem_in_raw(request.body)
    if content_type.startswith("multipart/form-data"):
        return _problem_in_decoded(request.POST, replacement_is_invalid=True)
    return None


class InputCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = input_problem(request)
        if problem is not None:
            kind, field = problem
            if kind == "nul":
                message = _("“%(field)s”不能包含空字符（NUL，\\x00）。请删除该字符后重新提交。")
            else:
                message = _(
                    "“%(field)s”含有无法识别的字符：提交的内容不是有效的 UTF-8 编码文字。"
                    "请重新输入该内容（不要粘贴二进制数据）后提交。"
                )
            return render(
                request,
                "liaison/bad_input.html",
                {"message": message % {"field": field_label(field)}},
                status=400,
            )
        return self.get_response(request)

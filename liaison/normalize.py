"""Full-width input made plain before it is checked (issue 10 §5).

A Chinese input method types digits and ASCII punctuation in their
full-width forms (１３８, －, ＠, ．, ：). Python's ``\\d`` matches them, so a
phone with one full-width digit passed a check that refused one written
wholly in full-width digits, and was stored as typed. Every field that holds
a code, a phone number, an e-mail address, a date or a number goes through
``ascii_text`` first: NFKC folds full-width digits, Latin letters and ASCII
punctuation (and the ideographic space) to ASCII. Free text (subjects,
summaries, names) is left alone: NFKC would also turn the Chinese
punctuation people mean to write (（）：，) into ASCII.
"""
import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$", re.ASCII)
LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-[0-9]{7,8}(?:-[0-9]{1,6})?$", re.ASCII)
# Characters NFKC leaves alone that people type for a hyphen in a phone number.
_DASHES = str.maketrans({"—": "-", "–": "-", "‐": "-", "‑": "-", "−": "-", "～": "-"})


def ascii_text(value):
    """``value`` (a str; anything else is returned as it is) with full-width
    digits, letters and ASCII punctuation folded to ASCII and the ends
    stripped."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value).strip()


def normalize_phone(value: str) -> str:
    """A phone number as stored: ASCII, no spaces, hyphens as ``-``."""
    return re.sub(r"\s+", "", ascii_text(value or "").translate(_DASHES))


def is_valid_phone(phone: str) -> bool:
    """An 11-digit mobile number or a landline with its area code
    (010-12345678, optionally with an extension), in ASCII digits."""
    return bool(MOBILE_RE.match(phone) or LANDLINE_RE.match(phone))


PHONE_MESSAGE = _("电话“%(value)s”格式不正确：应为 11 位手机号，或带区号的固定电话（如 010-12345678）。")


class AsciiCharField(forms.CharField):
    """A code or number typed in whatever width: folded to ASCII first."""

    def to_python(self, value):
        return super().to_python(ascii_text(value))


class AsciiEmailField(forms.EmailField):
    def to_python(self, value):
        return super().to_python(ascii_text(value))


class PhoneField(forms.CharField):
    """A phone number: full-width digits and dashes folded, spaces dropped,
    then checked as a mobile or landline number."""

    def to_python(self, value):
        return super().to_python(normalize_phone(value) if isinstance(value, str) else value)

    def validate(self, value):
        super().validate(value)
        if value and not is_valid_phone(value):
            raise forms.ValidationError(PHONE_MESSAGE, code="invalid_phone", params={"value": value})


class AsciiDateField(forms.DateField):
    def to_python(self, value):
        return super().to_python(ascii_text(value))


class AsciiSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time pair, each part folded."""

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            value = [ascii_text(part) for part in value]
        return super().clean(value)


class AsciiIntegerField(forms.IntegerField):
    def to_python(self, value):
        return super().to_python(ascii_text(value))


# Model field names that hold codes, phones or e-mail addresses in the admin.
PHONE_FIELDS = {"phone", "registered_phone"}
EMAIL_FIELDS = {"email", "registered_email"}
CODE_FIELDS = {"code", "number_prefix", "reference", "username"}


class NormalizedInputAdmin:
    """Admin mixin: phone, e-mail and code fields fold full-width input to
    ASCII before they are checked."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        name = db_field.name
        if name in PHONE_FIELDS and not db_field.choices:
            kwargs.setdefault("form_class", PhoneField)
        elif name in EMAIL_FIELDS:
            kwargs.setdefault("form_class", AsciiEmailField)
        elif name in CODE_FIELDS and not db_field.choices and db_field.get_internal_type() == "CharField":
            kwargs.setdefault("form_class", AsciiCharField)
        elif not db_field.choices:
            # Dates and numbers: the admin's own widgets, with the input folded.
            kind = db_field.get_internal_type()
            if kind == "DateField":
                kwargs.setdefault("form_class", AsciiDateField)
            elif kind == "DateTimeField":
                kwargs.setdefault("form_class", AsciiSplitDateTimeField)
            elif kind in ("IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
                          "BigIntegerField"):
                kwargs.setdefault("form_class", AsciiIntegerField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def fold_data(data, names):
    """A copy of bound form ``data`` (a QueryDict or dict) with the values of
    ``names`` folded to ASCII; for forms whose fields are not ours."""
    if data is None:
        return data
    data = data.copy()
    for name in names:
        if hasattr(data, "getlist") and name in data:
            data.setlist(name, [ascii_text(v) for v in data.getlist(name)])
        elif name in data:
            data[name] = ascii_text(data[name])
    return data

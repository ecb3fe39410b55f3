"""Personal information (等保 2.0 level 3, GB/T 22239-2019 8.1.4.11 个人信息保护;
个人信息保护法 art. 6 minimum necessary): phone numbers and e-mail addresses are
shown in full only to the roles that keep the contact lists — HR (人力资源管理),
the secretariat and superusers — and masked everywhere else: pages, exports and
the admin (138****5678, z***@example.com).
"""
import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from officers.roles import roles_of

CONTACT_FIELDS = ("phone", "email")
# A mainland mobile (1xx xxxx xxxx) or a landline with its area code (0512-66881234).
_PHONE_IN_TEXT = re.compile(r"(?<![\d-])(?:1\d{10}|0\d{2,3}-?\d{7,8})(?![\d-])")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def sees_contacts(user) -> bool:
    """True when ``user`` may see phone numbers and e-mails in full.

    ``None`` is a management command run by the operator, who sees everything.
    """
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    roles = roles_of(user)
    return roles.is_hr or roles.is_secretariat


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four characters; ``****`` when shorter than 8."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) < 8:
        return "****"
    return phone[:3] + "****" + phone[-4:]


def mask_email(email: str) -> str:
    """z***@example.com: the first character of the local part, the domain kept."""
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return (local[:1] or "") + "***@" + domain


def shown_phone(phone: str, *, user) -> str:
    """``phone`` as ``user`` may see it."""
    return phone if sees_contacts(user) else mask_phone(phone)


def shown_email(email: str, *, user) -> str:
    """``email`` as ``user`` may see it."""
    return email if sees_contacts(user) else mask_email(email)


class MaskedContactsAdminMixin:
    """Admin mixin: for a user who may not see contacts in full, lists show the
    contact columns masked, search by them is not offered, and change and
    history pages leave the fields out (the raw values are never rendered).

    ``contact_fields`` maps a model's contact field to its kind ("phone" or
    "email"): ``phone``/``email`` by default, ``registered_phone``/
    ``registered_email`` on an outside body's registration."""

    contact_fields = {"phone": "phone", "email": "email"}

    def _field_of(self, kind):
        return next((name for name, k in self.contact_fields.items() if k == kind), kind)

    @admin.display(description=_("电话"))
    def masked_phone(self, obj):
        return mask_phone(getattr(obj, self._field_of("phone"), ""))

    @admin.display(description=_("邮箱"))
    def masked_email(self, obj):
        return mask_email(getattr(obj, self._field_of("email"), ""))

    def _swap(self, names, request):
        if sees_contacts(request.user):
            return list(names)
        swap = {name: "masked_" + kind for name, kind in self.contact_fields.items()}
        swapped = []
        for name in names:
            name = swap.get(name, name) if isinstance(name, str) else name
            if name not in swapped:
                swapped.append(name)
        return swapped

    def get_list_display(self, request):
        return self._swap(super().get_list_display(request), request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_contacts(request.user):
            return fields
        # Searching by a number would reveal it one digit at a time.
        hidden = set(self.contact_fields) | set(CONTACT_FIELDS)
        return [f for f in fields if f.rsplit("__", 1)[-1] not in hidden]

    def get_fieldsets(self, request, obj=None):
        # Change and history pages leave the contact fields out for those who may not see them.
        fieldsets = super().get_fieldsets(request, obj)
        if sees_contacts(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options.get("fields", ()) if f not in self.contact_fields]})
            for name, options in fieldsets
        ]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if sees_contacts(request.user):
            return exclude or None
        return exclude + [f for f in self.contact_fields if f not in exclude]


def mask_text(text: str) -> str:
    """``text`` with every mobile-like number (7+ digits) and e-mail address
    masked: for free text that may quote a contact (a filing's 变更内容)."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0)), text or "")
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def shown_text(text: str, *, user) -> str:
    """Free ``text`` as ``user`` may see it (``mask_text`` unless ``sees_contacts``)."""
    return text if sees_contacts(user) else mask_text(text)


class MaskedDetailAdminMixin:
    """Admin mixin for a free-text ``detail`` that may quote a phone number or
    an e-mail (an outside body's change filing: "联络员变更为 张三（138…）"):
    shown through ``mask_text`` in lists, read-only fields and inlines to a
    user who may not see contacts, and not searchable for them."""

    @admin.display(description=_("变更内容"))
    def masked_detail(self, obj):
        return mask_text(getattr(obj, "detail", ""))

    def _swap_detail(self, names, request):
        names = list(names)
        if sees_contacts(request.user):
            return names
        return ["masked_detail" if name == "detail" else name for name in names]

    def get_list_display(self, request):
        return self._swap_detail(super().get_list_display(request), request)

    def get_fields(self, request, obj=None):
        return self._swap_detail(super().get_fields(request, obj), request)

    def get_readonly_fields(self, request, obj=None):
        return self._swap_detail(super().get_readonly_fields(request, obj), request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_contacts(request.user):
            return fields
        return [f for f in fields if f != "detail"]

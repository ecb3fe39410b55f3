from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.normalize import AsciiCharField


class TokenForm(forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code;
    full-width digits and spaces are accepted (AsciiCharField)."""

    token = AsciiCharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())

"""Password rules beyond Django's: 等保 2.0 character classes (setting)."""
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """With settings.PASSWORD_STRICT, require three of: lower case, upper case,
    digits, other characters."""

    classes = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")

    def validate(self, password, user=None):
        if not settings.PASSWORD_STRICT:
            return
        present = sum(1 for pattern in self.classes if re.search(pattern, password))
        if present < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_too_simple"
            )

    def get_help_text(self):
        if settings.PASSWORD_STRICT:
            return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
        return ""

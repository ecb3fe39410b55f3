"""Template filters for personal information: ``{{ officer.phone|shown_phone:request.user }}``."""
from django import template

from dengbao import privacy

register = template.Library()


@register.filter
def shown_phone(value, user):
    """The phone number in full for those who may see it, 138****5678 for everyone else."""
    return privacy.shown_phone(value, user=user)


@register.filter
def shown_email(value, user):
    """The e-mail in full for those who may see it, z***@example.com for everyone else."""
    return privacy.shown_email(value, user=user)

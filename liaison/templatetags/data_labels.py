"""``{{ step.name|data_label }}``: a shipped route, stage, category or duty
name in the reader's language (liaison.data_labels)."""
from django import template

from liaison.data_labels import label

register = template.Library()


@register.filter
def data_label(name):
    return label(name)

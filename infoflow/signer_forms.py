"""Forms of 加签 / 减签 / 转办 / 退回至指定环节, batch approval and 常用语."""
from itertools import groupby

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .services.signers import AFTER, BEFORE, PARALLEL


def _unit_name(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.unit.name if profile is not None and profile.unit_id else str(_("未分配部门"))


def person_choices() -> list:
    """Active people with a unit, grouped by unit ("<optgroup>"), for a
    plain select (liaison.pickers takes over when it is in place)."""
    users = (
        get_user_model().objects.filter(is_active=True, is_superuser=False)
        .select_related("profile__unit")
        .order_by("profile__unit__sort_order", "profile__unit__code", "last_name", "first_name", "username")
    )
    choices = [("", "—")]
    for unit, people in groupby(users, key=_unit_name):
        choices.append((unit, [(u.pk, f"{u.get_full_name() or u.username}（{u.username}）") for u in people]))
    return choices


class PersonField(forms.TypedChoiceField):
    """One person, as a user (``None`` when not chosen)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.choices = person_choices

    def clean(self, value):
        pk = super().clean(value)
        if pk is None:
            return None
        return get_user_model().objects.filter(pk=pk).first()


class AddSignerForm(forms.Form):
    person = PersonField(label=_("加签人"))
    position = forms.ChoiceField(
        label=_("加签方式"), widget=forms.RadioSelect, initial=AFTER,
        choices=((BEFORE, _("前加签：加签人先审核，再回到本环节")), (AFTER, _("后加签：本环节通过后由加签人审核")),
                 (PARALLEL, _("并行加签：与本环节审核人一起审核（会签）"))),
    )
    reason = forms.CharField(label=_("加签理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    person = PersonField(label=_("转办给"))
    reason = forms.CharField(label=_("转办理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnToForm(forms.Form):
    stage = forms.TypedChoiceField(label=_("退回至环节"), coerce=int)
    opinion = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(i, f"{i + 1}. {name}") for i, name in stages]


class BatchForm(forms.Form):
    """The one opinion of a batch approval; the ticked steps are read from
    the POST as a list (``steps``) and each checked by the service."""

    opinion = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class PhraseForm(forms.Form):
    text = forms.CharField(label=_("常用语"), max_length=200)

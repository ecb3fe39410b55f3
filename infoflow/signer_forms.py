"""Forms of 加签 / 减签 / 转办 / 退回至指定环节, batch approval and 常用语."""
from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.data_labels import label as data_label

from liaison.pickers import PersonChoiceField

from .services.signers import AFTER, BEFORE, PARALLEL


class AddSignerForm(forms.Form):
    person = PersonChoiceField(label=_("加签人"))  # searchable, grouped by unit (liaison.pickers)
    position = forms.ChoiceField(
        label=_("加签方式"), widget=forms.RadioSelect, initial=AFTER,
        choices=((BEFORE, _("前加签：加签人先审核，再回到本环节")), (AFTER, _("后加签：本环节通过后由加签人审核")),
                 (PARALLEL, _("并行加签：与本环节审核人一起审核（会签）"))),
    )
    reason = forms.CharField(label=_("加签理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    person = PersonChoiceField(label=_("转办给"))
    reason = forms.CharField(label=_("转办理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnToForm(forms.Form):
    stage = forms.TypedChoiceField(label=_("退回至环节"), coerce=int)
    opinion = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(i, f"{i + 1}. {data_label(name)}") for i, name in stages]


class BatchForm(forms.Form):
    """The one opinion of a batch approval; the ticked steps are read from
    the POST as a list (``steps``) and each checked by the service."""

    opinion = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class PhraseForm(forms.Form):
    text = forms.CharField(label=_("常用语"), max_length=200)

"""Forms of the library pages: they validate input and hand plain values to
``library.services``, which check state and rights again. Attachments go
through the items' upload field (``infoflow.forms.MultipleFileField``:
checked by content, kept across a form that comes back with an error,
``liaison.uploads``)."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infoflow.forms import LimitedTextMixin, MultipleFileField
from infoflow.models import Category as ItemCategory
from infoflow.models import Confidentiality
from liaison.normalize import AsciiDateField
from liaison.pickers import UnitChoiceField, UnitMultipleChoiceField, set_queryset
from liaison.uploads import PendingFilesMixin
from liaison.widget_html import PYTHON_WIDGETS

from .models import Category
from .selectors import addable_units, categories


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EntryForm(PendingFilesMixin, LimitedTextMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), empty_label=_("请选择"))
    department = UnitChoiceField(label=_("负责部门"), empty_label=_("请选择"))
    issuer = forms.CharField(label=_("发布机关/来源"), max_length=200, required=False)
    reference = forms.CharField(label=_("文号"), max_length=100, required=False)
    valid_from = AsciiDateField(label=_("生效日期"), required=False, widget=DateInput())
    valid_until = AsciiDateField(label=_("有效期至"), required=False, widget=DateInput(),
                                 help_text=_("留空表示长期有效；过期的资料会标注“已过期”。"))
    confidentiality = forms.ChoiceField(label=_("密级"), choices=Confidentiality.choices,
                                        initial=Confidentiality.INTERNAL,
                                        help_text=_("公开、内部：全体员工可查看；限定范围：只有下面选择的部门（含负责部门）可查看。"))
    units = UnitMultipleChoiceField(label=_("可查看的部门"), required=False,
                                    help_text=_("仅对“限定范围”的资料有效。"))
    summary = forms.CharField(label=_("摘要"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    body = forms.CharField(label=_("正文"), max_length=50000, required=False, widget=forms.Textarea(attrs={"rows": 10}))
    files = MultipleFileField(label=_("附件"), help_text=_("可选择多个文件，最多 10 个；图片不小于 800×600 像素。"))
    remove_files = forms.MultipleChoiceField(label=_("删除附件"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()
        if entry is None:
            set_queryset(self.fields["department"], addable_units(user))
            del self.fields["remove_files"]
        else:
            del self.fields["department"]  # an entry stays with its department
            self.fields["remove_files"].choices = [(str(f.pk), f.original_name) for f in entry.files.all()]
            if not self.fields["remove_files"].choices:
                del self.fields["remove_files"]
            source = entry.source_item
            if source is not None and source.is_restricted:
                # A restricted item's copy is seen by those who see the item: no level or units to choose.
                del self.fields["confidentiality"]
                del self.fields["units"]

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("“有效期至”不能早于“生效日期”。"))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class FileItemForm(forms.Form):
    """存入资料库 on an item page: the category and the department that keeps the copy."""

    default_renderer = PYTHON_WIDGETS  # its selects' HTML without the widget templates (issue 12)
    category = forms.ModelChoiceField(label=_("资料类别"), queryset=Category.objects.none(), empty_label=_("请选择"))
    department = forms.ModelChoiceField(label=_("负责部门"), queryset=Category.objects.none(), empty_label=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories()
        self.fields["department"].queryset = addable_units(user)


class NeedForm(LimitedTextMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("部门"), queryset=Category.objects.none(), empty_label=None)
    title = forms.CharField(label=_("需求说明"), max_length=100,
                            help_text=_("例如：需要及时了解的安全生产法规和地方标准。"))
    categories = forms.ModelMultipleChoiceField(label=_("资料类别"), queryset=Category.objects.none(), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    item_categories = forms.ModelMultipleChoiceField(label=_("信息类别"), queryset=ItemCategory.objects.none(),
                                                     required=False, widget=forms.CheckboxSelectMultiple,
                                                     help_text=_("这些类别的信息办结或发布时提醒。"))
    keywords = forms.CharField(label=_("关键词"), max_length=200, required=False,
                               help_text=_("多个关键词用空格或逗号分隔，符合任一关键词即提醒。"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["categories"].queryset = categories()
        self.fields["item_categories"].queryset = ItemCategory.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if not (data.get("categories") or data.get("item_categories") or (data.get("keywords") or "").strip()):
            raise forms.ValidationError(_("请至少选择一个资料类别、信息类别或填写关键词，否则无法匹配。"))
        return data

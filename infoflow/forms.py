"""Forms of the portal pages. They validate input and hand plain values to
the services (infoflow/services/), which check state and rights again."""
from django import forms
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liaison.errors import AttachmentRejected
from liaison.normalize import AsciiDateField, ascii_text
from liaison.pickers import MultiPicker, PersonMultipleChoiceField, UnitChoiceField, UnitMultipleChoiceField
from liaison.uploads import PendingFilesMixin
from liaison.widget_html import PYTHON_WIDGETS
from officers.models import ExternalContact, ExternalUnit, OrgUnit

from . import extensions
from .files import inspect_upload
from .models import Category, Item, Outcome, Question, ReleaseChannel, TransmissionMethod

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


# Longest text each field takes, in characters (issue 10 §5): room for what
# the field is for, far below Excel's 32,767-character cell, so the log
# export holds every item whole. Fields not listed keep their model's limit.
TEXT_LIMITS = {
    "subject": 200,
    "summary": 5000,
    "remarks": 1000,
    "project": 100,
    "source_name": 200,
    "source_reference": 100,
    "opinion": 2000,
    "note": 1000,
    "written_record": 2000,
    "text": 2000,  # a question, a progress note
    "reply": 5000,
    "result": 5000,
    "next_steps": 2000,
    "reason": 500,
}


def apply_text_limits(form):
    """Give every text field of ``form`` its limit: checked on the server
    with a message naming the field, given to the browser (maxlength) and
    said in the help text."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        if isinstance(field.widget, forms.HiddenInput):
            continue
        limit = TEXT_LIMITS.get(name) or field.max_length
        if not limit:
            continue
        if field.max_length is None or field.max_length > limit:
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)
        field.error_messages["max_length"] = gettext(
            "“%(label)s”最多 %(limit)s 字，现有 %(count)s 字，请精简后再提交。"
        ) % {"label": field.label, "limit": limit, "count": "%(show_value)d"}
        said = gettext("最多 %(limit)s 字。") % {"limit": limit}
        field.help_text = "%s %s" % (field.help_text, said) if field.help_text else said


class LimitedTextMixin:
    """Forms whose text fields carry TEXT_LIMITS."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_text_limits(self)


class AsciiDateTimeField(forms.DateTimeField):
    """A date and time typed with full-width digits reads as ASCII."""

    def to_python(self, value):
        return super().to_python(ascii_text(value))


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


def datetime_field(label, required=False, help_text=""):
    return AsciiDateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)  # inspect_upload names the empty file
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        """Each file checked by its content (infoflow.files.inspect_upload),
        so a refused file marks this field before anything is saved. The
        acceptable ones stay in ``accepted`` even when another is refused
        (the form keeps them for the corrected submission)."""
        uploads = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        self.accepted = []
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        errors = []
        for upload in uploads:
            try:
                super().clean(upload, initial)
                inspect_upload(upload)
            except forms.ValidationError as exc:
                errors.extend(exc.error_list)
            except AttachmentRejected as exc:
                errors.append(forms.ValidationError(exc.message, code="rejected"))
            else:
                self.accepted.append(upload)
        if errors:
            raise forms.ValidationError(errors)
        return list(self.accepted)


def release_channel_choices():
    """The active release channels the secretariat keeps (infoflow.extensions), else the fixed list."""
    return extensions.release_channels(active_only=True) or ReleaseChannel.choices


def user_label(user):
    return user.get_full_name() or user.username


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return "%s · %s" % (obj.external_unit.name, obj.name)


# The item fields the services receive as ``fields``.
ITEM_FIELDS = (
    "direction", "kind", "category", "confidentiality", "urgency", "subject", "summary", "remarks",
    "event_date", "project", "is_major", "has_legal_effect", "needs_coordination", "needs_answer",
    "transmission_methods", "release_channels", "planned_release_at", "expected_feedback_at",
)  # to_all_staff follows from the receivers (drafting.set_receivers)

# Inputs that change the route: the preview re-renders when one changes.
ROUTE_INPUTS = ("unit", "direction", "kind", "category", "is_major", "has_legal_effect", "needs_coordination",
                "release_channels", "receiver_units")


class ItemForm(PendingFilesMixin, LimitedTextMixin, forms.ModelForm):
    """Drafting an item: the columns of the communication log, its receivers
    and its attachments."""

    unit = forms.ModelChoiceField(label=_("发起部门"), queryset=OrgUnit.objects.none(), empty_label=None)
    transmission_methods = forms.MultipleChoiceField(
        label=_("传递方式"), required=False, choices=TransmissionMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    release_channels = forms.MultipleChoiceField(
        label=_("发布渠道"), required=False, choices=release_channel_choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("选择发布渠道的信息按“信息发布”路线先经秘书处初审。"),
    )
    planned_release_at = datetime_field(_("计划发布时间"))
    expected_feedback_at = datetime_field(
        _("预计反馈时间"), help_text=_("需要反馈的信息须填写具体的日期和时间；通知类信息可不填。")
    )
    # Searchable pickers (liaison.pickers): people grouped by unit, never a Ctrl-click list.
    receiver_units = UnitMultipleChoiceField(label=_("接收部门"), required=False)
    receiver_users = PersonMultipleChoiceField(label=_("接收人"), required=False)
    receiver_external_units = forms.ModelMultipleChoiceField(
        label=_("外部单位"), required=False, queryset=ExternalUnit.objects.none(),
        widget=MultiPicker(attrs={"data-placeholder": _("输入单位名称搜索")}),
    )
    receiver_contacts = ContactChoiceField(
        label=_("外部联系人"), required=False, queryset=ExternalContact.objects.none(),
        widget=MultiPicker(attrs={"data-placeholder": _("输入单位或联系人搜索")}),
        help_text=_("选择联系人即同时选择其所在单位。"),
    )
    files = MultipleFileField(label=_("附件"), help_text=_("可选择多个文件；图片不小于 800×600 像素。"))

    class Meta:
        model = Item
        fields = [
            "unit", "direction", "kind", "category", "subject", "summary", "urgency", "confidentiality",
            "event_date", "project", "is_major", "has_legal_effect", "needs_coordination", "needs_answer",
            "to_all_staff", "transmission_methods", "release_channels", "planned_release_at",
            "expected_feedback_at", "remarks",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        field_classes = {"event_date": AsciiDateField}

    def __init__(self, *args, user=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.filter(is_active=True)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        # Incoming documents are registered by the secretariat on their own page.
        self.fields["direction"].choices = [c for c in self.fields["direction"].choices if c[0] != "incoming"]
        self.fields["receiver_external_units"].queryset = ExternalUnit.objects.filter(is_active=True)
        self.fields["receiver_contacts"].queryset = ExternalContact.objects.select_related("external_unit").filter(
            external_unit__is_active=True
        )
        self.fields["confidentiality"].help_text = _("国家秘密信息严禁在本系统中处理。")
        instance = self.instance
        if instance.pk and not self.is_bound:
            self.initial["transmission_methods"] = instance.methods_list
            self.initial["release_channels"] = instance.channels_list
            receivers = list(instance.receivers.all())
            self.initial["receiver_units"] = [r.unit_id for r in receivers if r.kind == "unit"]
            self.initial["receiver_users"] = [r.user_id for r in receivers if r.kind == "user"]
            self.initial["receiver_external_units"] = [
                r.external_unit_id for r in receivers if r.kind == "external" and not r.contact_id
            ]
            self.initial["receiver_contacts"] = [r.contact_id for r in receivers if r.kind == "external" and r.contact_id]
            self.initial["to_all_staff"] = instance.to_all_staff or any(r.kind == "all_staff" for r in receivers)
        # htmx: a change of a route input re-renders the route preview.
        preview_url = reverse("infoflow:route-preview")
        for name in ROUTE_INPUTS:
            self.fields[name].widget.attrs.update({
                "hx-post": preview_url, "hx-trigger": "change", "hx-target": "#route-preview",
                "hx-swap": "outerHTML", "hx-include": "closest form", "hx-sync": "closest form:replace",
            })

    def clean_expected_feedback_at(self):
        value = self.cleaned_data.get("expected_feedback_at")
        if value and value <= timezone.now():
            raise forms.ValidationError(_("预计反馈时间须晚于现在。"))
        return value

    @property
    def submitting(self):
        """Whether this is "保存并提交": then the form checks what submission
        needs (chain._validate_for_submission), so the field is marked and
        nothing is saved."""
        return self.is_bound and "submit" in self.data

    def clean(self):
        cleaned = super().clean()
        if self.submitting:
            if cleaned.get("needs_answer") and not cleaned.get("expected_feedback_at") and (
                "expected_feedback_at" not in self.errors
            ):
                self.add_error(
                    "expected_feedback_at", _("需要反馈的信息提交时须填写预计反馈时间（具体日期和时间）。")
                )
        if cleaned.get("release_channels") and not cleaned.get("planned_release_at"):
            self.add_error("planned_release_at", _("选择了发布渠道时，请填写计划发布时间。"))
        has_receiver = any(
            cleaned.get(name)
            for name in ("receiver_units", "receiver_users", "receiver_external_units", "receiver_contacts", "to_all_staff")
        )
        if not has_receiver:
            self.add_error("receiver_units", _("请至少选择一个接收方（部门、人员、全体员工或外部单位）。"))
        return cleaned

    def item_fields(self):
        """The cleaned item columns as the services take them."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in ITEM_FIELDS if name in data}
        fields["transmission_methods"] = ",".join(data.get("transmission_methods") or [])
        fields["release_channels"] = ",".join(data.get("release_channels") or [])
        for text in ("remarks", "project"):
            fields[text] = fields.get(text) or ""
        return fields

    def receivers(self):
        """The chosen receivers as dicts (kind, unit, user, external_unit,
        contact). A contact stands for its unit, so a unit picked together
        with one of its contacts is one receiver."""
        data = self.cleaned_data
        rows = [{"kind": "unit", "unit": unit} for unit in data.get("receiver_units") or []]
        rows += [{"kind": "user", "user": user} for user in data.get("receiver_users") or []]
        if data.get("to_all_staff"):
            rows.append({"kind": "all_staff"})
        contacts = list(data.get("receiver_contacts") or [])
        covered = {contact.external_unit_id for contact in contacts}
        rows += [
            {"kind": "external", "external_unit": unit}
            for unit in data.get("receiver_external_units") or []
            if unit.pk not in covered
        ]
        rows += [{"kind": "external", "external_unit": c.external_unit, "contact": c} for c in contacts]
        return rows


class IncomingForm(PendingFilesMixin, LimitedTextMixin, forms.Form):
    """Registering an incoming document (收文) and assigning it to departments."""

    # Chosen from the external units HR keeps (officers.ExternalUnit), never typed (issue 15 §4).
    source_unit = forms.ModelChoiceField(
        label=_("来文单位"), queryset=ExternalUnit.objects.filter(is_active=True).order_by("kind", "name"),
        help_text=_("从外部单位名录中选择；名录中没有的单位请先在后台“外部单位”中添加。"),
    )
    source_reference = forms.CharField(label=_("来文字号"), max_length=100, required=False)
    received_at = datetime_field(_("收文时间"), required=True)
    subject = forms.CharField(label=_("信息主题"), max_length=200)
    summary = forms.CharField(label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.none(), required=False)
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Item._meta.get_field("urgency").choices)
    confidentiality = forms.ChoiceField(
        label=_("密级"), choices=Item._meta.get_field("confidentiality").choices, initial="internal",
        help_text=_("国家秘密信息严禁在本系统中处理。"),
    )
    needs_answer = forms.BooleanField(label=_("需要反馈"), required=False, initial=True)
    expected_feedback_at = datetime_field(_("预计反馈时间"))
    units = UnitMultipleChoiceField(label=_("承办部门"))
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("来文扫描件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("needs_answer") and not cleaned.get("expected_feedback_at") and (
            "expected_feedback_at" not in self.errors
        ):
            self.add_error("expected_feedback_at", _("需要反馈的来文须填写预计反馈时间。"))
        if cleaned.get("expected_feedback_at") and cleaned["expected_feedback_at"] <= timezone.now():
            self.add_error("expected_feedback_at", _("预计反馈时间须晚于现在。"))
        if cleaned.get("received_at") and cleaned["received_at"] > timezone.now():
            self.add_error("received_at", _("收文时间不能晚于当前时间。"))
        return cleaned

    def item_fields(self):
        data = self.cleaned_data
        return {
            "subject": data["subject"], "summary": data["summary"], "category": data.get("category"),
            "urgency": data["urgency"], "confidentiality": data["confidentiality"],
            "needs_answer": data.get("needs_answer", False), "expected_feedback_at": data.get("expected_feedback_at"),
            "remarks": data.get("remarks") or "",
        }


class OpinionForm(LimitedTextMixin, forms.Form):
    """Approve or return a review step; a return needs a reason."""

    opinion = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(choices=(("approve", _("同意")), ("return", _("退回修改"))), widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("opinion") or "").strip():
            self.add_error("opinion", _("退回时须填写退回原因。"))
        return cleaned


class TransmitForm(PendingFilesMixin, LimitedTextMixin, forms.Form):
    pending_file_fields = ("evidence",)

    methods = forms.MultipleChoiceField(
        label=_("传递方式"), choices=TransmissionMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    sent_at = datetime_field(_("传递时间"), help_text=_("留空则为当前时间。"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    written_record = forms.CharField(
        label=_("电话记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("电话传递后须补充书面记录：通话对象、时间和要点。"),
    )
    evidence = MultipleFileField(label=_("传递凭证"), help_text=_("如邮件截图、函件回执。"))

    def clean(self):
        cleaned = super().clean()
        if "phone" in (cleaned.get("methods") or []) and not (cleaned.get("written_record") or "").strip():
            self.add_error("written_record", _("电话传递须补充书面记录。"))
        if cleaned.get("sent_at") and cleaned["sent_at"] > timezone.now():
            self.add_error("sent_at", _("传递时间不能晚于现在。"))
        return cleaned


class QuestionForm(LimitedTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_unit = UnitChoiceField(label=_("责任部门"))
    due_at = datetime_field(_("答复期限"), help_text=_("留空则为 1 个工作日内。"))


class ReplyForm(LimitedTextMixin, forms.Form):
    reply = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(PendingFilesMixin, LimitedTextMixin, forms.Form):
    result = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 4}))
    next_steps = forms.CharField(label=_("后续措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The outcome code beside the text (issue 19 §8); 不予采纳 needs its reason (the service says so).
    outcome = forms.ChoiceField(label=_("办理结果"), required=False,
                                choices=[("", _("（请选择）")), *Outcome.choices])
    outcome_reason = forms.CharField(label=_("不予采纳理由"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))

    field_order = ["outcome", "result", "outcome_reason", "next_steps", "files"]
    files = MultipleFileField(label=_("反馈附件"))


class ProgressForm(LimitedTextMixin, forms.Form):
    default_renderer = PYTHON_WIDGETS  # on every transmitted item's page: its textarea without a template (issue 12)
    text = forms.CharField(label=_("进展"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(LimitedTextMixin, forms.Form):
    reason = forms.CharField(label=_("作废原因"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    files = MultipleFileField(
        label=_("附件"), required=True, error_messages={"required": _("请选择要上传的文件。")}
    )

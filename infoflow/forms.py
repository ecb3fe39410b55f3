"""Forms of the portal pages. They validate input and hand plain values to
the services (infoflow/services/), which check state and rights again."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from officers.models import ExternalContact, ExternalUnit, OrgUnit

from .models import Category, Item, Question, ReleaseChannel, TransmissionMethod

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


def datetime_field(label, required=False, help_text=""):
    return forms.DateTimeField(
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
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def user_label(user):
    return user.get_full_name() or user.username


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        unit = getattr(getattr(obj, "profile", None), "unit", None)
        return "%s（%s）" % (user_label(obj), unit.name) if unit else user_label(obj)


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


class ItemForm(forms.ModelForm):
    """Drafting an item: the columns of the communication log, its receivers
    and its attachments."""

    unit = forms.ModelChoiceField(label=_("发起部门"), queryset=OrgUnit.objects.none(), empty_label=None)
    transmission_methods = forms.MultipleChoiceField(
        label=_("传递方式"), required=False, choices=TransmissionMethod.choices, widget=forms.CheckboxSelectMultiple
    )
    release_channels = forms.MultipleChoiceField(
        label=_("发布渠道"), required=False, choices=ReleaseChannel.choices, widget=forms.CheckboxSelectMultiple,
        help_text=_("选择发布渠道的信息按“信息发布”路线先经秘书处初审。"),
    )
    planned_release_at = datetime_field(_("计划发布时间"))
    expected_feedback_at = datetime_field(
        _("预计反馈时间"), help_text=_("需要反馈的信息须填写具体的日期和时间；通知类信息可不填。")
    )
    receiver_units = forms.ModelMultipleChoiceField(
        label=_("接收部门"), required=False, queryset=OrgUnit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    receiver_users = UserChoiceField(
        label=_("接收人"), required=False, queryset=get_user_model().objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    receiver_external_units = forms.ModelMultipleChoiceField(
        label=_("外部单位"), required=False, queryset=ExternalUnit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    receiver_contacts = ContactChoiceField(
        label=_("外部联系人"), required=False, queryset=ExternalContact.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 4}),
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

    def __init__(self, *args, user=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.filter(is_active=True)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        # Incoming documents are registered by the secretariat on their own page.
        self.fields["direction"].choices = [c for c in self.fields["direction"].choices if c[0] != "incoming"]
        self.fields["receiver_units"].queryset = OrgUnit.objects.filter(is_active=True)
        self.fields["receiver_users"].queryset = (
            get_user_model().objects.filter(is_active=True).select_related("profile__unit").order_by("username")
        )
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
        from django.urls import reverse

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

    def clean(self):
        cleaned = super().clean()
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


class IncomingForm(forms.Form):
    """Registering an incoming document (收文) and assigning it to departments."""

    source_name = forms.CharField(label=_("来文单位"), max_length=200)
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
    units = forms.ModelMultipleChoiceField(
        label=_("承办部门"), queryset=OrgUnit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    remarks = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("来文扫描件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["units"].queryset = OrgUnit.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("needs_answer") and not cleaned.get("expected_feedback_at"):
            self.add_error("expected_feedback_at", _("需要反馈的来文须填写预计反馈时间。"))
        return cleaned

    def item_fields(self):
        data = self.cleaned_data
        return {
            "subject": data["subject"], "summary": data["summary"], "category": data.get("category"),
            "urgency": data["urgency"], "confidentiality": data["confidentiality"],
            "needs_answer": data.get("needs_answer", False), "expected_feedback_at": data.get("expected_feedback_at"),
            "remarks": data.get("remarks") or "",
        }


class OpinionForm(forms.Form):
    """Approve or return a review step; a return needs a reason."""

    opinion = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(choices=(("approve", _("同意")), ("return", _("退回修改"))), widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not (cleaned.get("opinion") or "").strip():
            self.add_error("opinion", _("退回时须填写退回原因。"))
        return cleaned


class TransmitForm(forms.Form):
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


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_unit = forms.ModelChoiceField(label=_("责任部门"), queryset=OrgUnit.objects.none())
    due_at = datetime_field(_("答复期限"), help_text=_("留空则为 1 个工作日内。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = OrgUnit.objects.filter(is_active=True)


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    result = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 4}))
    next_steps = forms.CharField(label=_("后续措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = MultipleFileField(label=_("反馈附件"))


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展"), widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("附件"), required=True)

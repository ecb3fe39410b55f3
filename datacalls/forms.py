"""Forms of data calls: the call definition (with its field list typed one
field a line) and the parsing of an online answer from a POST."""
from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from liaison.pickers import PersonMultipleChoiceField, set_queryset
from officers.models import OrgUnit

from .models import Call
from .values import check_fields, check_template

TYPE_NAMES = {
    "文本": "text", "长文本": "longtext", "数字": "number", "日期": "date", "单选": "choice", "多选": "multichoice",
    "文件": "file", "表格": "table",
}
YES = {"是", "必填", "yes", "y", "true", "1", "required"}
_SPLIT = "、,，;；"


def _items(text: str) -> list:
    for sep in _SPLIT:
        text = text.replace(sep, "、")
    return [part.strip() for part in text.split("、") if part.strip()]


def parse_field_lines(text: str) -> list:
    """One FieldSpec a line: ``代码 | 名称 | 类型 | 必填 | 单位或选项 | 表格列``;
    table columns ``代码:名称:类型`` separated by commas. Raises ValidationError."""
    fields, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")] + [""] * 6
        key, label, kind, required, extra, columns = parts[:6]
        kind = TYPE_NAMES.get(kind, kind)
        spec = {"key": key, "label": label, "type": kind, "required": required.lower() in YES, "unit": "",
                "choices": [], "columns": []}
        if kind == "number":
            spec["unit"] = extra
        elif kind in ("choice", "multichoice"):
            spec["choices"] = _items(extra)
        if kind == "table":
            for column in [c.strip() for c in columns.replace("，", ",").split(",") if c.strip()]:
                bits = [b.strip() for b in column.replace("：", ":").split(":")] + ["", "text"]
                ctype = TYPE_NAMES.get(bits[2] or "text", bits[2] or "text")
                spec["columns"].append({"key": bits[0], "label": bits[1] or bits[0], "type": ctype,
                                        "required": False, "unit": "", "choices": [], "columns": []})
        if not key or not label:
            problems.append(_("第 %(n)s 行：请按“代码 | 名称 | 类型”填写") % {"n": number})
            continue
        fields.append(spec)
    problems += [str(p) for p in check_fields(fields)]
    if problems:
        raise forms.ValidationError(problems)
    return fields


def field_lines(fields: list) -> str:
    lines = []
    for spec in fields or []:
        extra = spec.get("unit", "") if spec["type"] == "number" else "、".join(spec.get("choices") or [])
        columns = ", ".join("%s:%s:%s" % (c["key"], c["label"], c["type"]) for c in spec.get("columns") or [])
        lines.append(" | ".join([spec["key"], spec["label"], spec["type"], "是" if spec.get("required") else "否",
                                 extra, columns]).rstrip(" |"))
    return "\n".join(lines)


class CallForm(forms.ModelForm):
    field_lines = forms.CharField(
        label=_l("填报项"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_l("每行一项：代码 | 名称 | 类型（文本、长文本、数字、日期、单选、多选、文件、表格）| 必填（是/否）| "
                     "数字的单位或选项（用顿号分隔）| 表格的列（代码:名称:类型，用逗号分隔）"),
    )
    template_spec_text = forms.CharField(
        label=_l("模板填报位置（JSON）"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l('上传 Excel 模板时填写，例如 {"sheet": "季度意见", "cells": [{"ref": "B3", "key": "opinion", '
                     '"label": "意见", "type": "text", "required": true}], "table": null}'),
    )
    months_text = forms.CharField(label=_l("月份"), required=False, help_text=_l("每月报送时只在这些月份，如 1,4,7,10"))
    dates_text = forms.CharField(label=_l("报送日期"), required=False, help_text=_l("指定日期时填写，如 2026-10-20, 2026-12-20"))
    units = forms.ModelMultipleChoiceField(
        label=_l("接收单位"), queryset=OrgUnit.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    viewers = PersonMultipleChoiceField(label=_l("指定领导"), required=False)

    field_order = ["title", "instructions", "field_lines", "attachment", "template", "template_spec_text",
                   "recipients", "units", "schedule", "due_on", "months_text", "dates_text", "anchor", "offset_days",
                   "offset_unit", "due_time", "starts_on", "ends_on", "close_after_days", "head_review",
                   "visibility", "viewers", "two_miss"]

    class Meta:
        model = Call
        fields = ["title", "instructions", "attachment", "template", "recipients", "schedule", "due_on", "anchor",
                  "offset_days", "offset_unit", "due_time", "starts_on", "ends_on", "close_after_days",
                  "head_review", "visibility", "two_miss"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_queryset(self.fields["viewers"], get_user_model().objects.filter(
            Q(supervised_units__isnull=False) | Q(roles__role__in=["general_manager", "secretariat_lead"]),
            is_active=True).distinct())
        if self.instance.pk:
            self.fields["field_lines"].initial = field_lines(self.instance.fields)
            if self.instance.template_spec:
                self.fields["template_spec_text"].initial = json.dumps(self.instance.template_spec,
                                                                       ensure_ascii=False)
            self.fields["months_text"].initial = ",".join(str(m) for m in self.instance.months or [])
            self.fields["dates_text"].initial = ", ".join(self.instance.dates or [])
            self.fields["units"].initial = list(self.instance.units.values_list("pk", flat=True))
            self.fields["viewers"].initial = list(self.instance.viewers.values_list("pk", flat=True))

    def clean_field_lines(self):
        return parse_field_lines(self.cleaned_data.get("field_lines") or "")

    def clean_template_spec_text(self):
        text = (self.cleaned_data.get("template_spec_text") or "").strip()
        if not text:
            return None
        try:
            spec = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("模板填报位置不是有效的 JSON。")) from None
        if not isinstance(spec, dict) or not spec.get("sheet"):
            raise forms.ValidationError(_("模板填报位置须写明工作表（sheet）。"))
        problems = check_template(spec)
        if problems:  # said now to the secretary, not at the first officer's upload
            raise forms.ValidationError([str(p) for p in problems])
        return spec

    def clean_offset_days(self):
        value = self.cleaned_data.get("offset_days")
        if value is not None and not -366 <= value <= 366:  # beyond a year no period has a due day (and dates overflow)
            raise forms.ValidationError(_("偏移天数应在 -366 到 366 之间。"))
        return value

    def clean_months_text(self):
        out = []
        for part in _items(self.cleaned_data.get("months_text") or ""):
            if not part.isdigit() or not 1 <= int(part) <= 12:
                raise forms.ValidationError(_("月份应为 1 到 12 的数字。"))
            out.append(int(part))
        return sorted(set(out))

    def clean_dates_text(self):
        out = []
        for part in _items(self.cleaned_data.get("dates_text") or ""):
            try:
                out.append(dt.date.fromisoformat(part).isoformat())
            except ValueError:
                raise forms.ValidationError(_("日期格式应为 2026-10-20。")) from None
        return sorted(set(out))

    def clean(self):
        data = super().clean()
        if data.get("template_spec_text") and not (data.get("template") or self.instance.template):
            self.add_error("template", _("请上传 Excel 模板。"))
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        if not data.get("attachment"):
            data.pop("attachment", None)
        if not data.get("template"):
            data.pop("template", None)
        data["fields"] = self.cleaned_data["field_lines"]
        data["template_spec"] = self.cleaned_data["template_spec_text"]
        data["months"] = self.cleaned_data["months_text"]
        data["dates"] = self.cleaned_data["dates_text"]
        return data


def raw_from_post(fields: list, post, existing: dict | None = None) -> dict:
    """The raw answer values typed in the online form (files handled by the view)."""
    existing = existing or {}
    raw = {}
    for spec in fields:
        key = spec["key"]
        if spec["type"] == "multichoice":
            raw[key] = post.getlist(key)
        elif spec["type"] == "file":
            raw[key] = existing.get(key)
        elif spec["type"] == "table":
            rows = []
            try:
                count = min(max(int(post.get("%s__rows" % key, "0") or 0), 0), 1000)
            except ValueError:  # a tampered row count: no rows, not a 500
                count = 0
            for i in range(count):
                rows.append({c["key"]: post.get("%s__%d__%s" % (key, i, c["key"]), "") for c in spec["columns"]})
            raw[key] = rows
        else:
            raw[key] = post.get(key, "")
    return raw

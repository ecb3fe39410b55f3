"""The roster import pages of the Officer admin ("从Excel导入名录").

Upload → preview (nothing written) → confirm. The upload is kept under
DATA_DIR/imports with a random name that only this user's session knows
(officers/importer.py explains why).
"""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from liaison.errors import LiaisonError, RosterImportError

from . import importer
from .roster import ROSTER_COLUMNS

SESSION_KEY = "officers_roster_import"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("名录文件 (.xlsx)"))
    replace = forms.BooleanField(
        label=_("替换现任主联络员"),
        required=False,
        help_text=_("勾选后，文件中的主联络员将替换其单位的现任主联络员（现任标记为“已更换”）。"),
    )


class RosterImportMixin:
    change_list_template = "admin/officers/officer/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="%s_%s_import" % info),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="%s_%s_import_template" % info,
            ),
            *super().get_urls(),
        ]

    def _check_import_permission(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

    def import_template_view(self, request):
        self._check_import_permission(request)
        response = HttpResponse(importer.template_workbook(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, gettext("联络员名录模板.xlsx"))
        return response

    def import_view(self, request):
        self._check_import_permission(request)
        form = RosterUploadForm()
        context = {"preview": None, "token": None}
        if request.method == "POST" and request.POST.get("step") == "confirm":
            return self._confirm(request, context)
        if request.method == "POST":
            form = RosterUploadForm(request.POST, request.FILES)
            if form.is_valid():
                self._preview(request, form, context)
        elif request.GET.get("cancel"):
            self._forget_upload(request)
        return self._render(request, form, context)

    def _preview(self, request, form, context):
        self._forget_upload(request)
        upload = form.cleaned_data["file"]
        replace = form.cleaned_data["replace"]
        try:
            token = importer.stage_upload(upload)
        except RosterImportError as error:
            form.add_error("file", error.message)
            return
        try:
            preview = importer.read_roster(importer.staged_path(token), replace=replace)
        except RosterImportError as error:
            importer.discard_upload(token)
            form.add_error("file", error.message)
            return
        context["preview"] = preview
        if preview.ok:
            request.session[SESSION_KEY] = {"token": token, "name": upload.name[:200], "replace": replace}
            context["token"] = token
        else:
            importer.discard_upload(token)

    def _confirm(self, request, context):
        staged = request.session.get(SESSION_KEY) or {}
        token = request.POST.get("token", "")
        form = RosterUploadForm()
        if not staged or staged.get("token") != token:
            messages.error(request, gettext("上传的文件已失效，请重新上传。"))
            return self._render(request, form, context)
        try:
            result = importer.import_roster(
                source=importer.staged_path(token),
                actor=request.user,
                replace=staged.get("replace", False),
                filename=staged.get("name", ""),
            )
        except LiaisonError as error:
            # Show the file's rows again with what is wrong now (someone may
            # have changed the roster since the preview).
            messages.error(request, error.message)
            try:
                context["preview"] = importer.read_roster(
                    importer.staged_path(token), replace=staged.get("replace", False)
                )
            except LiaisonError:
                pass
            self._forget_upload(request)
            return self._render(request, form, context)
        self._forget_upload(request)
        messages.success(
            request,
            gettext("已导入 %(officers)s 名联络员，新建用户 %(users)s 个（新用户需在“用户”中设置密码后才能登录）。")
            % {"officers": len(result.officers), "users": len(result.created_users)},
        )
        return redirect(reverse("admin:officers_officer_changelist"))

    def _forget_upload(self, request):
        staged = request.session.pop(SESSION_KEY, None)
        if staged:
            importer.discard_upload(staged.get("token"))

    def _render(self, request, form, context):
        context.update(
            self.admin_site.each_context(request),
            opts=self.opts,
            title=gettext("从Excel导入名录"),
            form=form,
            columns=ROSTER_COLUMNS,
            has_view_permission=self.has_view_permission(request),
        )
        return TemplateResponse(request, "admin/officers/officer/import.html", context)

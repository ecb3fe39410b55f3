"""The working-day calendar in the admin console: years and days the
secretariat edits (rights from officers.backends: add/change/view), and the
page "导入放假通知" where the State Council's notice is pasted, previewed and
then saved. Saving replaces the days of that year's plan
(liaison.calendar_data.store_notice). The same page takes a supplementary
notice (国务院办公厅关于延长2020年春节假期的通知): it is recognised by its
title, previewed the same way, and changes only the days it names. The
preview shows each sentence of the notice beside the dates read from it.
"""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .calendar_data import amended_days, current_days, plan_year_of, replaced_days, store_notice
from .errors import NoticeUnreadable
from .holiday_notice import AMEND_TITLE_RE, TITLE_RE, normalise, parse_amendment, parse_notice
from .models import CalendarDay, CalendarYear

WEEKDAY_NAMES = "一二三四五六日"


def weekday_name(date):
    return gettext("星期%(day)s") % {"day": WEEKDAY_NAMES[date.weekday()]}


class CalendarHistoryAdmin(SimpleHistoryAdmin):
    def revert_disabled(self, request, obj=None):
        # Reverting a year would not bring its days back: edit or re-import.
        return True


class NoticeImportForm(forms.Form):
    text = forms.CharField(
        label=_("通知全文"),
        widget=forms.Textarea(attrs={"rows": 18, "style": "width: 100%; max-width: 60em"}),
        help_text=_(
            "从中国政府网复制“国务院办公厅关于XXXX年部分节假日安排的通知”的全文粘贴到这里；"
            "补充通知（如“国务院办公厅关于延长2020年春节假期的通知”）也在这里导入，只修改其中写明的日期。"
        ),
    )


def read_any_notice(text):
    """A yearly notice, or a supplementary one (recognised by its title),
    read against the stored days of its year. Raises NoticeUnreadable."""
    normalised = normalise(text)
    if AMEND_TITLE_RE.search(normalised) and not TITLE_RE.search(normalised):
        return parse_amendment(text, current=current_days)
    return parse_notice(text)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarHistoryAdmin):
    list_display = ("year", "source", "notice_title", "holiday_count", "workday_count", "updated_at", "updated_by")
    list_filter = ("source",)
    search_fields = ("year", "notice_title")
    list_select_related = ("updated_by",)
    fields = ("year", "source", "notice_title", "notice_text", "days_table", "updated_at", "updated_by")
    readonly_fields = ("days_table", "updated_at", "updated_by")
    change_list_template = "admin/liaison/calendaryear/change_list.html"

    def get_queryset(self, request):
        # Days belong to a year by their date, not by a key: count them with
        # a subquery per kind so the list costs one query however long it is.
        def count(kind):
            days = (
                CalendarDay.objects.filter(date__year=OuterRef("year"), kind=kind)
                .order_by()
                .values("kind")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(days, output_field=IntegerField()), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(holidays_n=count(CalendarDay.Kind.HOLIDAY), workdays_n=count(CalendarDay.Kind.WORKDAY))
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("year")  # a year's days are found by date; renaming would orphan them
        return readonly

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import_notice": self.can_import(request)}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("放假天数"), ordering="holidays_n")
    def holiday_count(self, obj):
        return obj.holidays_n

    @admin.display(description=_("调休上班天数"), ordering="workdays_n")
    def workday_count(self, obj):
        return obj.workdays_n

    @admin.display(description=_("本年的放假与调休"))
    def days_table(self, obj):
        if obj is None or obj.year is None:
            return "—"
        days = CalendarDay.objects.filter(date__year=obj.year).select_related("notice").order_by("date")
        if not days:
            return gettext("（没有记录：按周末休息计算）")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    day.date.isoformat(),
                    weekday_name(day.date),
                    day.get_kind_display(),
                    day.name,
                    day.get_source_display(),
                    day.sentence or (day.notice.title if day.notice else ""),
                )
                for day in days
            ),
        )
        link = reverse("admin:liaison_calendarday_changelist") + "?date__year=%s" % obj.year
        note = ""
        if obj.source == CalendarYear.Source.PROVISIONAL:
            note = format_html(
                '<p class="warning">{}</p>',
                gettext(
                    "暂定：尚未导入 %(year)s 年的国务院办公厅放假通知，以下按《全国年节及纪念日放假办法》的法定节假日计算，不含调休；导入通知后替换。"
                )
                % {"year": obj.year},
            )
        return format_html(
            '{}<table><tbody>{}</tbody></table><p><a href="{}">{}</a></p>', note, rows, link, gettext("逐日修改")
        )

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    # --- 导入放假通知 ---------------------------------------------------------------

    def can_import(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        return [
            path(
                "import-notice/",
                self.admin_site.admin_view(self.import_notice_view),
                name="liaison_calendaryear_import_notice",
            ),
            *super().get_urls(),
        ]

    def import_notice_view(self, request):
        """Paste → preview (nothing stored) → confirm (the text is read again
        and stored in one transaction). A text that is not a notice shows
        what could not be read and stores nothing."""
        if not self.can_import(request):
            raise PermissionDenied
        form = NoticeImportForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("导入放假通知"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"]
            try:
                notice = read_any_notice(text)
            except NoticeUnreadable as exc:
                context.update(error=exc.message, problems=exc.problems)
                return TemplateResponse(request, "admin/liaison/calendaryear/import_notice.html", context)
            if "confirm" in request.POST:
                calendar_year = store_notice(notice=notice, text=text, actor=request.user, request=request)
                if notice.amendment:
                    message = gettext("已按补充通知修改 %(year)s 年的放假安排：放假 %(holidays)s 天，调休上班 %(workdays)s 天。")
                else:
                    message = gettext("已导入 %(year)s 年的放假安排：放假 %(holidays)s 天，调休上班 %(workdays)s 天。")
                self.message_user(
                    request,
                    message % {"year": notice.year, "holidays": len(notice.holidays), "workdays": len(notice.workdays)},
                    messages.SUCCESS,
                )
                return redirect("admin:liaison_calendaryear_change", calendar_year.pk)
            existing = CalendarYear.objects.filter(year=notice.year).first()
            context.update(
                notice=notice,
                rows=[(day, weekday_name(day.date)) for day in notice.days],
                sentences=[
                    (name, sentence, [(day, weekday_name(day.date)) for day in days])
                    for name, sentence, days in notice.sentences()
                ],
                existing=existing,
                existing_days=len(replaced_days(notice)),
                kept_days=amended_days(notice),
            )
        return TemplateResponse(request, "admin/liaison/calendaryear/import_notice.html", context)


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "date__year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(date__year=self.value())
        return queryset


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarHistoryAdmin):
    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name", "source", "plan_year", "notice")
    list_select_related = ("notice",)
    list_filter = (YearFilter, "kind", "source")
    search_fields = ("name",)
    date_hierarchy = "date"
    list_per_page = 100

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return weekday_name(obj.date)

    def save_model(self, request, obj, form, change):
        # Whatever the row came from, an edit here is the secretariat's own.
        obj.source = CalendarYear.Source.MANUAL
        if obj.plan_year is None:
            obj.plan_year = plan_year_of(obj.date, obj.name)
        super().save_model(request, obj, form, change)

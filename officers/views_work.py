"""Pages of work reports, replacement flags and accountability cases. Every
row is fetched through its selector (a row the user may not see is the same
404 as a missing one); the services decide what may be done."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import hooks
from liaison.paging import count_then_page

from . import accountability, flags, work
from .forms_work import CaseForm, CommentForm, RectifiedForm, ReportForm, ResolveForm
from .models import AccountabilityCase, ReplacementFlag, WorkReport
from .work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

PAGE = 20


def _search(rows, query, *fields):
    if not query:
        return rows
    condition = Q()
    for name in fields:
        condition |= Q(**{name + "__icontains": query})
    return rows.filter(condition)


OFFICER_FIELDS = ("officer__user__first_name", "officer__user__last_name", "officer__user__username",
                  "officer__unit__name")


# --- work reports ------------------------------------------------------------------


@login_required
def report_list(request):
    query = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    rows = _search(work.reports_visible_to(request.user), query, *OFFICER_FIELDS)
    if state in WorkReport.State.values:
        rows = rows.filter(state=state)
    if request.GET.get("late") == "1":
        rows = rows.filter(is_late=True)
    page = count_then_page(request, rows.order_by("-period_start", "unit__sort_order", "pk"), PAGE)
    return render(request, "officers/work/report_list.html",
                  {"page": page, "q": query, "state": state, "states": WorkReport.State.choices,
                   "now": timezone.now()})


@login_required
def report_detail(request, pk):
    report = get_object_or_404(work.reports_visible_to(request.user), pk=pk)
    may_file, may_comment = work.can_file(request.user, report), work.can_comment(request.user, report)
    form = ReportForm(initial={"work_done": report.work_done, "next_plan": report.next_plan})
    comment_form = CommentForm(initial={"comment": report.head_comment})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "comment":
                comment_form = CommentForm(request.POST)
                if comment_form.is_valid():
                    work.comment_report(report=report, actor=request.user, comment=comment_form.cleaned_data["comment"])
                    messages.success(request, _("已批阅。"))
                    return redirect("officers:work-report", pk=report.pk)
            else:
                form = ReportForm(request.POST)
                if form.is_valid():
                    work.submit_report(report=report, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("工作报告已提交给部门负责人。"))
                    return redirect("officers:work-report", pk=report.pk)
        except WorkNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except (WorkInvalid, WorkStateConflict) as exc:
            messages.error(request, str(exc))
    return render(request, "officers/work/report_detail.html",
                  {"report": report, "form": form, "comment_form": comment_form, "may_file": may_file,
                   "may_comment": may_comment})


# --- replacement flags -----------------------------------------------------------------


@login_required
def flag_list(request):
    query = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    rows = _search(flags.flags_visible_to(request.user), query, *OFFICER_FIELDS)
    if state in ReplacementFlag.State.values:
        rows = rows.filter(state=state)
    page = count_then_page(request, rows, PAGE)
    return render(request, "officers/work/flag_list.html",
                  {"page": page, "q": query, "state": state, "states": ReplacementFlag.State.choices})


@login_required
def flag_detail(request, pk):
    flag = get_object_or_404(flags.flags_visible_to(request.user), pk=pk)
    form = ResolveForm()
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                flags.resolve_flag(flag=flag, actor=request.user, **form.cleaned_data)
            except WorkNotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except (WorkInvalid, WorkStateConflict) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已处理。"))
                return redirect("officers:flag", pk=flag.pk)
    return render(request, "officers/work/flag_detail.html",
                  {"flag": flag, "form": form, "may_keep": flags.can_keep(request.user, flag),
                   "may_replace": flags.can_replace(request.user, flag)})


# --- accountability cases ---------------------------------------------------------------


@login_required
def case_list(request):
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    rows = _search(accountability.cases_visible_to(request.user), query, *OFFICER_FIELDS, "subject_label")
    if kind in AccountabilityCase.Kind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "officers/work/case_list.html",
                  {"page": page, "q": query, "kind": kind, "kinds": AccountabilityCase.Kind.choices,
                   "may_record": accountability.can_record(request.user)})


def _subject(actor, number):
    """The item of that number if the actor may see it, else None."""
    items = hooks.items_visible_to(actor) if number else None
    return items.filter(number=number).first() if items is not None else None


@login_required
def case_new(request):
    if not accountability.can_record(request.user):
        raise PermissionDenied
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        number = data.pop("item_number").strip()
        data["rectification_due"] = data.get("rectification_due")
        try:
            case = accountability.record_case(actor=request.user, subject=_subject(request.user, number),
                                              subject_label=number, **data)
        except WorkNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except WorkInvalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("问责记录已登记。"))
            return redirect("officers:case", pk=case.pk)
    return render(request, "officers/work/case_form.html", {"form": form})


@login_required
def case_detail(request, pk):
    case = get_object_or_404(accountability.cases_visible_to(request.user), pk=pk)
    form = RectifiedForm()
    if request.method == "POST":
        form = RectifiedForm(request.POST)
        if form.is_valid():
            try:
                accountability.complete_rectification(case=case, actor=request.user, **form.cleaned_data)
            except WorkNotAllowed as exc:
                raise PermissionDenied(str(exc)) from exc
            except (WorkInvalid, WorkStateConflict) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已确认整改完成。"))
                return redirect("officers:case", pk=case.pk)
    history = case.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "officers/work/case_detail.html",
                  {"case": case, "form": form, "history": history,
                   "may_close": accountability.can_record(request.user) and case.rectification_open})

"""Pages of the appointment workflow (issue 19 §9): the recommendations list,
the 推荐表 form, a recommendation with its decisions (interview, confirm,
reject, withdraw — each with its own page to confirm), the signed form's
download and the announcements (任免公告) for all staff. Rows come through
officers.recommendations' selectors; the services decide."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from liaison.paging import count_then_page
from liaison.preview import download_response, watermark_text

from . import recommendations as rec_services
from .forms_recommendations import ConfirmForm, InterviewForm, RecommendationForm, RejectForm
from .models import Recommendation
from .work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

PAGE = 20


@login_required
def recommendation_list(request):
    query = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    rows = rec_services.recommendations_visible_to(request.user)
    if query:
        rows = rows.filter(Q(candidate__first_name__icontains=query) | Q(candidate__last_name__icontains=query)
                           | Q(candidate__username__icontains=query) | Q(unit__name__icontains=query))
    if state in Recommendation.State.values:
        rows = rows.filter(state=state)
    page = count_then_page(request, rows.order_by("-recommended_at", "-pk"), PAGE)
    return render(request, "officers/recommendations/list.html", {
        "page": page, "q": query, "state": state, "states": Recommendation.State.choices,
        "may_recommend": rec_services.may_recommend(request.user),
        "decides": rec_services.decides_recommendations(request.user)})


@login_required
def recommendation_new(request):
    units = rec_services.recommending_units(request.user)
    if not units.exists():
        raise PermissionDenied(_("只有部门负责人或联络员可以推荐本单位的联络员。"))
    form = RecommendationForm(request.POST or None, request.FILES or None, units=units, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rec = rec_services.recommend_officer(
                actor=request.user, unit=data["unit"], candidate=data["candidate"], replaces=data["replaces"],
                is_primary=data["is_primary"], phone=data["phone"], email=data["email"], reasons=data["reasons"],
                qualifications=data["qualifications"], form_file=data["form_file"])
        except WorkNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except WorkInvalid as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("推荐已提交秘书处。"))
            return redirect("officers:recommendation", pk=rec.pk)
    return render(request, "officers/recommendations/form.html", {"form": form})


def _visible(request, pk) -> Recommendation:
    return get_object_or_404(rec_services.recommendations_visible_to(request.user), pk=pk)


@login_required
def recommendation_detail(request, pk):
    rec = _visible(request, pk)
    history = list(rec.history.select_related("history_user").order_by("history_date", "history_id"))
    return render(request, "officers/recommendations/detail.html", {
        "rec": rec, "history": history, "may_decide": rec_services.may_decide(request.user, rec),
        "may_withdraw": rec_services.may_withdraw(request.user, rec)})


@login_required
def recommendation_file(request, pk):
    rec = _visible(request, pk)
    with rec.form_file.open("rb") as handle:
        data = handle.read()
    return download_response(data=data, filename=rec.form_name or rec.form_file.name.rsplit("/", 1)[-1],
                             mark=watermark_text(request.user))


def _decision(request, pk, *, form_class, template, service, done, fields):
    """A decision page: GET shows the form (the confirm step), POST calls the service."""
    rec = _visible(request, pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, recommendation=rec, **{k: form.cleaned_data[k] for k in fields})
        except WorkNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except (WorkInvalid, WorkStateConflict) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
            return redirect("officers:recommendation", pk=rec.pk)
    return render(request, template, {"rec": rec, "form": form,
                                      "may_decide": rec_services.may_decide(request.user, rec)})


@login_required
def recommendation_interview(request, pk):
    return _decision(request, pk, form_class=InterviewForm, template="officers/recommendations/interview.html",
                     service=rec_services.schedule_interview, done=_("面谈已安排，已通知被推荐人和推荐人。"),
                     fields=("at", "place", "note"))


@login_required
def recommendation_confirm(request, pk):
    return _decision(request, pk, form_class=ConfirmForm, template="officers/recommendations/confirm.html",
                     service=rec_services.confirm_recommendation,
                     done=_("已确认任命：联络员名录已更新，任免公告已发全体员工。"), fields=("effective_on", "note"))


@login_required
def recommendation_reject(request, pk):
    return _decision(request, pk, form_class=RejectForm, template="officers/recommendations/reject.html",
                     service=rec_services.reject_recommendation, done=_("已作出不予任命的决定，已通知推荐单位。"),
                     fields=("reason",))


@login_required
def recommendation_withdraw(request, pk):
    rec = _visible(request, pk)
    if request.method == "POST":
        try:
            rec_services.withdraw_recommendation(actor=request.user, recommendation=rec)
        except WorkNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except WorkStateConflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("推荐已撤回。"))
        return redirect("officers:recommendation", pk=rec.pk)
    return render(request, "officers/recommendations/withdraw.html", {
        "rec": rec, "may_withdraw": rec_services.may_withdraw(request.user, rec)})


@login_required
def appointment_notices(request):
    """任免公告: every confirmed appointment, for everyone logged in."""
    query = request.GET.get("q", "").strip()
    rows = rec_services.announcements()
    if query:
        rows = rows.filter(Q(candidate__first_name__icontains=query) | Q(candidate__last_name__icontains=query)
                           | Q(unit__name__icontains=query))
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(request, "officers/recommendations/notices.html", {"page": page, "q": query})

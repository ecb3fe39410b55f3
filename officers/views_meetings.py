"""Meeting, action item and training pages: thin views over
officers.meetings and officers.trainings. Detail pages fetch through the
visibility selectors, so a meeting one may not see is a 404; a service's
refusal becomes a message (MeetingNotAllowed: 403)."""
from contextlib import contextmanager

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoflow.visibility import items_visible_to
from liaison.errors import LiaisonError, MeetingNotAllowed

from . import meetings as svc
from . import trainings as tsvc
from .charts import attendance_chart
from .forms_meetings import ActionItemForm, DoneForm, MeetingForm, MinutesForm, ResponseForm, TrainingForm
from .meeting_models import ActionItem, Invitation, Meeting, Training
from .models import Officer

PER_PAGE = 20


class _Failed(Exception):
    pass


@contextmanager
def _service(request):
    try:
        yield
    except MeetingNotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except LiaisonError as exc:
        messages.error(request, exc.message)
        raise _Failed from exc


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


# --- meetings -----------------------------------------------------------------------


@login_required
def meeting_list(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(svc.meeting_list(request.user, query), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "officers/meetings/list.html",
                  {"page": page, "q": query, "manages": svc.can_manage(request.user)})


@login_required
def meeting_create(request):
    if not svc.can_manage(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = None
        if data["item_number"].strip():
            item = items_visible_to(request.user).filter(number=data["item_number"].strip()).first()
            if item is None:
                messages.error(request, _("找不到该信息，请检查信息编号。"))
                return render(request, "officers/meetings/form.html", {"form": form})
        try:
            with _service(request):
                created = svc.schedule_meetings(
                    actor=request.user, title=data["title"], kind=data["kind"], first_on=data["first_on"],
                    start_time=data["start_time"], duration_minutes=data["duration_minutes"],
                    recurrence=data["recurrence"], count=data["count"], mode=data["mode"], place=data["place"],
                    link=data["link"], agenda=data["agenda"], item=item, units=list(data["units"]),
                    roles=data["roles"], users=list(data["users"]))
        except _Failed:
            return render(request, "officers/meetings/form.html", {"form": form})
        messages.success(request, _("已安排 %(n)s 次会议，请核对后发送会议通知。") % {"n": len(created)})
        return redirect("officers:meeting-detail", created[0].pk)
    return render(request, "officers/meetings/form.html", {"form": form})


def _visible_meeting(request, pk) -> Meeting:
    return get_object_or_404(svc.meetings_visible_to(request.user).select_related("organiser", "series"), pk=pk)


@login_required
def meeting_detail(request, pk):
    meeting = _visible_meeting(request, pk)
    invitations = list(meeting.invitations.select_related("user", "unit", "delegate").order_by("unit__sort_order",
                                                                                                 "pk"))
    mine = next((i for i in invitations if i.user_id == request.user.pk), None)
    if mine is not None:
        mine.meeting = meeting
        svc.mark_minutes_read(invitation=mine, actor=request.user)
    item = None
    if meeting.item_id:
        item = items_visible_to(request.user).filter(pk=meeting.item_id).only("pk", "number").first()
    manages = svc.can_manage(request.user)
    actions = list(meeting.action_items.select_related("owner"))
    return render(request, "officers/meetings/detail.html", {
        "meeting": meeting, "invitations": invitations, "mine": mine, "item": item, "manages": manages,
        "actions": actions, "now": timezone.now(),
        "response_form": ResponseForm(initial={"response": "attend"}),
        "minutes_form": MinutesForm(), "action_form": ActionItemForm(), "done_form": DoneForm(),
        "attendance_choices": Invitation.Attendance.choices,
        "read_count": sum(1 for i in invitations if i.minutes_read_at),
    })


@login_required
@require_POST
def meeting_respond(request, pk):
    meeting = _visible_meeting(request, pk)
    invitation = Invitation.objects.filter(meeting=meeting, user=request.user).first()
    if invitation is None:
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择参加或请假。"))
        return redirect("officers:meeting-detail", meeting.pk)
    try:
        with _service(request):
            svc.respond(invitation=invitation, actor=request.user, response=form.cleaned_data["response"],
                        leave_reason=form.cleaned_data["leave_reason"], delegate=form.cleaned_data["delegate"])
        messages.success(request, _("答复已提交。"))
    except _Failed:
        pass
    return redirect("officers:meeting-detail", meeting.pk)


@login_required
@require_POST
def meeting_notify(request, pk):
    meeting = _visible_meeting(request, pk)
    try:
        with _service(request):
            svc.send_notice(meeting=meeting, actor=request.user)
        messages.success(request, _("会议通知已发送。"))
    except _Failed:
        pass
    return redirect("officers:meeting-detail", meeting.pk)


@login_required
@require_POST
def meeting_cancel(request, pk):
    meeting = _visible_meeting(request, pk)
    try:
        with _service(request):
            svc.cancel_meeting(meeting=meeting, actor=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("会议已取消。"))
    except _Failed:
        pass
    return redirect("officers:meeting-detail", meeting.pk)


@login_required
@require_POST
def meeting_attendance(request, pk):
    meeting = _visible_meeting(request, pk)
    values = {}
    for key, value in request.POST.items():
        if key.startswith("att-"):
            try:
                values[int(key[4:])] = value
            except ValueError:
                continue
    try:
        with _service(request):
            svc.record_attendance(meeting=meeting, actor=request.user, attendance=values)
        messages.success(request, _("出席情况已登记。"))
    except _Failed:
        pass
    return redirect("officers:meeting-detail", meeting.pk)


@login_required
@require_POST
def meeting_minutes(request, pk):
    meeting = _visible_meeting(request, pk)
    form = MinutesForm(request.POST, request.FILES)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        with _service(request):
            svc.distribute_minutes(meeting=meeting, actor=request.user, text=data.get("text") or "",
                                   upload=data.get("file"))
        messages.success(request, _("会议纪要已分发。"))
    except _Failed:
        pass
    return redirect("officers:meeting-detail", meeting.pk)


@login_required
def meeting_minutes_file(request, pk):
    meeting = _visible_meeting(request, pk)
    if meeting.state != Meeting.State.MINUTED or not meeting.minutes_file:
        raise Http404
    return FileResponse(meeting.minutes_file.open("rb"), as_attachment=True,
                        filename=meeting.minutes_file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def action_add(request, pk):
    meeting = _visible_meeting(request, pk)
    form = ActionItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写事项、责任人和完成期限。"))
        return redirect("officers:meeting-detail", meeting.pk)
    try:
        with _service(request):
            svc.add_action_item(meeting=meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, _("待办事项已登记，已通知责任人。"))
    except _Failed:
        pass
    return redirect("officers:meeting-detail", meeting.pk)


@login_required
@require_POST
def action_done(request, pk):
    action = get_object_or_404(svc.action_items_visible_to(request.user), pk=pk)
    form = DoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        with _service(request):
            svc.complete_action_item(action=action, actor=request.user, note=note)
        messages.success(request, _("待办事项已办结。"))
    except _Failed:
        pass
    return redirect("officers:action-list")


@login_required
def action_list(request):
    """Open action items: one's own, or all for those who see every meeting."""
    qs = ActionItem.objects.select_related("owner", "meeting").order_by("done_at", "due_at", "pk")
    if not svc.sees_all(request.user):
        qs = qs.filter(owner=request.user)
    if request.GET.get("done") != "1":
        qs = qs.filter(done_at__isnull=True)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(text__icontains=query)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "officers/meetings/actions.html",
                  {"page": page, "q": query, "now": timezone.now(), "done": request.GET.get("done") == "1"})


@login_required
def attendance(request):
    """The attendance chart of a year's liaison meetings, numbers beneath."""
    if not svc.sees_all(request.user):
        raise Http404
    year = _year(request)
    rows = svc.attendance_by_meeting(year)
    return render(request, "officers/meetings/attendance.html",
                  {"rows": rows, "year": year, "chart": attendance_chart(rows)})


# --- trainings ----------------------------------------------------------------------


@login_required
def training_list(request):
    query = request.GET.get("q", "").strip()
    page = Paginator(tsvc.training_list(request.user, query), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "officers/trainings/list.html",
                  {"page": page, "q": query, "manages": svc.can_manage(request.user)})


@login_required
def training_create(request):
    if not svc.can_manage(request.user):
        raise PermissionDenied
    form = TrainingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with _service(request):
                training = tsvc.create_training(actor=request.user, **form.cleaned_data)
        except _Failed:
            return render(request, "officers/trainings/form.html", {"form": form})
        messages.success(request, _("培训已登记。"))
        return redirect("officers:training-detail", training.pk)
    return render(request, "officers/trainings/form.html", {"form": form})


def _visible_training(request, pk) -> Training:
    return get_object_or_404(tsvc.trainings_visible_to(request.user), pk=pk)


@login_required
def training_detail(request, pk):
    training = _visible_training(request, pk)
    manages = svc.can_manage(request.user)
    attendance = list(training.attendance.select_related("user"))
    if not manages and not svc.sees_all(request.user):
        attendance = [a for a in attendance if a.user_id == request.user.pk]
    officers = []
    if manages:
        officers = list(Officer.objects.filter(status=Officer.Status.ACTIVE).select_related("user", "unit")
                        .order_by("unit__sort_order", "pk"))
    present = {a.user_id for a in attendance if a.present}
    return render(request, "officers/trainings/detail.html", {
        "training": training, "attendance": attendance, "manages": manages, "officers": officers,
        "present": present, "now": timezone.now()})


@login_required
@require_POST
def training_attendance(request, pk):
    training = _visible_training(request, pk)
    ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    try:
        with _service(request):
            tsvc.record_training_attendance(training=training, actor=request.user, present_users=users,
                                            hours=request.POST.get("hours") or None)
        messages.success(request, _("培训出勤已登记。"))
    except _Failed:
        pass
    return redirect("officers:training-detail", training.pk)


@login_required
def training_materials(request, pk):
    training = _visible_training(request, pk)
    if not training.materials:
        raise Http404
    return FileResponse(training.materials.open("rb"), as_attachment=True,
                        filename=training.materials.name.rsplit("/", 1)[-1])


@login_required
def training_hours(request):
    year = _year(request)
    rows = tsvc.hours_by_officer(year, request.user)
    if not rows and not tsvc.sees_hours_of_all(request.user):
        raise Http404
    return render(request, "officers/trainings/hours.html", {"rows": rows, "year": year})


@login_required
def induction_list(request):
    if not svc.sees_all(request.user):
        raise Http404
    rows = list(tsvc.open_inductions())
    return render(request, "officers/trainings/inductions.html",
                  {"rows": rows, "today": timezone.localdate()})

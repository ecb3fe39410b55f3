"""Pages of the surveys (issue 19 §2). Thin: fetch through a selector,
validate with a form, call one service, turn its error into a message.

The builder's pages are the secretariat's; the results those of the
secretariat and the people it names (selectors.surveys_visible_to, 404 for
anyone else); the questionnaire that of each recipient: a member of staff
logged in (``answer``), an external contact through their link
(``public``, no login; a wrong link is a 404 and counts towards the
client's limit, a closed or expired survey a clear page with the same
status).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from liaison import audit
from liaison.paging import count_then_page

from . import results as survey_results
from . import selectors, services, tokens
from .errors import AlreadyAnswered, SurveyError, SurveyInvalid, SurveyNotAccepting
from .forms import QuestionForm, RecipientsForm, SurveyForm, ViewersForm, answers_from_post
from .models import Question, Recipient, Survey

PAGE = 20


def _visible(request, pk) -> Survey:
    return get_object_or_404(selectors.surveys_visible_to(request.user), pk=pk)


def _managed(request, pk) -> Survey:
    """A survey the user may build: 404 for everyone but the secretariat (a result reader included)."""
    if not selectors.manages_surveys(request.user):
        raise Http404
    return _visible(request, pk)


@login_required
def survey_list(request):
    """The surveys the user may see (the secretariat: all), searchable, paginated."""
    q, state = request.GET.get("q", "").strip(), request.GET.get("state", "")
    page = count_then_page(request, selectors.surveys_found(request.user, q=q, state=state), PAGE,
                           selectors.with_counts)
    return render(request, "surveys/list.html", {
        "page": page, "q": q, "states": Survey.State.choices, "manager": selectors.manages_surveys(request.user),
        "to_answer": selectors.home_count(request.user)})


@login_required
def new(request):
    if not selectors.manages_surveys(request.user):
        raise Http404
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.create_survey(actor=request.user, title=data["title"], intro=data["intro"],
                                            anonymous=data["anonymous"], working_days=data["working_days"])
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("问卷已创建，请添加题目和填写对象。"))
            return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/new.html", {"form": form})


def _detail_context(request, survey, **forms):
    return {
        "survey": survey, "questions": selectors.questions_of(survey),
        "recipients": list(selectors.recipients_of(survey)) if survey.state == Survey.State.DRAFT else None,
        "recipient_counts": _recipient_counts(survey),
        "settings_form": forms.get("settings_form") or SurveyForm(instance=survey),
        "question_form": forms.get("question_form") or QuestionForm(),
        "recipients_form": forms.get("recipients_form") or RecipientsForm(),
        "viewers_form": ViewersForm(initial={"viewers": list(survey.viewers.all())}),
        "editable": survey.state != Survey.State.CLOSED and not survey.responses_count,
        "now": timezone.now(),
    }


def _recipient_counts(survey) -> dict:
    rows = survey.recipients.values_list("kind", flat=True)
    kinds = list(rows)
    return {"staff": kinds.count(Recipient.Kind.STAFF), "external": kinds.count(Recipient.Kind.EXTERNAL),
            "total": len(kinds)}


@login_required
def detail(request, pk):
    """The builder (secretariat); a result reader is taken to the results."""
    survey = _visible(request, pk)
    if not selectors.manages_surveys(request.user):
        return redirect("surveys:results", survey.pk)
    return render(request, "surveys/detail.html", _detail_context(request, survey))


@require_POST
@login_required
def edit_settings(request, pk):
    survey = _managed(request, pk)
    form = SurveyForm(request.POST, instance=Survey.objects.get(pk=survey.pk))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_survey(survey=survey, actor=request.user, title=data["title"], intro=data["intro"],
                                   anonymous=data["anonymous"], working_days=data["working_days"])
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/detail.html", _detail_context(request, survey, settings_form=form))


def _question_call(request, survey, form, question=None):
    data = form.cleaned_data
    kwargs = {"actor": request.user, "kind": data["kind"], "text": data["text"], "required": data["required"],
              "scale_max": data.get("scale_max") or 5, "options": form.option_lines()}
    if question is None:
        return services.add_question(survey=survey, **kwargs)
    return services.update_question(question=question, **kwargs)


@require_POST
@login_required
def question_add(request, pk):
    survey = _managed(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            _question_call(request, survey, form)
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("题目已添加。"))
            return redirect(reverse("surveys:detail", args=[survey.pk]) + "#questions")
    else:
        messages.error(request, _("请检查标出的内容。"))
    return render(request, "surveys/detail.html", _detail_context(request, survey, question_form=form))


def _question(survey, question_pk) -> Question:
    return get_object_or_404(Question.objects.prefetch_related("options"), pk=question_pk, survey=survey)


@login_required
def question_edit(request, pk, question_pk):
    survey = _managed(request, pk)
    question = _question(survey, question_pk)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_of(question))
    if request.method == "POST":
        if form.is_valid():
            try:
                _question_call(request, survey, form, question)
            except SurveyError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("题目已修改。"))
                return redirect(reverse("surveys:detail", args=[survey.pk]) + "#questions")
        else:
            messages.error(request, _("请检查标出的内容。"))
    return render(request, "surveys/question_edit.html", {"survey": survey, "question": question, "form": form})


@require_POST
@login_required
def question_delete(request, pk, question_pk):
    survey = _managed(request, pk)
    question = _question(survey, question_pk)
    try:
        services.delete_question(question=question, actor=request.user)
    except SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("题目已删除。"))
    return redirect(reverse("surveys:detail", args=[survey.pk]) + "#questions")


@require_POST
@login_required
def question_move(request, pk, question_pk):
    survey = _managed(request, pk)
    question = _question(survey, question_pk)
    try:
        services.move_question(question=question, actor=request.user, up=request.POST.get("up") == "1")
    except SurveyError as error:
        messages.error(request, error.message)
    return redirect(reverse("surveys:detail", args=[survey.pk]) + "#questions")


@require_POST
@login_required
def recipients_add(request, pk):
    survey = _managed(request, pk)
    form = RecipientsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            added = services.add_recipients(survey=survey, actor=request.user, users=data["users"],
                                            units=data["units"], contacts=form.chosen_contacts())
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已增加 %(n)s 个填写对象（已在名单中的不重复增加）。") % {"n": len(added)})
            return redirect(reverse("surveys:detail", args=[survey.pk]) + "#recipients")
    return render(request, "surveys/detail.html", _detail_context(request, survey, recipients_form=form))


@require_POST
@login_required
def recipient_remove(request, pk, recipient_pk):
    survey = _managed(request, pk)
    recipient = get_object_or_404(Recipient, pk=recipient_pk, survey=survey)
    try:
        services.remove_recipient(recipient=recipient, actor=request.user)
    except SurveyError as error:
        messages.error(request, error.message)
    return redirect(reverse("surveys:detail", args=[survey.pk]) + "#recipients")


@require_POST
@login_required
def viewers(request, pk):
    survey = _managed(request, pk)
    form = ViewersForm(request.POST)
    if form.is_valid():
        services.set_viewers(survey=survey, actor=request.user, users=form.cleaned_data["viewers"])
        messages.success(request, _("已保存可查看结果的人员。"))
    else:
        messages.error(request, _("请从列表中选择人员。"))
    return redirect("surveys:detail", survey.pk)


@require_POST
@login_required
def open_view(request, pk):
    survey = _managed(request, pk)
    try:
        survey = services.open_survey(survey=survey, actor=request.user)
    except SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("问卷已发出，截止时间 %(due)s。外部联系人的填写链接请在“填写链接”页复制发送。") % {
            "due": timezone.localtime(survey.due_at).strftime("%Y-%m-%d %H:%M")})
    return redirect("surveys:detail", survey.pk)


@require_POST
@login_required
def copy(request, pk):
    survey = _managed(request, pk)
    try:
        new = services.copy_survey(survey=survey, actor=request.user)
    except SurveyError as error:
        messages.error(request, error.message)
        return redirect("surveys:detail", survey.pk)
    messages.success(request, _("已复制为新问卷草稿，可以修改题目后发出。"))
    return redirect("surveys:detail", new.pk)


@login_required
def close(request, pk):
    """GET: the confirmation page; POST: close."""
    survey = _managed(request, pk)
    if request.method == "POST":
        try:
            services.close_survey(survey=survey, actor=request.user)
        except SurveyError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("问卷已结束，不再接受填写。"))
        return redirect("surveys:detail", survey.pk)
    return render(request, "surveys/close.html", {"survey": survey, "counts": _recipient_counts(survey)})


@never_cache
@login_required
def links(request, pk):
    """The external contacts' links, to copy into an e-mail or a message (secretariat only).
    For an anonymous survey, whether each has answered is not shown."""
    survey = _managed(request, pk)
    rows = survey.recipients.filter(kind=Recipient.Kind.EXTERNAL).select_related("contact__external_unit")
    links = [(r, request.build_absolute_uri(reverse("surveys:public", args=[r.token]))) for r in rows]
    response = render(request, "surveys/links.html", {"survey": survey, "links": links})
    # The token never leaves in a Referer ("no-referrer" would make the form's Origin null: CSRF refusal).
    response["Referrer-Policy"] = "same-origin"
    return response


@login_required
def results(request, pk):
    survey = _visible(request, pk)
    counts = _recipient_counts(survey)
    return render(request, "surveys/results.html", {
        "survey": survey, "results": survey_results.summarize(survey), "counts": counts,
        "manager": selectors.manages_surveys(request.user),
        "respondents": survey_results.respondents_named(survey) if not survey.anonymous else None})


@login_required
def export(request, pk):
    survey = _visible(request, pk)
    data = survey_results.workbook(survey, request.user)
    audit.record(audit.Action.EXPORT, user=request.user, request=request, obj=survey,
                 detail="问卷结果 %s 份答卷%s" % (survey.responses_count, "（匿名）" if survey.anonymous else "（实名）"))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="survey-%d.xlsx"' % survey.pk
    return response


@login_required
def mine(request):
    """The surveys the user is asked to answer (open ones first), and those whose results they were named to read."""
    page = count_then_page(request, selectors.invitations_of(request.user), PAGE)
    readable = [] if selectors.manages_surveys(request.user) else list(
        selectors.surveys_visible_to(request.user).exclude(state=Survey.State.DRAFT).order_by("-opened_at")
        .only("pk", "title", "state")[:PAGE])  # what the list shows
    return render(request, "surveys/mine.html", {"page": page, "readable": readable, "now": timezone.now()})


def _questionnaire(request, survey, recipient, *, template: str, context: dict, closed_status: int = 200):
    """Show and take the questionnaire of ``recipient`` (shared by the logged-in and the link pages);
    a closed or expired survey answers the closed page with ``closed_status``."""
    now = timezone.now()
    if recipient.answered:
        return render(request, "surveys/thanks.html", {**context, "survey": survey, "already": True})
    if not survey.is_accepting(now):
        return render(request, "surveys/closed.html", {**context, "survey": survey}, status=closed_status)
    questions = selectors.questions_of(survey)
    raw, errors = {}, {}
    if request.method == "POST":
        raw = answers_from_post(questions, request.POST)
        try:
            services.submit_response(recipient=recipient, answers=raw)
        except SurveyInvalid as error:
            messages.error(request, error.message)
            errors = error.errors
        except AlreadyAnswered:
            return render(request, "surveys/thanks.html", {**context, "survey": survey, "already": True})
        except SurveyNotAccepting:
            return render(request, "surveys/closed.html", {**context, "survey": survey}, status=closed_status)
        else:
            return render(request, "surveys/thanks.html", {**context, "survey": survey})
    rows = [(q, raw.get(q.pk), errors.get(q.pk)) for q in questions]
    return render(request, template, {**context, "survey": survey, "rows": rows})


@never_cache
@login_required
def answer(request, pk):
    """A member of staff answers (404 unless they were asked)."""
    survey = get_object_or_404(Survey.objects.exclude(state=Survey.State.DRAFT), pk=pk)
    recipient = selectors.recipient_of(request.user, survey)
    if recipient is None:
        raise Http404
    return _questionnaire(request, survey, recipient, template="surveys/answer.html", context={})


@never_cache
def public(request, token):
    """An external contact answers through their link, without logging in. A wrong link (or a
    draft's) is a 404 and counts towards the client's limit; a closed or expired survey is a clear
    page, also 404 (the link no longer leads to a questionnaire)."""
    if tokens.is_blocked(request):
        response = render(request, "surveys/blocked.html", status=429)
    else:
        recipient = selectors.recipient_by_token(token)
        if recipient is None or recipient.survey.state == Survey.State.DRAFT:
            tokens.count_failure(request)
            raise Http404
        response = _questionnaire(request, recipient.survey, recipient, template="surveys/public.html",
                                  context={"public": True}, closed_status=404)
    # The token never leaves in a Referer ("no-referrer" would make the form's Origin null: CSRF refusal).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response

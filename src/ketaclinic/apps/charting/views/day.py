"""Check-in, pre-dose checks and the prescriber's decision on a hold."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from ketaclinic.apps.charting.choices import QuestionnaireEvidence
from ketaclinic.apps.charting.day import check_in, decide_hold, record_pre_check
from ketaclinic.apps.charting.forms import HoldDecisionForm, PreCheckForm
from ketaclinic.apps.charting.models import PreCheck
from ketaclinic.apps.charting.questionnaires import questionnaires_done_today
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.views.base import (
    back_to_chart,
    chart_action,
    chart_with_errors,
    refused,
    submit,
)
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.monitoring import PreDoseInput


@chart_action("charting.check_in_session")
def check_in_view(request: HttpRequest, session) -> HttpResponse:
    try:
        check_in(session, user=request.user, request=request)
    except ChartRefused as error:
        messages.error(request, error.message)
        return redirect("charting:list")
    except InputError as error:
        messages.error(request, f"Cannot check in ({error.field}): {error.message}.")
        return redirect("charting:list")
    messages.success(request, f"{session.patient.full_name} is checked in.")
    if request.user.has_perm("charting.view_session_chart"):
        return back_to_chart(session, "pre-checks")
    return redirect("charting:list")


@chart_action("charting.chart_session")
def pre_check_view(request: HttpRequest, session) -> HttpResponse:
    def write(data: dict) -> PreCheck:
        evidence = QuestionnaireEvidence.NURSE_CONFIRMED if data["questionnaires_done"] else ""
        if questionnaires_done_today(session):
            data["questionnaires_done"] = True
            evidence = QuestionnaireEvidence.ASSESSMENTS
        return record_pre_check(
            session,
            PreDoseInput.from_dict(data),
            questionnaire_evidence=evidence,
            user=request.user,
            request=request,
        )

    def done(pre_check) -> HttpResponse:
        if pre_check.is_hold:
            messages.error(request, "Held: the prescriber has been alerted and must decide.")
        else:
            messages.success(request, f"Pre-dose check: {pre_check.get_decision_display()}.")
        return back_to_chart(session, "pre-checks")

    return submit(
        request,
        session,
        PreCheckForm(request.POST),
        write,
        form_name="pre_check_form",
        anchor="pre-checks",
        done=done,
    )


@chart_action("charting.decide_hold")
def hold_decision_view(request: HttpRequest, session, pre_check_id: int) -> HttpResponse:
    try:
        pre_check = PreCheck.objects.get(pk=pre_check_id, session=session)
    except PreCheck.DoesNotExist:
        raise Http404("No such pre-check") from None
    form = HoldDecisionForm(request.POST)
    if form.is_valid() and form.cleaned_data["reason"].strip():
        try:
            decision = decide_hold(
                pre_check,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except ChartRefused as error:
            return refused(request, session, error)
        messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
        return back_to_chart(session, "pre-checks")
    if form.is_valid():
        form.add_error("reason", "Give the reason for your decision.")
    return chart_with_errors(request, session, hold_form=form)

"""The Engagement Log: captured activities, how each was matched, Edit Match and remove-from-sync."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account

from .forms import EditMatchForm, LogFilterForm
from .selectors import (
    activity_decisions,
    activity_get_for_user,
    activity_participants,
    engagement_log_activities,
    match_alternatives,
)
from .services import activity_match_automatically, activity_match_manually, activity_remove_from_sync

PAGE_SIZE = 25
LOG_TEMPLATE = "activities/engagement_log.html"
DETAIL_TEMPLATE = "activities/activity_detail.html"


@require_GET
@login_required
def engagement_log(request):
    """Captured activities with their matching outcome; htmx gets the results partial."""
    form = LogFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page = Paginator(engagement_log_activities(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("activity", None)
    context = {"form": form, "page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx:
        return render(request, f"{LOG_TEMPLATE}#results", context)
    selected = request.GET.get("activity", "")
    if selected.isdigit():
        # ?activity=<id> (an assistant citation, a shared link): the log with that activity's pane open.
        try:
            activity = activity_get_for_user(user=request.user, pk=int(selected))
        except Http404:
            context["pane_message"] = (
                f"Activity {selected} is not one you can see: it may be a colleague's private activity, "
                "or it was removed from sync."
            )
        else:
            context.update(_drawer_context(request, activity), selected_id=activity.pk)
    return render(request, LOG_TEMPLATE, context)


def _chosen_account(request, activity):
    """The account Edit Match is showing opportunities for: ?account=ID, else the activity's own."""
    raw = request.GET.get("account")
    if raw is None or (raw and not raw.isdigit()):
        return activity.account, False
    if raw == "":
        return None, True
    return Account.objects.filter(pk=int(raw)).first(), True


def _drawer_context(request, activity, *, form=None, chosen=None, chosen_given=False):
    if not chosen_given:
        chosen = activity.account
    alternatives = match_alternatives(activity=activity, account=chosen)
    linked = list(activity.opportunity_links.select_related("opportunity").order_by("opportunity__name"))
    if form is None:
        form = EditMatchForm(
            initial={
                "account": chosen.pk if chosen else None,
                "opportunities": [link.opportunity_id for link in linked]
                if chosen == activity.account
                else [],
            }
        )
    selected = {
        str(v)
        for v in (
            form.data.getlist("opportunities") if form.is_bound else form.initial.get("opportunities", [])
        )
    }
    decisions = list(activity_decisions(activity=activity))
    activity.decision_count = len(decisions)  # the Engagement Log row shows it
    return {
        "activity": activity,
        "participants": activity_participants(activity=activity),
        "decisions": decisions,
        "links": linked,
        "alternatives": alternatives,
        "chosen_account": chosen,
        "selected_opportunities": selected,
        "match_form": form,
        "can_remove": request.user.is_admin,
    }


@require_GET
@login_required
def activity_detail(request, pk: int):
    """One activity: its people, how it matched, the contact engine's decisions, Edit Match.

    htmx gets the drawer partial, or only the opportunity choices when Edit Match changes account."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    chosen, given = _chosen_account(request, activity)
    context = _drawer_context(request, activity, chosen=chosen, chosen_given=given)
    if request.htmx and request.htmx.target == "match-opportunities":
        return render(request, f"{DETAIL_TEMPLATE}#opportunity-choices", context)
    if request.htmx:
        return render(request, f"{DETAIL_TEMPLATE}#pane", context)
    return render(request, DETAIL_TEMPLATE, context)


@require_POST
@login_required
def activity_edit_match(request, pk: int):
    """Edit Match: re-match by hand to another account or opportunities; the manual match sticks."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    form = EditMatchForm(request.POST)
    if form.is_valid():
        try:
            activity = activity_match_manually(
                activity=activity,
                user=request.user,
                account=form.cleaned_data["account"],
                opportunities=list(form.cleaned_data["opportunities"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        chosen = form.cleaned_data.get("account")
        context = _drawer_context(request, activity, form=form, chosen=chosen, chosen_given=True)
        if request.htmx:
            # 200 so htmx swaps the form in with its errors.
            return render(request, f"{DETAIL_TEMPLATE}#pane", context)
        return render(request, DETAIL_TEMPLATE, context, status=400)
    messages.success(request, "Match saved. It stays as you set it when activities are matched again.")
    if request.htmx:
        return render(request, f"{DETAIL_TEMPLATE}#pane-with-row", _drawer_context(request, activity))
    return redirect("activities:detail", pk=activity.pk)


@require_POST
@login_required
def activity_match_again(request, pk: int):
    """Undo a manual match: the rules match the activity again."""
    activity = activity_get_for_user(user=request.user, pk=pk)
    activity = activity_match_automatically(activity=activity, user=request.user)
    messages.success(request, "Matched automatically again.")
    if request.htmx:
        return render(request, f"{DETAIL_TEMPLATE}#pane-with-row", _drawer_context(request, activity))
    return redirect("activities:detail", pk=activity.pk)


@require_POST
@login_required
def activity_remove(request, pk: int):
    """An admin removes an activity from sync, with the contacts and contact roles created from it."""
    if not request.user.is_admin:
        raise PermissionDenied("Only an admin can remove an activity from sync.")
    activity = activity_get_for_user(user=request.user, pk=pk)
    removal = activity_remove_from_sync(activity=activity, user=request.user)
    removed = removal.contacts_removed + removal.contact_roles_removed
    messages.success(
        request,
        "Removed from sync."
        + (
            f" Also deleted, here and in the CRM: {'; '.join(removed)}."
            if removed
            else " Nothing was created from it."
        ),
    )
    if request.htmx:
        context = _drawer_context(request, removal.activity)
        context["removed_row"] = True
        return render(request, f"{DETAIL_TEMPLATE}#pane-with-row", context)
    return redirect(reverse("activities:log"))

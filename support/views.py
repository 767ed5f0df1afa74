"""The help center (browse, read, search) and the support request form."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .forms import SupportRequestForm
from .markup import render_help_markup
from .models import SupportRequest
from .search import help_articles_search
from .selectors import help_article_get, help_topics
from .services import support_hours_status, support_request_create


@require_GET
@login_required
def help_center(request):
    """Articles by topic, with the search box and the support hours."""
    return render(
        request, "support/help_center.html", {"topics": help_topics(), "hours": support_hours_status()}
    )


@require_GET
@login_required
def article_detail(request, slug: str):
    article = help_article_get(slug=slug)
    related = [a for a in help_topics() if a["slug"] == article.topic]
    return render(
        request,
        "support/article_detail.html",
        {
            "article": article,
            "body": render_help_markup(article.body),
            "related": related[0]["articles"] if related else [],
        },
    )


@require_GET
@login_required
def search(request):
    """Results as you type (htmx gets the partial); the full page without JavaScript."""
    query = request.GET.get("q", "").strip()
    hits = help_articles_search(query=query) if query else []
    context = {"query": query, "hits": hits}
    if request.htmx:
        return render(request, "support/partials/search_results.html", context)
    return render(request, "support/search.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def support_request_new(request):
    """The support request form; a sent request redirects to its confirmation with the reference."""
    if request.method == "POST":
        form = SupportRequestForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                sent = support_request_create(
                    user=request.user,
                    description=form.cleaned_data["description"],
                    steps_to_reproduce=form.cleaned_data["steps_to_reproduce"],
                    workspace=form.cleaned_data["workspace"],
                    activity=form.activity,
                    screenshots=form.cleaned_data["screenshots"],
                    page_url=request.POST.get("page_url", ""),
                )
            except ValidationError as error:
                form.add_error("screenshots", error)
            else:
                return redirect("support:request_sent", reference=sent.reference)
        status = 400
    else:
        form = SupportRequestForm(
            user=request.user,
            initial={
                "workspace": request.GET.get("workspace", ""),
                "activity_id": request.GET.get("activity", ""),
            },
        )
        status = 200
    return render(
        request,
        "support/support_form.html",
        {
            "form": form,
            "hours": support_hours_status(),
            "page_url": request.GET.get("from", request.POST.get("page_url", "")),
        },
        status=status,
    )


@require_GET
@login_required
def support_request_sent(request, reference: str):
    sent = get_object_or_404(SupportRequest, reference=reference, user=request.user)
    return render(
        request,
        "support/support_sent.html",
        {"sent": sent, "hours": support_hours_status(), "help_url": reverse("support:index")},
    )

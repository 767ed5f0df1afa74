"""Search, and the account Backstory page with its partials (htmx gets the partial; a plain
request gets the whole page in that state)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .embed import backstory_page_view
from .page_selectors import record_for_account
from .pages import record_or_404, render_record_page
from .selectors import account_version_get_for_user, search_records


@require_GET
@login_required
def search(request):
    """Results as you type (htmx gets the listbox partial); the full page without JavaScript."""
    results = search_records(query=request.GET.get("q", ""))
    if request.htmx:
        return render(request, "accounts/partials/search_results.html", results)
    return render(request, "accounts/search.html", {**results, "search_query": results["query"]})


def _account_record(request, pk: int):
    return record_for_account(record_or_404(account_version_get_for_user(user=request.user, pk=pk)))


@require_GET
@backstory_page_view
def account_detail(request, pk: int):
    """The account's Backstory page: engagement, summary, metrics and people."""
    return render_record_page(request, _account_record(request, pk))


@require_GET
@backstory_page_view
def account_metrics(request, pk: int):
    """Engagement metrics of the chosen period (``?period=``)."""
    return render_record_page(request, _account_record(request, pk), part="metrics")


@require_GET
@backstory_page_view
def account_people(request, pk: int):
    """People: external or internal, sorted and filtered by GET parameters."""
    return render_record_page(request, _account_record(request, pk), part="people")


@require_GET
@backstory_page_view
def account_person(request, pk: int, person_pk: int):
    """One person's sidebar: contact information, score, last activity, next meeting, benchmarks."""
    return render_record_page(request, _account_record(request, pk), part="person", person_pk=person_pk)


@require_GET
@backstory_page_view
def account_bullet(request, pk: int, section: str, index: int):
    """A summary bullet's sidebar: the activities behind it that the reader may see."""
    return render_record_page(
        request, _account_record(request, pk), part="bullet", section=section, index=index
    )

"""The home page, search, and the Backstory page of an account or an opportunity with its partials
(htmx gets the partial; a plain request gets the whole page in that state). One set of views serves
both kinds of record: the URL says which (``kind``, see ``pages.urls``)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .embed import backstory_page_view
from .record import KINDS, Record, record_for
from .rendering import record_or_404, render_record_page
from .selectors import accounts_for_home, search_records


@require_GET
@login_required
def home(request):
    """Where a rep lands: their accounts and open opportunities, and the search box."""
    return render(request, "pages/home.html", accounts_for_home(user=request.user))


@require_GET
@login_required
def search(request):
    """Results as you type (htmx gets the listbox partial, the best few and "See all N results");
    the full page lists them all, and works without JavaScript."""
    query = request.GET.get("q", "")
    if request.htmx:
        results = search_records(query=query, user=request.user)
        return render(request, "pages/partials/search_results.html", results)
    results = search_records(query=query, user=request.user, limit=None)
    return render(request, "pages/search.html", {**results, "search_query": results["query"]})


def _record(request, kind: str, pk: int) -> Record:
    return record_for(record_or_404(KINDS[kind].version_get_for_user(user=request.user, pk=pk)))


@require_GET
@backstory_page_view
def record_page(request, kind: str, pk: int):
    """The record's Backstory page: engagement, summary, metrics and people; a deal's stage, amount,
    close date, owner, contact roles and warnings; an account's open deals and team."""
    return render_record_page(request, _record(request, kind, pk))


@require_GET
@backstory_page_view
def record_metrics(request, kind: str, pk: int):
    """Engagement metrics of the chosen period (``?period=``)."""
    return render_record_page(request, _record(request, kind, pk), part="metrics")


@require_GET
@backstory_page_view
def record_people(request, kind: str, pk: int):
    """People: external or internal, sorted and filtered by GET parameters."""
    return render_record_page(request, _record(request, kind, pk), part="people")


@require_GET
@backstory_page_view
def record_person(request, kind: str, pk: int, person_pk: int):
    """One person's sidebar: contact information, score, last activity, next meeting, benchmarks."""
    return render_record_page(request, _record(request, kind, pk), part="person", person_pk=person_pk)


@require_GET
@backstory_page_view
def record_bullet(request, kind: str, pk: int, section: str, index: int):
    """A summary bullet's (or a deal warning's) sidebar: the activities behind it that the reader may see."""
    return render_record_page(
        request, _record(request, kind, pk), part="bullet", section=section, index=index
    )

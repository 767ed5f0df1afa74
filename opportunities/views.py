"""The opportunity Backstory page with its partials (htmx gets the partial; a plain request gets
the whole page in that state)."""

from django.views.decorators.http import require_GET

from accounts.embed import backstory_page_view
from accounts.page_selectors import record_for_opportunity
from accounts.pages import record_or_404, render_record_page

from .selectors import opportunity_version_get_for_user


def _opportunity_record(request, pk: int):
    return record_for_opportunity(record_or_404(opportunity_version_get_for_user(user=request.user, pk=pk)))


@require_GET
@backstory_page_view
def opportunity_detail(request, pk: int):
    """The deal's Backstory page: stage, amount, close date, owner, contact roles, warnings,
    engagement, summary, metrics and people."""
    return render_record_page(request, _opportunity_record(request, pk))


@require_GET
@backstory_page_view
def opportunity_metrics(request, pk: int):
    """Engagement metrics of the chosen period (``?period=``)."""
    return render_record_page(request, _opportunity_record(request, pk), part="metrics")


@require_GET
@backstory_page_view
def opportunity_people(request, pk: int):
    """People on the deal: external or internal, sorted and filtered by GET parameters."""
    return render_record_page(request, _opportunity_record(request, pk), part="people")


@require_GET
@backstory_page_view
def opportunity_person(request, pk: int, person_pk: int):
    """One person's sidebar on the deal."""
    return render_record_page(request, _opportunity_record(request, pk), part="person", person_pk=person_pk)


@require_GET
@backstory_page_view
def opportunity_bullet(request, pk: int, section: str, index: int):
    """A summary bullet's or a warning's sidebar: the activities behind it that the reader may see."""
    return render_record_page(
        request, _opportunity_record(request, pk), part="bullet", section=section, index=index
    )

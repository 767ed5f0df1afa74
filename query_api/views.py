"""The Metrics Library page (Reports → Metrics Library): browse and search every metric, and try a query."""

import json

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from .query import QueryInvalid, QueryTimeout, read_json_body
from .registry import QueryObject, load_catalog
from .selectors import metrics_library
from .services import query_run


@require_GET
@login_required
def metrics_library_page(request):
    """Grouped by object and family; htmx search-as-you-type swaps in the results partial."""
    search = request.GET.get("q", "").strip()[:200]
    query_object = request.GET.get("object", "")
    if query_object not in [obj.value for obj in QueryObject]:
        query_object = ""
    groups = metrics_library(search=search, query_object=query_object)
    context = {
        "groups": groups,
        "search": search,
        "query_object": query_object,
        "objects": [obj.value for obj in QueryObject],
        "count": sum(len(family["metrics"]) for group in groups for family in group["families"]),
    }
    template = "query_api/metrics_library.html#results" if request.htmx else "query_api/metrics_library.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def try_query(request):
    """Run a query body with the signed-in session and show the rows (or every problem) as a table."""
    body_text = (
        request.POST.get("body")
        if request.method == "POST"
        else _example(request.GET.get("slug", ""), request.GET.get("object", ""))
    )
    context = {"body": body_text, "result": None, "problems": []}
    if request.method == "POST":
        try:
            result = query_run(body=read_json_body(body_text or ""))
            context["result"] = result
            context["columns"] = [column.id for column in result.columns]
            context["table"] = [[row[column.id] for column in result.columns] for row in result.rows]
        except (QueryInvalid, QueryTimeout) as error:
            context["problems"] = [problem.as_dict() for problem in error.problems]
    template = (
        "query_api/try_query.html#outcome"
        if request.htmx and request.method == "POST"
        else "query_api/try_query.html"
    )
    return render(request, template, context)


def _example(slug: str, query_object: str) -> str:
    """A body to start from: the reference's variations example, or one column of the chosen metric."""
    catalog = load_catalog()
    names = [obj.value for obj in QueryObject]
    metric = catalog.metric(QueryObject(query_object), slug) if query_object in names else None
    if metric is None:
        body = {
            "columns": [
                {"slug": "ootb_emails_sent", "variation_id": "ootb_emails_sent_current_quarter"},
                {"slug": "ootb_meetings_booked", "variation_id": "ootb_meetings_booked_last_30_days"},
            ]
        }
    else:
        name_slug = {
            "account": "ootb_account_name",
            "opportunity": "crm_opportunity_name",
            "user": "user_name",
        }[metric.object.value]
        column = {"slug": metric.slug}
        if metric.has_variations:
            column["variation_id"] = metric.variation_id(metric.default_period)
        columns = [{"slug": name_slug}] + ([column] if metric.slug != name_slug else [])
        body = {
            "object": metric.object.value,
            "columns": columns,
            "sort": [{"attribute": column, "direction": "desc"}],
            "limit": 20,
        }
    return json.dumps(body, indent=2)

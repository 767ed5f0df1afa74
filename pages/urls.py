"""The Backstory page's routes. The paths are those Salesforce tabs and bookmarks already use:
``/accounts/<pk>/…`` and ``/opportunities/<pk>/…``, each under its own namespace (``accounts:detail``,
``opportunities:detail``); one set of views serves both, told the record kind by the route."""

from django.urls import path

from . import embed, views
from .record import ACCOUNT, OPPORTUNITY, RecordKind


def _record_patterns(kind: RecordKind) -> list:
    given = {"kind": kind.key}
    return [
        path("<int:pk>/", views.record_page, given, name="detail"),
        path("<int:pk>/metrics/", views.record_metrics, given, name="metrics"),
        path("<int:pk>/people/", views.record_people, given, name="people"),
        path("<int:pk>/people/<int:person_pk>/", views.record_person, given, name="person"),
        path("<int:pk>/bullet/<slug:section>/<int:index>/", views.record_bullet, given, name="bullet"),
    ]


account_patterns = (
    [
        path("search/", views.search, name="search"),
        *_record_patterns(ACCOUNT),
        # Inside Salesforce: a tab framing Backstory by record id, and the Canvas app's signed-request URL.
        path("embed/sf/<str:crm_id>/", embed.salesforce_record, name="embed_salesforce"),
        path("canvas/", embed.canvas, name="canvas"),
    ],
    ACCOUNT.namespace,
)
opportunity_patterns = (_record_patterns(OPPORTUNITY), OPPORTUNITY.namespace)

from django.urls import path

from . import apis, views

app_name = "query_api"

urlpatterns = [
    path("api/v3/query", apis.QueryApi.as_view(), name="query"),
    path("api/v3/query/export", apis.QueryExportApi.as_view(), name="query_export"),
    path("api/v3/metrics", apis.MetricListApi.as_view(), name="metrics"),
    path("api/v3/auth/tokens", apis.TokenApi.as_view(), name="tokens"),
    path("reports/metrics-library/", views.metrics_library_page, name="metrics_library"),
    path("reports/metrics-library/try/", views.try_query, name="try_query"),
]

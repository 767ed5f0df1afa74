from django.urls import path

from . import views

app_name = "crm"

urlpatterns = [
    path("sync-problems/", views.sync_problems, name="sync_problems"),
    path("sync-problems/retry/", views.sync_problems_retry, name="sync_problems_retry"),
    path("sync-problems/api-share/", views.api_share_update, name="api_share_update"),
]

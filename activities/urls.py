from django.urls import path

from . import views
from .apis import ActivityCaptureInAppApi

app_name = "activities"

urlpatterns = [
    path("log/", views.engagement_log, name="log"),
    path("log/<int:pk>/", views.activity_detail, name="detail"),
    path("log/<int:pk>/match/", views.activity_edit_match, name="edit-match"),
    path("log/<int:pk>/match/automatic/", views.activity_match_again, name="match-again"),
    path("log/<int:pk>/remove/", views.activity_remove, name="remove"),
    # The capture API; /api/v1/activities is the same view (activities.api_urls).
    path("api/", ActivityCaptureInAppApi.as_view(), name="api-capture"),
]

"""The capture API under the project's /api/v1/ prefix: include("activities.api_urls") there."""

from django.urls import path

from .apis import ActivityCaptureApi

urlpatterns = [
    path("activities", ActivityCaptureApi.as_view(), name="api-v1-activities"),
]

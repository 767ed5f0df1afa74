from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.panel, name="help_panel"),
    path("ask/", views.ask, name="help_ask"),
    path("<str:record_type>/<int:record_id>/", views.panel, name="panel"),
    path("<str:record_type>/<int:record_id>/ask/", views.ask, name="ask"),
]

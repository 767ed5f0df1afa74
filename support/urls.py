from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.help_center, name="index"),
    path("search/", views.search, name="search"),
    path("support/", views.support_request_new, name="request_new"),
    path("support/sent/<str:reference>/", views.support_request_sent, name="request_sent"),
    path("<slug:slug>/", views.article_detail, name="article"),
]

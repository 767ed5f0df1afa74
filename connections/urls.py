from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/new/", views.edit, name="new"),
    path("<str:kind>/<int:pk>/", views.card, name="card"),
    path("<str:kind>/<int:pk>/edit/", views.edit, name="edit"),
    path("<str:kind>/<int:pk>/test/", views.test, name="test"),
    path("<str:kind>/<int:pk>/sync/", views.sync_now, name="sync"),
    path("<str:kind>/<int:pk>/pause/", views.pause, name="pause"),
    path("<str:kind>/<int:pk>/remove/", views.remove, name="remove"),
]

from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("why/", views.why, name="why"),
    path("created-by-backstory.csv", views.created_by_backstory_csv, name="created_by_backstory_csv"),
]

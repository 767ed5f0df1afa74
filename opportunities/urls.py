from django.urls import path

from . import views

app_name = "opportunities"

urlpatterns = [
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/metrics/", views.opportunity_metrics, name="metrics"),
    path("<int:pk>/people/", views.opportunity_people, name="people"),
    path("<int:pk>/people/<int:person_pk>/", views.opportunity_person, name="person"),
    path("<int:pk>/bullet/<slug:section>/<int:index>/", views.opportunity_bullet, name="bullet"),
]

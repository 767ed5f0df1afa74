from django.urls import path

from . import embed, views

app_name = "accounts"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/metrics/", views.account_metrics, name="metrics"),
    path("<int:pk>/people/", views.account_people, name="people"),
    path("<int:pk>/people/<int:person_pk>/", views.account_person, name="person"),
    path("<int:pk>/bullet/<slug:section>/<int:index>/", views.account_bullet, name="bullet"),
    # Inside Salesforce: a tab framing Backstory by record id, and the Canvas app's signed-request URL.
    path("embed/sf/<str:crm_id>/", embed.salesforce_record, name="embed_salesforce"),
    path("canvas/", embed.canvas, name="canvas"),
]

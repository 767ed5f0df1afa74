from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pages import urls as page_urls
from pages import views as page_views
from users.forms import AdminSignInForm, SignInForm

from . import views

admin.site.site_header = "Backstory administration"
admin.site.site_title = "Backstory admin"
admin.site.index_title = "Org data, configuration profiles and sync"
admin.site.login_form = AdminSignInForm

handler500 = "backstory.views.server_error"  # a database outage is a 503 to retry, not a 500

urlpatterns = [
    path("", page_views.home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's JSON).
    path("favicon.ico", views.favicon),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/backlog", views.backlog, name="backlog"),
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("activities.api_urls")),
    path("accounts/", include(page_urls.account_patterns)),
    path("opportunities/", include(page_urls.opportunity_patterns)),
    path("contacts/", include("contacts.urls")),
    path("activities/", include("activities.urls")),
    path("insights/", include("insights.urls")),
    path("crm/", include("crm.urls")),
    path("assistant/", include("assistant.urls")),
    path("help/", include("support.urls")),
    path("connections/", include("connections.urls")),
    path("", include("query_api.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

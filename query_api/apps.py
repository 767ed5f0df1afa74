from django.apps import AppConfig


class QueryApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "query_api"
    verbose_name = "Query API"

    def ready(self):
        from . import schema  # noqa: F401 - registers the OpenAPI authentication scheme

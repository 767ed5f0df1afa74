from django.apps import AppConfig


class QueryApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "query_api"
    verbose_name = "Query API"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import schema  # noqa: F401 - registers the OpenAPI authentication scheme
        from .query.limits import install_bounded_regexp

        connection_created.connect(install_bounded_regexp, dispatch_uid="query_api_bounded_regexp")

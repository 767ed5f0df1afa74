from django.apps import AppConfig


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"

    def ready(self):
        from . import login_throttle, schema  # noqa: F401  (sign-in signals; the API key's OpenAPI scheme)

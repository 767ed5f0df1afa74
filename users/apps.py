from django.apps import AppConfig


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"

    def ready(self):
        # Sign-in signals; the API key's OpenAPI scheme; the tasks and their beat schedule in every process.
        from . import login_throttle, schema, tasks  # noqa: F401

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"

    def ready(self) -> None:
        # Registers the tasks in every process: capture hands off to them by name (activities/handoff.py).
        from . import tasks  # noqa: F401

from django.apps import AppConfig


class CrmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"

    def ready(self) -> None:
        # Registers the tasks and their beat schedules in every process, worker and beat alike.
        from . import tasks  # noqa: F401

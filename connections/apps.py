from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connections"
    verbose_name = "Mailbox and calendar connections"

    def ready(self) -> None:
        # Registers the tasks, the beat schedule and the deploy check in every process.
        from . import checks, tasks  # noqa: F401

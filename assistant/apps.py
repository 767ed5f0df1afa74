from django.apps import AppConfig


class AssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistant"
    verbose_name = "Backstory Assistant"

    def ready(self) -> None:
        # Register the assistant's tasks in every process, so one sent by name from support runs
        # eagerly here when there is no broker.
        from . import tasks  # noqa: F401

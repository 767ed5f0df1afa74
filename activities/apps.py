from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "activities"

    def ready(self) -> None:
        # Registers the tasks in every process: the hand-off chain ends with one of them
        # (activities.engine_work_done), sent by name, which must run eagerly when there is no broker.
        from . import tasks  # noqa: F401

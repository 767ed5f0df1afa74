from django.apps import AppConfig


class RollupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rollups"
    verbose_name = "Daily rollups"

    def ready(self):
        # The task and its beat schedule, in every process.
        from . import tasks  # noqa: F401

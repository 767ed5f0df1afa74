from django.apps import AppConfig


class BackstoryConfig(AppConfig):
    """The project package as an app, for project-wide commands such as seed_demo. It owns no models."""

    name = "backstory"
    verbose_name = "Backstory"

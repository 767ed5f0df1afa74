from django.apps import AppConfig


class BackstoryConfig(AppConfig):
    """The project package as an app, for project-wide tasks (backstory/tasks.py) and the site's views. It owns no models."""

    name = "backstory"
    verbose_name = "Backstory"

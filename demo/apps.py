from django.apps import AppConfig


class DemoConfig(AppConfig):
    """A tool, not product code: the demo org in the database (`seed_demo`) and in the Salesforce stand-in (`salesforce_load_demo_org`). Product code never imports it."""

    name = "demo"
    verbose_name = "Demo org"

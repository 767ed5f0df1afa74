from django.apps import AppConfig


class SalesforceStandinConfig(AppConfig):
    """A tool, not product code: the local Salesforce REST server for tests and the demo. Installed for its `run_salesforce_standin` command; product code never imports it."""

    name = "salesforce_standin"
    verbose_name = "Salesforce stand-in"

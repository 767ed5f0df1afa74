"""Fixtures for the crm tests: an org in the Salesforce stand-in (whose own fixtures the root
conftest.py registers for every app)."""

from crm.tests.sync_fixtures import org, org_factory  # noqa: F401

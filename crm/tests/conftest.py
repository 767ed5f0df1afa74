"""Fixtures for the crm tests: the Salesforce stand-in (see crm.standin.testing)."""

from crm.standin.testing import salesforce_standin, salesforce_standin_factory  # noqa: F401
from crm.tests.sync_fixtures import org, org_factory  # noqa: F401

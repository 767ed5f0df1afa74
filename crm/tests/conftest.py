"""Fixtures for the crm tests: an org in the Salesforce stand-in (whose own fixtures the root
conftest.py registers for every app), and Backstory's own setup."""

import pytest

from contacts.models import ConfigurationProfile
from crm.tests.sync_fixtures import org, org_factory  # noqa: F401
from users.models import User


@pytest.fixture
def backstory(db):
    """Backstory's own setup: the integration user and a profile that creates contacts and roles."""
    User.objects.create(
        username="integration", email="integration@lumen-analytics.com", is_integration_user=True
    )
    ConfigurationProfile.objects.create(
        name="Sales", is_default=True, contact_creation_enabled=True, ocr_enabled=True
    )

"""Fixtures for the crm tests: the Salesforce stand-in (see crm.standin.testing), the org on a
hand-moved clock with Backstory pointing at it (crm.tests.sync_fixtures), and Backstory's own setup."""

import pytest

from contacts.models import ConfigurationProfile
from crm.standin.testing import salesforce_standin, salesforce_standin_factory  # noqa: F401
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

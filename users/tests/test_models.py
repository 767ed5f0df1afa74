"""Who counts as a Backstory admin: staff or superuser, either is enough (no database)."""

import pytest

from users.tests.factories import UserFactory


@pytest.mark.parametrize(
    "is_staff, is_superuser, is_admin",
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_is_admin(is_staff, is_superuser, is_admin):
    assert UserFactory.build(is_staff=is_staff, is_superuser=is_superuser).is_admin is is_admin

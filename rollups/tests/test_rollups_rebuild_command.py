"""manage.py rollups_rebuild: the rollups from the raw rows, including what capture still owed."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.tests.factories import AccountFactory
from activities.parsing import parse_api_item
from activities.services import activities_ingest
from activities.tests.factories import api_item
from rollups.models import AccountDay
from rollups.services import rollups_pending_count
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_rebuild_counts_every_call_once_including_those_capture_still_owed(frozen_now):
    UserFactory(username="dana", email="dana.rivera@lumen-analytics.com")
    acme = AccountFactory(name="Acme", domain="acme.com")
    items = [parse_api_item(api_item(source_id=f"call-{n}"), n) for n in range(3)]
    # Captured in this (test) transaction: the task sent after commit never runs, they stay owed.
    activities_ingest(items=items, source="api", hand_off=False)
    assert rollups_pending_count() == 3
    out = io.StringIO()
    call_command("rollups_rebuild", stdout=out)
    assert "Added 3 captured activities that were still owed to the rollups." in out.getvalue()
    assert rollups_pending_count() == 0
    days = AccountDay.objects.filter(account=acme, is_month=False)
    assert days.aggregate(calls=Sum("calls"))["calls"] == 3
    # Run again: nothing owed, nothing counted twice.
    call_command("rollups_rebuild", stdout=io.StringIO())
    assert days.aggregate(calls=Sum("calls"))["calls"] == 3

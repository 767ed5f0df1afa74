"""backstory.compiled_queries.CompiledGet gives what the ORM gives, from SQL compiled once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from accounts.selectors import with_summary_version
from accounts.tests.factories import AccountFactory
from backstory.compiled_queries import CompiledGet
from insights.models import Summary

pytestmark = pytest.mark.django_db


def versioned_accounts():
    return with_summary_version(Account.objects.only("id", "name", "created_at"))


def test_the_same_fields_annotations_and_deferred_fields_as_the_orm():
    account = AccountFactory(name="Globex", industry="Manufacturing")
    Summary.objects.create(
        account=account,
        version=7,
        generated_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        stale_since=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    )
    expected = versioned_accounts().get(pk=account.pk)
    found = CompiledGet(versioned_accounts).get(account.pk)
    assert type(found) is Account and found.pk == account.pk and found.name == "Globex"
    assert found.created_at == expected.created_at and isinstance(found.created_at, dt.datetime)
    assert found.summary_version == 7 and found.summary_stale_since == expected.summary_stale_since
    assert found.record_updated_at == expected.record_updated_at
    assert found.get_deferred_fields() == expected.get_deferred_fields()
    assert found.industry == "Manufacturing"  # a deferred field still loads on access


def test_each_call_binds_its_own_key_and_a_missing_one_is_none():
    first, second = AccountFactory(name="Initech"), AccountFactory(name="Umbrella")
    get = CompiledGet(versioned_accounts)
    assert get.get(first.pk).name == "Initech"
    with CaptureQueriesContext(connection) as queries:
        assert get.get(second.pk).name == "Umbrella"
        assert get.get(second.pk + 1000) is None
    assert len(queries) == 2
    assert queries[0]["sql"] == queries[1]["sql"].replace(str(second.pk + 1000), str(second.pk))


def test_a_key_sent_as_text_from_a_session_is_bound_as_a_number():
    account = AccountFactory(name="Hooli")
    assert CompiledGet(versioned_accounts).get(str(account.pk)).name == "Hooli"


def test_querysets_joining_another_model_are_refused():
    with pytest.raises(ValueError, match="select_related"):
        CompiledGet(lambda: Account.objects.select_related("owner")).get(1)

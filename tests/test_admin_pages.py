"""Every admin changelist and add page renders for a superuser, on an org with data in it."""

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODELS = list(admin.site._registry)


@pytest.fixture
def admin_client_with_org(client, frozen_now):
    call_command("seed_demo", "--accounts", "4", "--activities", "60", "--no-progress", stdout=io.StringIO())
    client.login(username="admin", password="backstory-demo")
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m._meta.app_label}.{m._meta.model_name}")
def test_changelist_and_add_pages_render(admin_client_with_org, model):
    opts = model._meta
    changelist = admin_client_with_org.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(changelist.wsgi_request):
        add = admin_client_with_org.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code == 200
    first = model.objects.first()
    if first is not None:
        change = admin_client_with_org.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        )
        assert change.status_code == 200


def test_the_admin_lists_the_demo_org(admin_client_with_org):
    page = admin_client_with_org.get(reverse("admin:accounts_account_changelist"))
    assert b"Northwind Logistics" in page.content
    search = admin_client_with_org.get(reverse("admin:accounts_account_changelist"), {"q": "globex.com"})
    assert b"Globex Corporation" in search.content


def test_the_configuration_profile_page_explains_each_setting_in_the_products_words(admin_client_with_org):
    from contacts.models import ConfigurationProfile

    profile = ConfigurationProfile.objects.first()
    page = admin_client_with_org.get(
        reverse("admin:contacts_configurationprofile_change", args=[profile.pk])
    ).content.decode()
    for heading in (
        "Contact creation",
        "Opportunity contact roles (OCR)",
        "Contact enrichment",
        "Activity sync to the CRM",
    ):
        assert "<h2" in page and heading in page
    for words in (
        "create the very first Opportunity Contact Role on an Opportunity, even when none exist yet",
        "Only when there is exactly one possible Opportunity match for the activity",
        "regardless of whether an existing OCR is involved in the activity",
        "create OCRs across all matched Opportunities",
        "Contact creation is independent of activity sync",
        "Contact Owner is never updated by Contact Enrichment",
    ):
        assert words in page, words

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from backstory import clock

from .models import ConfigurationProfile, Contact, ContactDecision, ContactFieldRule, Lead, LocalFilter
from .selectors import contacts_created_by_backstory


def why_url(*emails: str) -> str:
    """The "why was this person (not) created?" page for these addresses."""
    return reverse("contacts:why") + "?" + urlencode([("email", e) for e in emails if e])


def why_link(email: str):
    """A link to the "why" page, for any admin list that shows an address (e.g. ParticipantAdmin:
    `list_display = [..., "why"]` with `why = admin.display(description="why?")(lambda self, obj: why_link(obj.email))`)."""
    if not email:
        return "—"
    return format_html('<a href="{}" title="Why was this person (not) created?">why?</a>', why_url(email))


class ContactFieldRuleInline(admin.TabularInline):
    model = ContactFieldRule
    extra = 0
    verbose_name = "field rule"
    verbose_name_plural = "Field rules: required for creation, and how Contact Enrichment treats each field"


class LocalFilterInline(admin.TabularInline):
    model = LocalFilter
    extra = 0
    fields = ["kind", "value", "note"]
    verbose_name_plural = "Local filters: never capture these"


@admin.register(ConfigurationProfile)
class ConfigurationProfileAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_default",
        "contact_creation_enabled",
        "ocr_enabled",
        "first_ocr_enabled",
        "new_ocr_enabled",
        "multi_opportunity_matching",
        "contact_enrichment_enabled",
        "user_count",
    ]
    list_filter = ["contact_creation_enabled", "ocr_enabled", "contact_enrichment_enabled"]
    search_fields = ["name", "description"]
    inlines = [ContactFieldRuleInline, LocalFilterInline]
    # Each setting explained in the product documents' own words (automatic contact creation).
    fieldsets = [
        (None, {"fields": ["name", "description", "is_default"]}),
        (
            "Contact creation",
            {
                "fields": ["contact_creation_enabled"],
                "description": "Using your activity data, Backstory automatically creates new Salesforce contact records "
                "when the contact or a matching lead does not already exist in Salesforce, the activity includes the "
                "contact's first name, last name and email address, the email domain matches an existing account's "
                "primary or secondary domain, and the user on the activity is the account owner, opportunity owner or "
                "an account team member. Add more required fields in the field rules below.",
            },
        ),
        (
            "Opportunity contact roles (OCR)",
            {
                "fields": [
                    "ocr_enabled",
                    "first_ocr_enabled",
                    "new_ocr_enabled",
                    "multi_opportunity_matching",
                    "ocr_role",
                ],
                "description": "Backstory will not add participants as Contact Roles on a closed Opportunity, and will "
                "not add participants to the same Opportunity as Contact Roles if their domains do not match.",
            },
        ),
        (
            "Contact enrichment",
            {
                "fields": [
                    "contact_enrichment_enabled",
                    "update_persona",
                    "update_department",
                    "update_seniority",
                ],
                "description": "By default, Backstory does not update the standard fields of contact records that were "
                "created manually in your CRM. Contact Owner is never updated by Contact Enrichment. Which fields may "
                "change is set per field in the field rules below.",
            },
        ),
        (
            "Activity sync to the CRM",
            {
                "fields": ["sync_emails", "sync_meetings", "sync_calls"],
                "description": "Contact creation is independent of activity sync: Backstory can create contacts from "
                "emails and meetings even if your organization does not sync all activity types to Salesforce.",
            },
        ),
    ]
    help_texts = {
        "contact_creation_enabled": "Detect new contacts from your team's emails and meetings and create them "
        "directly in Salesforce. New contacts sync at the same time as activities (up to 2 hours after capture) "
        "and are owned by the user whose activity triggered the creation.",
        "ocr_enabled": "Create Opportunity Contact Roles in Salesforce from emails and meetings and append them to "
        "the appropriate open Opportunities. The Opportunity must have at least one manually created Opportunity "
        "Contact Role, unless First OCR is on.",
        "first_ocr_enabled": "Allow Backstory to create the very first Opportunity Contact Role on an Opportunity, "
        "even when none exist yet. Only when there is exactly one possible Opportunity match for the activity.",
        "new_ocr_enabled": "Create additional contact roles on an Opportunity regardless of whether an existing OCR "
        "is involved in the activity: useful with many stakeholders, or when a primary contact becomes unresponsive.",
        "multi_opportunity_matching": "When an activity matches more than one Opportunity, create OCRs across all "
        "matched Opportunities (common on accounts with several active deals at the same time).",
        "ocr_role": "The Role given to the contact roles Backstory creates.",
        "contact_enrichment_enabled": "Keep contact records created manually in your CRM evergreen by refreshing "
        "field values as new information is observed in your team's activity data. Contacts Backstory created are "
        "always enriched.",
        "update_persona": "Persona can also be updated by this separate setting: if either Contact Enrichment or "
        "this setting is configured to update it, Backstory updates it.",
        "update_department": "Department can also be updated by this separate setting: if either Contact Enrichment "
        "or this setting is configured to update it, Backstory updates it.",
        "update_seniority": "Seniority can also be updated by this separate setting: if either Contact Enrichment "
        "or this setting is configured to update it, Backstory updates it.",
        "sync_emails": "Sync captured emails to Salesforce as activities.",
        "sync_meetings": "Sync captured meetings to Salesforce as activities.",
        "sync_calls": "Sync captured calls to Salesforce as activities.",
    }

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change, help_texts=self.help_texts, **kwargs)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(user_total=Count("users"))

    @admin.display(description="users", ordering="user_total")
    def user_count(self, obj):
        return obj.user_total


class DecisionInline(admin.TabularInline):
    model = ContactDecision
    fk_name = "contact"
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "rule", "reason", "message", "activity"]
    readonly_fields = fields
    verbose_name_plural = "Contact engine decisions"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "email",
        "title",
        "account",
        "seniority",
        "department",
        "owner",
        "created_by_backstory",
        "why",
    ]
    list_filter = ["created_by_backstory", "seniority", "department", "persona", "mailing_country"]
    search_fields = ["first_name", "last_name", "email", "title", "crm_id", "account__name"]
    autocomplete_fields = ["account", "owner"]
    list_select_related = ["account", "owner"]
    readonly_fields = ["backstory_id", "created_at", "updated_at", "crm_last_modified", "field_observed_at"]
    inlines = [DecisionInline]
    actions = ["export_as_csv", "remove_created_by_backstory"]

    @admin.display(description="why?")
    def why(self, obj):
        return why_link(obj.email)

    @admin.action(description="Export as CSV (the Created by Backstory report)")
    def export_as_csv(self, request, queryset):
        """The seed's report: the selected contacts Backstory created, with the report's columns."""
        from .views import csv_response

        return csv_response(
            contacts_created_by_backstory(queryset=queryset),
            filename=f"contacts-created-by-backstory-{clock.today().isoformat()}.csv",
        )

    @admin.action(
        description="Remove from the CRM (contacts created by Backstory only)", permissions=["delete"]
    )
    def remove_created_by_backstory(self, request, queryset):
        """FAQ: "What if a contact was synced to Salesforce that shouldn't have been?" Deletes the
        selected contacts Backstory created, here and in the CRM, and adds each address as a local filter."""
        from .services import contact_remove

        removable = list(queryset.filter(created_by_backstory=True))
        for contact in removable:
            contact_remove(contact=contact, removed_by=request.user)
        kept = queryset.count()
        self.message_user(
            request, f"Removed {len(removable)} contact(s) created by Backstory.", messages.SUCCESS
        )
        if kept:
            self.message_user(
                request,
                f"{kept} contact(s) created by hand in the CRM were left alone: Backstory never deletes them.",
                messages.WARNING,
            )


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "company", "status", "is_converted", "converted_contact", "owner"]
    list_filter = ["is_converted", "status"]
    search_fields = ["first_name", "last_name", "email", "company", "crm_id"]
    autocomplete_fields = ["converted_contact", "converted_account", "owner"]


@admin.register(LocalFilter)
class LocalFilterAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "profile", "note"]
    list_filter = ["kind", "profile"]
    search_fields = ["value", "note"]


@admin.register(ContactDecision)
class ContactDecisionAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action",
        "email",
        "reason",
        "rule",
        "contact",
        "account",
        "opportunity",
        "why",
    ]
    list_filter = ["action", "reason", "rule"]
    search_fields = ["email", "message", "contact__last_name", "account__name"]
    date_hierarchy = "created_at"
    list_select_related = ["contact", "account", "opportunity"]
    readonly_fields = [f.name for f in ContactDecision._meta.fields]
    actions = ["explain_why"]

    @admin.display(description="why?")
    def why(self, obj):
        return why_link(obj.email)

    @admin.action(description="Why (not) created? Show every decision about these addresses")
    def explain_why(self, request, queryset):
        emails = sorted({e for e in queryset.values_list("email", flat=True) if e})
        if not emails:
            self.message_user(request, "The selected decisions name no email address.", messages.WARNING)
            return None
        return HttpResponseRedirect(why_url(*emails[:50]))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

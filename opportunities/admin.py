from django.contrib import admin

from .models import NextStep, Opportunity, OpportunityContactRole, OpportunityStageHistory


class StageHistoryInline(admin.TabularInline):
    model = OpportunityStageHistory
    extra = 0
    fields = ["stage", "changed_at", "amount", "probability", "close_date"]


class ContactRoleInline(admin.TabularInline):
    model = OpportunityContactRole
    extra = 0
    autocomplete_fields = ["contact"]
    fields = ["contact", "role", "is_primary", "created_by_backstory", "crm_id"]


class NextStepInline(admin.TabularInline):
    model = NextStep
    extra = 0
    fk_name = "opportunity"
    fields = ["subject", "due_date", "owner", "status"]
    autocomplete_fields = ["owner"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "stage", "amount", "close_date", "owner", "is_closed", "is_won"]
    list_filter = ["stage", "is_closed", "is_won", "opportunity_type"]
    search_fields = ["name", "account__name", "crm_id"]
    autocomplete_fields = ["account", "owner"]
    list_select_related = ["account", "owner"]
    date_hierarchy = "close_date"
    inlines = [ContactRoleInline, StageHistoryInline, NextStepInline]
    readonly_fields = ["created_at", "updated_at", "crm_last_modified"]


@admin.register(OpportunityStageHistory)
class OpportunityStageHistoryAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "stage", "changed_at", "amount"]
    list_filter = ["stage"]
    search_fields = ["opportunity__name"]
    autocomplete_fields = ["opportunity"]
    date_hierarchy = "changed_at"


@admin.register(OpportunityContactRole)
class OpportunityContactRoleAdmin(admin.ModelAdmin):
    list_display = ["contact", "opportunity", "role", "is_primary", "created_by_backstory", "created_at"]
    list_filter = ["role", "is_primary", "created_by_backstory"]
    search_fields = ["contact__first_name", "contact__last_name", "contact__email", "opportunity__name"]
    autocomplete_fields = ["contact", "opportunity"]
    list_select_related = ["contact", "opportunity"]


@admin.register(NextStep)
class NextStepAdmin(admin.ModelAdmin):
    list_display = ["subject", "due_date", "status", "owner", "opportunity", "account"]
    list_filter = ["status", "due_date"]
    search_fields = ["subject", "description", "opportunity__name", "account__name"]
    autocomplete_fields = ["owner", "account", "opportunity", "contact"]
    list_select_related = ["owner", "opportunity", "account"]

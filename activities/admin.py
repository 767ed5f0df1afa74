from contextlib import ExitStack

from django.contrib import admin

from .models import Activity, ActivityOpportunity, Participant
from .services.crm_sync import activities_delete
from .services.engagement_log import activity_edited_by_admin


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["email", "name", "role", "is_internal", "response", "title", "phone", "user", "contact", "lead"]
    autocomplete_fields = ["user", "contact", "lead"]


class ActivityOpportunityInline(admin.TabularInline):
    model = ActivityOpportunity
    extra = 0
    autocomplete_fields = ["opportunity"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "kind",
        "occurred_at",
        "direction",
        "owner",
        "account",
        "account_match",
        "opportunity_match",
        "is_private",
    ]
    list_filter = [
        "kind",
        "direction",
        "account_match",
        "opportunity_match",
        "is_private",
        "source",
        "is_manually_matched",
    ]
    search_fields = ["subject", "source_id", "participants__email", "account__name"]
    autocomplete_fields = ["owner", "account", "lead", "removed_by"]
    list_select_related = ["owner", "account"]
    date_hierarchy = "occurred_at"
    inlines = [ParticipantInline, ActivityOpportunityInline]
    readonly_fields = ["captured_at", "matched_at"]
    show_full_result_count = False

    # An activity made private, or moved to another account or opportunity here, leaves the same
    # traces as Edit Match (activity_edited_by_admin): Django saves the activity, then its inlines;
    # the edit spans both.
    def save_model(self, request, obj, form, change):
        form.backstory_edit = ExitStack()
        form.backstory_edit.enter_context(activity_edited_by_admin(obj))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.backstory_edit.close()

    # A deleted activity's Task or Event leaves Salesforce too.
    def delete_model(self, request, obj):
        activities_delete([obj])

    def delete_queryset(self, request, queryset):
        activities_delete(queryset)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "role", "is_internal", "resolved_as", "activity"]
    list_filter = ["role", "is_internal", "response"]
    search_fields = ["email", "name"]
    autocomplete_fields = ["activity", "user", "contact", "lead"]
    list_select_related = ["activity"]
    show_full_result_count = False

from django.contrib import admin

from .models import EngagementSnapshot, InsightsConfiguration, PersonEngagement, Summary


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "engagement_level", "generated_at", "latest_activity_at", "is_stale"]
    list_filter = ["is_stale", "engagement_trend", "activity_frequency"]
    search_fields = ["account__name", "opportunity__name"]
    autocomplete_fields = ["account", "opportunity"]
    list_select_related = ["account", "opportunity"]


@admin.register(EngagementSnapshot)
class EngagementSnapshotAdmin(admin.ModelAdmin):
    list_display = ["subject_type", "subject_id", "week_start", "score"]
    list_filter = ["subject_type", "week_start"]


@admin.register(PersonEngagement)
class PersonEngagementAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "is_internal",
        "seniority",
        "engagement_score",
        "account",
        "opportunity",
        "last_activity_at",
    ]
    list_filter = ["is_internal", "seniority", "department"]
    search_fields = ["name", "email", "account__name", "opportunity__name"]
    autocomplete_fields = ["account", "opportunity", "contact", "user"]
    list_select_related = ["account", "opportunity"]


@admin.register(InsightsConfiguration)
class InsightsConfigurationAdmin(admin.ModelAdmin):
    """One row: add it once, then edit it."""

    fieldsets = [
        (
            "Deal warnings",
            {
                "description": "Each warning can be switched off; its threshold decides when it fires on an open opportunity.",
                "fields": [
                    ("no_activity_enabled", "no_activity_days"),
                    ("ghosted_enabled", "ghosted_days"),
                    ("overdue_close_date_enabled", "overdue_close_date_days"),
                    ("not_enough_contacts_enabled", "not_enough_contacts_min"),
                    ("no_power_enabled", "no_power_days"),
                    ("pricing_not_discussed_enabled", "pricing_not_discussed_from_stage"),
                    ("stalled_in_stage_enabled", "stalled_in_stage_days"),
                ],
            },
        ),
        ("Potential risks", {"fields": ["stalled_thread_days"]}),
        ("Competition risk", {"fields": ["competitors"]}),
    ]

    def has_add_permission(self, request):
        return not InsightsConfiguration.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator

from backstory import clock

from .budget import ShareInvalid, budget_share_set
from .models import ApiBudget, ApiCallCount, OutboxEntry, OutboxState, SyncCursor
from .selectors import api_budget_get, outbox_paused_until, outbox_state_get
from .services import outbox_entries_retry, outbox_resume


@admin.register(SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin):
    list_display = [
        "object_name",
        "window_end",
        "last_run_at",
        "last_full_sync_at",
        "records_seen",
        "last_counts",
        "last_error",
    ]
    search_fields = ["object_name"]
    readonly_fields = ["last_counts"]


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "object_name",
        "operation",
        "external_id",
        "crm_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error_code",
        "reason",
    ]
    list_filter = ["status", "object_name", "operation", "last_error_code"]
    search_fields = ["external_id", "crm_id", "last_error"]
    date_hierarchy = "created_at"
    readonly_fields = ["claim_token", "last_attempt_at", "completed_at", "created_at"]
    actions = ["retry_entries"]

    @admin.display(description="reason")
    def reason(self, entry: OutboxEntry) -> str:
        return Truncator(entry.last_error).chars(120)

    @admin.action(description="Retry the selected entries now")
    def retry_entries(self, request, queryset):
        count = outbox_entries_retry(entries=queryset)
        self.message_user(request, f"{count} entries will be sent at the next drain.", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        paused_until = outbox_paused_until(now=clock.now())
        if paused_until:
            state = outbox_state_get()
            self.message_user(
                request,
                f"The outbox is paused until {timezone.localtime(paused_until):%Y-%m-%d %H:%M %Z}: "
                f"{state.pause_reason}. Resume it from Outbox state.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(OutboxState)
class OutboxStateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "paused_until", "pause_reason", "last_drain_at", "last_drain_summary"]
    readonly_fields = ["last_drain_at", "last_drain_summary", "updated_at"]
    actions = ["resume"]

    @admin.action(description="Resume the outbox now")
    def resume(self, request, queryset):
        outbox_resume()
        self.message_user(request, "The outbox is running again.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return not OutboxState.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiBudget)
class ApiBudgetAdmin(admin.ModelAdmin):
    """Backstory's share of the org's daily API requests; the rest is what Backstory last read."""

    list_display = ["__str__", "share_percent", "org_max", "org_remaining", "org_read_at", "held_reason"]
    fields = [
        "share_percent",
        "org_max",
        "org_remaining",
        "org_read_at",
        "org_source",
        "limits_tried_at",
        "limits_error",
        "held_at",
        "held_reason",
        "updated_at",
    ]
    readonly_fields = [name for name in fields if name != "share_percent"]

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, so a raised share resumes held pushes at once.
        try:
            budget_share_set(obj.share_percent)
        except ShareInvalid as error:
            self.message_user(request, str(error), messages.ERROR)

    def changelist_view(self, request, extra_context=None):
        api_budget_get()  # the row exists for the admin to edit
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiCallCount)
class ApiCallCountAdmin(admin.ModelAdmin):
    list_display = ["minute", "calls"]
    date_hierarchy = "minute"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

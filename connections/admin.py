from django.contrib import admin, messages

from .forms import CalendarConnectionForm, MailboxConnectionForm
from .models import CalendarConnection, CalendarCursor, MailboxConnection, MailboxFolder
from .services.manage import connection_pause, connection_save
from .tasks import enqueue_sync

_STATE_FIELDS = (
    "last_sync_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "failures",
    "next_attempt_at",
    "captured",
    "unreadable",
    "last_unreadable",
    "backfill_total",
    "backfill_done",
    "backfill_finished_at",
)
_LIST = ("__str__", "owner", "status", "last_sync_at", "captured", "short_error", "is_paused")


class MailboxFolderInline(admin.TabularInline):
    model = MailboxFolder
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "name",
        "uidvalidity",
        "last_uid",
        "backfill_done",
        "backfill_total",
        "captured",
        "last_error",
    )


class CalendarCursorInline(admin.TabularInline):
    model = CalendarCursor
    extra = 0
    can_delete = False
    fields = readonly_fields = ("name", "url", "sync_token", "ctag", "etag", "last_modified", "last_error")


class ConnectionAdmin(admin.ModelAdmin):
    list_filter = ("is_paused",)
    list_select_related = ("owner",)
    readonly_fields = _STATE_FIELDS
    raw_id_fields = ("owner",)
    actions = ["pause", "resume", "sync_now"]

    def get_fields(self, request, obj=None):
        return ("owner", "is_paused", *self.form._meta.fields, *_STATE_FIELDS)

    @admin.display(description="Last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def save_model(self, request, obj, form, change):
        connection_save(connection=obj, secrets_changed=getattr(form, "secrets_changed", False))

    @admin.action(description="Pause the selected connections")
    def pause(self, request, queryset):
        for connection in queryset:
            connection_pause(connection=connection, paused=True)

    @admin.action(description="Resume the selected connections")
    def resume(self, request, queryset):
        for connection in queryset:
            connection_pause(connection=connection, paused=False)

    @admin.action(description="Sync the selected connections now")
    def sync_now(self, request, queryset):
        for connection in queryset:
            enqueue_sync(connection)
        messages.info(request, f"Sync queued for {queryset.count()} connection(s).")


@admin.register(MailboxConnection)
class MailboxConnectionAdmin(ConnectionAdmin):
    form = MailboxConnectionForm
    list_display = (*_LIST, "host")
    search_fields = ("name", "host", "username", "owner__username", "owner__email")
    inlines = [MailboxFolderInline]


@admin.register(CalendarConnection)
class CalendarConnectionAdmin(ConnectionAdmin):
    form = CalendarConnectionForm
    list_display = (*_LIST, "kind")
    list_filter = ("is_paused", "kind")
    search_fields = ("name", "url", "username", "owner__username", "owner__email")
    inlines = [CalendarCursorInline]

"""Read-only review of assistant conversations: what was asked, what was answered, from which sources."""

from django.contrib import admin

from .models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["created_at", "role", "text", "intent", "citations", "used_llm", "fell_back", "notice"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "opportunity", "created_at", "updated_at"]
    list_filter = ["updated_at"]
    search_fields = ["user__username", "account__name", "opportunity__name", "messages__text"]
    readonly_fields = ["user", "account", "opportunity", "created_at", "updated_at"]
    inlines = [MessageInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "conversation", "role", "intent", "used_llm", "fell_back"]
    list_filter = ["role", "intent", "used_llm", "fell_back"]
    search_fields = ["text"]
    readonly_fields = [
        "conversation",
        "role",
        "text",
        "citations",
        "intent",
        "used_llm",
        "fell_back",
        "notice",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

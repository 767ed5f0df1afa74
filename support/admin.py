from django.contrib import admin
from django.utils.html import format_html

from .models import HelpArticle, SupportAttachment, SupportReply, SupportRequest
from .services import support_reply_send


@admin.register(HelpArticle)
class HelpArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "is_faq", "position", "is_published", "updated_at"]
    list_filter = ["topic", "is_faq", "is_published"]
    search_fields = ["title", "keywords", "body"]
    prepopulated_fields = {"slug": ["title"]}
    list_editable = ["position", "is_published"]


class SupportAttachmentInline(admin.TabularInline):
    model = SupportAttachment
    extra = 0
    fields = ["screenshot", "original_name", "image_type", "size"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description="file")
    def screenshot(self, obj):
        return (
            format_html('<a href="{}" target="_blank" rel="noopener">open</a>', obj.file.url)
            if obj.file
            else "-"
        )

    def has_add_permission(self, request, obj=None):
        return False


class SupportReplyInline(admin.StackedInline):
    """Answer the user: a new reply goes to their chat panel (for a chat handed over) and by email."""

    model = SupportReply
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    can_delete = False
    verbose_name = "reply"
    verbose_name_plural = "replies (each new one is shown in the user's chat and emailed to them)"

    def has_change_permission(self, request, obj=None):
        return False  # sent replies stay as the user read them

    def has_add_permission(self, request, obj=None):
        return True


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    """The Support inbox: requests from the help center form and chats handed over to a person."""

    list_display = [
        "reference",
        "user",
        "status",
        "channel",
        "workspace",
        "created_at",
        "sent_during_support_hours",
    ]
    list_filter = ["status", "sent_during_support_hours", ("conversation", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "description", "workspace", "user__username", "user__email"]
    readonly_fields = [
        "reference",
        "user",
        "description",
        "steps_to_reproduce",
        "workspace",
        "activity",
        "page_url",
        "created_at",
        "sent_during_support_hours",
    ]
    fields = readonly_fields[:4] + ["status"] + readonly_fields[4:]
    inlines = [SupportReplyInline, SupportAttachmentInline]

    @admin.display(description="from")
    def channel(self, obj):
        return "In-app chat" if obj.conversation_id else "Support form"

    def has_add_permission(self, request):
        return False

    def save_formset(self, request, form, formset, change):
        if formset.model is not SupportReply:
            return super().save_formset(request, form, formset, change)
        # Through the service, not formset.save(): a reply also goes to the chat and by email.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for reply_form in formset.forms:
            text = reply_form.cleaned_data.get("text") if reply_form.has_changed() else ""
            if text and not reply_form.instance.pk:
                formset.new_objects.append(
                    support_reply_send(request=form.instance, author=request.user, text=text)
                )
        return None


@admin.register(SupportAttachment)
class SupportAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "request", "image_type", "size"]
    readonly_fields = ["request", "file", "original_name", "image_type", "size"]

    def has_add_permission(self, request):
        return False

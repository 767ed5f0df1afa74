from django.contrib import admin
from django.utils.html import format_html

from .models import HelpArticle, SupportAttachment, SupportRequest


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


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "user", "status", "workspace", "created_at", "sent_during_support_hours"]
    list_filter = ["status", "sent_during_support_hours"]
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
    inlines = [SupportAttachmentInline]

    def has_add_permission(self, request):
        return False


@admin.register(SupportAttachment)
class SupportAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "request", "image_type", "size"]
    readonly_fields = ["request", "file", "original_name", "image_type", "size"]

    def has_add_permission(self, request):
        return False

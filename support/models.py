"""Help center articles, and the support requests users send with their screenshots."""

from django.conf import settings
from django.db import models


class HelpArticle(models.Model):
    """One help center article. The body is Markdown-ish plain text: paragraphs, ``## headings``,
    ``- bullets``, ``1. steps``, ``**bold**``, ``[links](/help/...)``; never raw HTML."""

    class Topic(models.TextChoices):
        BACKSTORY_PAGES = "backstory-pages", "Backstory pages"
        CONTACT_CREATION = "contact-creation", "Contact creation"
        QUERY_API = "query-api", "Query API"
        ASSISTANT = "assistant", "Backstory Assistant"
        SUPPORT = "support", "Getting support"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    topic = models.CharField(max_length=30, choices=Topic.choices)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One sentence shown in lists and search results."
    )
    body = models.TextField(
        help_text="Plain text with light Markdown: ## heading, - bullet, 1. step, **bold**, [text](url)."
    )
    keywords = models.CharField(
        max_length=500, blank=True, help_text="Extra words people search with, comma-separated."
    )
    is_faq = models.BooleanField("frequently asked question", default=False)
    position = models.PositiveSmallIntegerField(default=100, help_text="Order within the topic.")
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic", "position", "title"]
        indexes = [models.Index(fields=["topic", "position"], name="help_article_topic_idx")]

    def __str__(self) -> str:
        return self.title


class SupportRequest(models.Model):
    """A support request sent from the help center; ``reference`` is what the user quotes (BST-2026-000123)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_requests"
    )
    description = models.TextField()
    steps_to_reproduce = models.TextField(blank=True)
    workspace = models.CharField("account or workspace", max_length=255, blank=True)
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
    )
    page_url = models.CharField(max_length=500, blank=True, help_text="The page the request was sent from.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    sent_during_support_hours = models.BooleanField(default=False)
    conversation = models.ForeignKey(
        "assistant.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
        help_text="The in-app chat handed over to a person; replies go back into it.",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "support request"
        verbose_name_plural = "support inbox"

    def __str__(self) -> str:
        return f"{self.reference or 'Support request'}: {self.description[:60]}"


class SupportReply(models.Model):
    """A support person's answer to a request: shown in the user's chat panel and emailed to them."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["request", "created_at", "id"]
        verbose_name_plural = "support replies"

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:60]}"


class SupportAttachment(models.Model):
    """A screenshot attached to a support request, stored under MEDIA_ROOT."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="support/%Y/%m/")
    original_name = models.CharField(max_length=255)
    image_type = models.CharField(
        max_length=10, help_text="What the file's first bytes say it is: png, jpeg, gif or webp."
    )
    size = models.PositiveIntegerField(help_text="Bytes.")

    class Meta:
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return self.original_name

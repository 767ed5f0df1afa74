"""What people asked the Backstory Assistant about an account or opportunity, and what it answered."""

from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """One user's conversation about one account or one opportunity (or, with neither, about the product)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assistant_conversations",
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assistant_conversations",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(account__isnull=True) | models.Q(opportunity__isnull=True),
                name="conversation_about_one_record_at_most",
            ),
            models.UniqueConstraint(
                fields=["user", "account"],
                condition=models.Q(account__isnull=False),
                name="conversation_once_per_account",
            ),
            models.UniqueConstraint(
                fields=["user", "opportunity"],
                condition=models.Q(opportunity__isnull=False),
                name="conversation_once_per_opportunity",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(account__isnull=True, opportunity__isnull=True),
                name="conversation_once_for_help",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} about {self.record or 'Backstory help'}"

    @property
    def record(self):
        return self.account or self.opportunity


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", "User"
        ASSISTANT = "assistant", "Assistant"
        SUPPORT = "support", "Support"  # a person of the support team, answering a handed-over chat

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    citations = models.JSONField(
        default=list,
        blank=True,
        help_text='[{"n", "kind", "id", "label", "url", "detail"}]: what each [n] marker in the text points at.',
    )
    intent = models.CharField(max_length=40, blank=True)
    used_llm = models.BooleanField("answered by the language model", default=False)
    fell_back = models.BooleanField("fell back to the offline answer", default=False)
    notice = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["conversation", "created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="assistant_msg_conv_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.text[:60]}"

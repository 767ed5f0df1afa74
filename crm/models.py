"""Salesforce sync state: pull cursors, the push outbox and the API budget."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class SyncCursor(models.Model):
    """Where the incremental pull of one Salesforce object stands."""

    object_name = models.CharField(max_length=80, unique=True)
    window_end = models.DateTimeField(
        null=True, blank=True, help_text="Everything modified before this is in."
    )
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    records_seen = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_counts = models.JSONField(
        default=dict, blank=True, help_text="The last run: fetched, created, updated, deleted, errors."
    )

    class Meta:
        ordering = ["object_name"]

    def __str__(self) -> str:
        return f"{self.object_name} up to {self.window_end}"


class OutboxEntry(models.Model):
    """A change to push to the CRM, written in the same transaction as the local change."""

    class Operation(models.TextChoices):
        UPSERT = "upsert", "Create or update"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    object_name = models.CharField(max_length=80, help_text="The Salesforce object, e.g. Contact.")
    operation = models.CharField(max_length=10, choices=Operation.choices)
    record_type = models.CharField(max_length=80, help_text="The local model, e.g. contacts.contact.")
    record_id = models.BigIntegerField()
    external_id = models.CharField(
        max_length=64, blank=True, help_text="Backstory_Id__c: makes creates idempotent."
    )
    payload = models.JSONField(default=dict, blank=True)
    crm_id = models.CharField(max_length=18, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Not sent before this; while a drain holds the entry, the end of its lease.",
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(
        max_length=32, blank=True, db_index=True, editable=False, help_text="The drain that holds the entry."
    )
    last_error = models.TextField(blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "outbox entries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.object_name} {self.external_id or self.crm_id} ({self.status})"


class OutboxState(models.Model):
    """The outbox as a whole (one row): paused when Salesforce refuses calls for the API limit."""

    paused_until = models.DateTimeField(null=True, blank=True)
    pause_reason = models.TextField(blank=True)
    last_drain_at = models.DateTimeField(null=True, blank=True)
    last_drain_summary = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "outbox state"
        verbose_name_plural = "outbox state"

    def __str__(self) -> str:
        if self.paused_until:
            return f"Outbox paused until {self.paused_until:%Y-%m-%d %H:%M} UTC"
        return "Outbox running"


class ApiBudget(models.Model):
    """Salesforce's daily API budget as Backstory sees it (one row): the share of the org's
    DailyApiRequests Backstory may use, set by an admin, and the org's figures last read."""

    share_percent = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Backstory's share of the org's daily API requests (DailyApiRequests Max), in percent. "
        "Other integrations share the rest; raising it resumes a sync held for the budget at once.",
    )
    org_max = models.PositiveIntegerField(null=True, blank=True, help_text="DailyApiRequests Max.")
    org_remaining = models.PositiveIntegerField(
        null=True, blank=True, help_text="DailyApiRequests Remaining when last read."
    )
    org_read_at = models.DateTimeField(null=True, blank=True, help_text="When the org's figures were read.")
    org_source = models.CharField(
        max_length=40, blank=True, help_text="Where they came from: /limits, or the last response's header."
    )
    limits_tried_at = models.DateTimeField(
        null=True, blank=True, help_text="The last attempt to read /limits."
    )
    limits_error = models.TextField(
        blank=True, help_text="Why the last /limits read failed (empty: it worked)."
    )
    held_at = models.DateTimeField(null=True, blank=True)
    held_reason = models.TextField(
        blank=True, help_text="The last pull or push held back for the budget, and why."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Salesforce API budget"
        verbose_name_plural = "Salesforce API budget"

    def __str__(self) -> str:
        return f"Backstory may use {self.share_percent} % of the org's daily API requests"


class ApiCallCount(models.Model):
    """Backstory's own Salesforce API calls in one minute: summed over the last 24 hours they are
    its use of the org's rolling daily limit (Salesforce's figures are org-wide)."""

    minute = models.DateTimeField(unique=True)
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["minute"]

    def __str__(self) -> str:
        return f"{self.calls} calls at {self.minute:%Y-%m-%d %H:%M}"

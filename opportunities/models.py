"""Opportunities, their stage history, contact roles and next steps (CRM tasks)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from .stages import STAGE_CHOICES


class Opportunity(models.Model):
    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    name = models.CharField(max_length=255)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="opportunities")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_opportunities",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    stage = models.CharField(max_length=80, choices=STAGE_CHOICES, default="Prospecting")
    probability = models.PositiveSmallIntegerField(default=10)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    close_date = models.DateField("expected close date", null=True, blank=True)
    actual_close_date = models.DateField(null=True, blank=True)
    created_date = models.DateTimeField("created in CRM", null=True, blank=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    opportunity_type = models.CharField("type", max_length=60, blank=True)
    lead_source = models.CharField(max_length=80, blank=True)
    crm_last_modified = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["account", "is_closed"], name="opp_account_open_idx"),
            models.Index(Lower("name"), name="opp_name_ci_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_won=False) | models.Q(is_closed=True), name="opp_won_is_closed"
            ),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opp_probability_max_100"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return not self.is_closed


class OpportunityStageHistory(models.Model):
    """One stage change: the stage an opportunity entered, and when."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_history")
    stage = models.CharField(max_length=80)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    probability = models.PositiveSmallIntegerField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField()
    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["opportunity", "changed_at", "id"]
        verbose_name_plural = "opportunity stage history"
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stage_history_opp_time_idx")]

    def __str__(self) -> str:
        return f"{self.opportunity} → {self.stage} at {self.changed_at:%Y-%m-%d}"


class OpportunityContactRole(models.Model):
    class Role(models.TextChoices):
        DECISION_MAKER = "Decision Maker", "Decision Maker"
        ECONOMIC_BUYER = "Economic Buyer", "Economic Buyer"
        EXECUTIVE_SPONSOR = "Executive Sponsor", "Executive Sponsor"
        TECHNICAL_BUYER = "Technical Buyer", "Technical Buyer"
        CHAMPION = "Champion", "Champion"
        INFLUENCER = "Influencer", "Influencer"
        EVALUATOR = "Evaluator", "Evaluator"
        BUSINESS_USER = "Business User", "Business User"
        OTHER = "Other", "Other"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="opportunity_roles"
    )
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    is_primary = models.BooleanField(default=False)
    created_by_backstory = models.BooleanField(default=False)
    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    backstory_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opportunity", "-is_primary", "id"]
        verbose_name = "opportunity contact role"
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact"], name="ocr_one_per_contact_per_opportunity"
            ),
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=models.Q(is_primary=True),
                name="ocr_one_primary_per_opportunity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} — {self.role or 'contact role'} on {self.opportunity}"


class NextStep(models.Model):
    """A CRM task: an open one is a next step on the account or opportunity pages."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"

    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    subject = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="next_steps"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="next_steps"
    )
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.CASCADE, related_name="next_steps"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_steps"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "due_date", "id"]
        indexes = [
            models.Index(fields=["account", "status"], name="nextstep_account_status_idx"),
            models.Index(fields=["opportunity", "status"], name="nextstep_opp_status_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

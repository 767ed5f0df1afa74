"""What the insights engine computes; pages and the Query API only read these."""

from django.conf import settings
from django.db import models

from opportunities.stages import STAGE_CHOICES


class Summary(models.Model):
    """The cached summary and scores of one account or one opportunity."""

    class Trend(models.TextChoices):
        INCREASING = "increasing", "Increasing"
        STABLE = "stable", "Stable"
        DECLINING = "declining", "Declining"

    class Frequency(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    account = models.OneToOneField(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="summary"
    )
    opportunity = models.OneToOneField(
        "opportunities.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="summary"
    )
    generated_at = models.DateTimeField()
    latest_activity_at = models.DateTimeField(null=True, blank=True)
    is_stale = models.BooleanField(default=False, help_text="New activities arrived since it was generated.")
    stale_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was last marked stale; a refresh that started later clears it.",
    )
    # One number per write, whatever the clock says (a frozen clock writes the same timestamps twice):
    # the pages cache their HTML by it.
    version = models.PositiveBigIntegerField(
        default=0,
        db_default=0,  # code from before this field can still insert summaries during a deploy
        editable=False,
        help_text="Moves with every change: marked stale, refreshed or edited.",
    )
    engagement_level = models.PositiveSmallIntegerField(default=0)
    engagement_breakdown = models.JSONField(default=dict, blank=True)
    key_topics = models.JSONField(default=list, blank=True)
    next_steps = models.JSONField(default=list, blank=True)
    risks = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True, help_text="Engagement metrics per period.")
    # Scores the Query API serves
    relationship_strength = models.PositiveSmallIntegerField(null=True, blank=True)
    buying_intent = models.PositiveSmallIntegerField(null=True, blank=True)
    churn_risk = models.PositiveSmallIntegerField(null=True, blank=True)
    win_probability = models.PositiveSmallIntegerField(null=True, blank=True)
    deal_velocity = models.PositiveSmallIntegerField(null=True, blank=True)
    competition_risk = models.PositiveSmallIntegerField(null=True, blank=True)
    budget_confirmed = models.PositiveSmallIntegerField(null=True, blank=True)
    engagement_trend = models.CharField(max_length=12, choices=Trend.choices, blank=True)
    activity_frequency = models.CharField(max_length=8, choices=Frequency.choices, blank=True)
    multi_threading = models.PositiveIntegerField(null=True, blank=True)
    stakeholder_count = models.PositiveIntegerField(null=True, blank=True)
    executive_engagement = models.BooleanField(null=True, blank=True)
    champion_identified = models.BooleanField(null=True, blank=True)
    score_inputs = models.JSONField(default=dict, blank=True, help_text="What each score was computed from.")

    class Meta:
        verbose_name_plural = "summaries"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(account__isnull=False, opportunity__isnull=True))
                | (models.Q(account__isnull=True, opportunity__isnull=False)),
                name="summary_of_exactly_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"Summary of {self.account or self.opportunity}"

    def save(self, *args, **kwargs):
        """Save, moving ``version`` (an edit in the admin shows on the pages at once)."""
        if self._state.adding:
            return super().save(*args, **kwargs)
        self.version = models.F("version") + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)
        self.refresh_from_db(fields=["version"])


class EngagementSnapshot(models.Model):
    """A weekly snapshot of an engagement score, so a trend can be shown."""

    class Subject(models.TextChoices):
        ACCOUNT = "account", "Account"
        OPPORTUNITY = "opportunity", "Opportunity"
        CONTACT = "contact", "Contact"
        USER = "user", "User"

    subject_type = models.CharField(max_length=12, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    week_start = models.DateField()
    score = models.PositiveSmallIntegerField()
    breakdown = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["subject_type", "subject_id", "week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "week_start"], name="snapshot_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id} week of {self.week_start}: {self.score}"


class PersonEngagement(models.Model):
    """People metrics of one person (a contact or an internal user) on one account or opportunity."""

    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="people"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="people"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    is_internal = models.BooleanField(default=False)
    title = models.CharField(max_length=128, blank=True)
    seniority = models.CharField(
        max_length=40, blank=True, help_text="The contact's, or inferred from the title."
    )
    department = models.CharField(
        max_length=40, blank=True, help_text="The contact's, or inferred from the title."
    )
    engagement_score = models.PositiveSmallIntegerField(default=0)
    breakdown = models.JSONField(default=dict, blank=True)
    time_spent_minutes = models.PositiveIntegerField(default=0)
    activity_count = models.PositiveIntegerField(default=0)
    emails_sent = models.PositiveIntegerField(default=0)
    emails_received = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Counts private meetings too: never shown as is (a reader's next meeting comes from the
    # meetings they may see, pages.people.person_detail).
    next_meeting_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-engagement_score"]
        indexes = [
            models.Index(fields=["account", "is_internal", "engagement_score"], name="people_account_idx"),
            models.Index(fields=["opportunity", "is_internal", "engagement_score"], name="people_opp_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "opportunity", "email"], name="person_once_per_record"
            ),
            models.CheckConstraint(
                condition=models.Q(account__isnull=False) | models.Q(opportunity__isnull=False),
                name="person_on_a_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email}: {self.engagement_score}"


class InsightsConfiguration(models.Model):
    """The org's settings for deal warnings, stalled threads and competitors: one row, edited in admin.

    Sales operations tune these without a deploy, so they live in the database rather than in
    settings; ``insights.selectors.insights_configuration_get`` returns the defaults below until an
    admin saves the row.
    """

    # Deal warnings: each can be switched off, each has its threshold.
    no_activity_enabled = models.BooleanField("warn: no activity", default=True)
    no_activity_days = models.PositiveSmallIntegerField(
        "no activity for (days)",
        default=14,
        help_text="No matched activity on an open opportunity for this many days.",
    )
    ghosted_enabled = models.BooleanField("warn: ghosted", default=True)
    ghosted_days = models.PositiveSmallIntegerField(
        "ghosted for (days)",
        default=14,
        help_text="The buyer has not replied, called or attended a meeting for this many days while we kept reaching out.",
    )
    overdue_close_date_enabled = models.BooleanField("warn: overdue close date", default=True)
    overdue_close_date_days = models.PositiveSmallIntegerField(
        "close date overdue by more than (days)", default=0
    )
    not_enough_contacts_enabled = models.BooleanField("warn: not enough contacts", default=True)
    not_enough_contacts_min = models.PositiveSmallIntegerField(
        "minimum people engaged", default=3, help_text="External people engaged in the last 90 days."
    )
    no_power_enabled = models.BooleanField("warn: no power", default=True)
    no_power_days = models.PositiveSmallIntegerField(
        "no executive or decision maker engaged for (days)", default=60
    )
    pricing_not_discussed_enabled = models.BooleanField("warn: pricing not discussed", default=True)
    pricing_not_discussed_from_stage = models.CharField(
        "pricing expected from stage", max_length=80, choices=STAGE_CHOICES, default="Proposal"
    )
    stalled_in_stage_enabled = models.BooleanField("warn: stalled in stage", default=True)
    stalled_in_stage_days = models.PositiveSmallIntegerField("stalled in stage after (days)", default=30)
    # Potential risks
    stalled_thread_days = models.PositiveSmallIntegerField(
        "stalled thread after (days)",
        default=7,
        help_text="An outbound email with no reply in its thread for this many days.",
    )
    # Competition risk
    competitors = models.TextField(
        blank=True,
        help_text='One competitor per line; aliases after commas (e.g. "Salesloft, SalesLoft Cadence").',
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "insights configuration"
        verbose_name_plural = "insights configuration"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="insights_configuration_single_row")
        ]

    def __str__(self) -> str:
        return "Insights configuration"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @property
    def competitor_names(self) -> dict[str, list[str]]:
        """Each competitor's display name with every alias that counts as a mention of it."""
        names: dict[str, list[str]] = {}
        for line in self.competitors.splitlines():
            aliases = [part.strip() for part in line.split(",") if part.strip()]
            if aliases:
                names[aliases[0]] = aliases
        return names

"""Captured activities (emails, meetings, calls), the people on them, and how each was matched."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Activity(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        CALL = "call", "Call"

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "Sent"
        INBOUND = "inbound", "Received"
        INTERNAL = "internal", "Internal"

    class Source(models.TextChoices):
        API = "api", "API"
        EML = "eml", ".eml file"
        MBOX = "mbox", "Mailbox"
        ICS = "ics", "Calendar"
        JSONL = "jsonl", "JSON Lines"
        CRM = "crm", "CRM"
        DEMO = "demo", "Demo data"

    class AccountMatch(models.TextChoices):
        CONTACT = "contact", "A participant is a contact of the account"
        LEAD = "lead", "A participant is a lead with this exact email"
        DOMAIN = "domain", "A participant's domain is the account's domain"
        MANUAL = "manual", "Matched by hand"
        NONE = "none", "No match"

    class OpportunityMatch(models.TextChoices):
        CONTACT_ROLE = "contact_role", "A participant holds a contact role"
        NAME = "name", "The subject or body names the opportunity"
        THREAD = "thread", "An earlier message in the thread was matched to it"
        OWNER = "owner", "The opportunity's owner is on the activity"
        SINGLE_OPEN = "single_open", "The account's only open opportunity"
        MULTI = "multi", "Every open opportunity (multi-opportunity matching)"
        MANUAL = "manual", "Matched by hand"
        NONE = "none", "No match"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    source_id = models.CharField(
        max_length=512,
        unique=True,
        help_text="Message-ID, iCalendar UID + recurrence id, or the caller's id.",
    )
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="The new text: quoted replies and signature removed.")
    quoted_text = models.TextField(blank=True)
    signature = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        help_text="Whose mailbox or calendar captured it.",
    )
    is_private = models.BooleanField(default=False)
    thread_id = models.CharField(max_length=512, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=512, blank=True)
    location = models.CharField(max_length=255, blank=True)
    is_cancelled = models.BooleanField(default=False)
    # Matching outcome
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    opportunities = models.ManyToManyField(
        "opportunities.Opportunity", through="ActivityOpportunity", related_name="activities", blank=True
    )
    lead = models.ForeignKey(
        "contacts.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    account_match = models.CharField(max_length=20, choices=AccountMatch.choices, default=AccountMatch.NONE)
    opportunity_match = models.CharField(
        max_length=20, choices=OpportunityMatch.choices, default=OpportunityMatch.NONE
    )
    opportunity_confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0-100: the primary opportunity match's evidence points."
    )
    match_explanation = models.TextField(blank=True, help_text="How the match was made, in plain words.")
    is_manually_matched = models.BooleanField(
        default=False, help_text="A manual match sticks through re-matching."
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    # Removed from sync through the Engagement Log: kept for the audit, excluded everywhere else.
    removed_from_sync_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    captured_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="activity_account_time_idx"),
            models.Index(fields=["owner", "occurred_at"], name="activity_owner_time_idx"),
            models.Index(fields=["occurred_at"], name="activity_time_idx"),
            models.Index(fields=["account_match"], name="activity_account_match_idx"),
            # Finding the answer to a sent email (response rates, rollups): by In-Reply-To, or by
            # thread and time; each look-up on its own index.
            models.Index(fields=["in_reply_to"], name="activity_in_reply_to_idx"),
            models.Index(fields=["thread_id", "occurred_at"], name="activity_thread_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__isnull=True)
                | models.Q(duration_minutes__lte=60 * 24 * 14),
                name="activity_duration_at_most_two_weeks",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject or self.source_id}"


class ActivityOpportunity(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="opportunity_links")
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.CASCADE, related_name="activity_links"
    )
    match = models.CharField(max_length=20, choices=Activity.OpportunityMatch.choices)
    confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0-100: the evidence points."
    )
    is_primary = models.BooleanField(default=False, help_text="The candidate that clearly led.")
    reasons = models.JSONField(default=list, blank=True, help_text="The evidence, one sentence each.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "opportunity"], name="activity_opportunity_unique")
        ]
        indexes = [models.Index(fields=["opportunity", "activity"], name="activity_opp_reverse_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.opportunity_id} ({self.match})"


class Participant(models.Model):
    class Role(models.TextChoices):
        FROM = "from", "From"
        TO = "to", "To"
        CC = "cc", "Cc"
        BCC = "bcc", "Bcc"
        ORGANIZER = "organizer", "Organizer"
        ATTENDEE = "attendee", "Attendee"

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        TENTATIVE = "tentative", "Tentative"
        NEEDS_ACTION = "needs_action", "No response"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200, blank=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    is_internal = models.BooleanField(default=False)
    response = models.CharField(max_length=15, choices=Response.choices, blank=True)
    # What the activity showed about this person (a signature, meeting data): the contact engine reads it.
    title = models.CharField(max_length=128, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mailing_country = models.CharField(max_length=80, blank=True)
    mailing_state = models.CharField(max_length=80, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participations",
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="participations"
    )
    lead = models.ForeignKey(
        "contacts.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="participations"
    )

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "email"], name="participant_once_per_activity")
        ]
        indexes = [
            models.Index(Lower("email"), name="participant_email_ci_idx"),
            models.Index(fields=["contact", "activity"], name="participant_contact_idx"),
            models.Index(fields=["user", "activity"], name="participant_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} ({self.role})"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def resolved_as(self) -> str:
        if self.user_id:
            return "user"
        if self.contact_id:
            return "contact"
        if self.lead_id:
            return "lead"
        return "internal" if self.is_internal else "external"


class ActivityAttachment(models.Model):
    """A file that came with an email: what it was, never its content (capture does not keep files)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=127)
    size = models.BigIntegerField(help_text="Bytes, after decoding.")

    class Meta:
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return f"{self.name or 'attachment'} ({self.content_type}, {self.size} bytes)"


class EngineWork(models.Model):
    """What capture owes the engines: a batch of new, re-matched or removed activities, or the
    summaries of the accounts and opportunities an activity is leaving.

    Written in the same transaction as the change, so a broker outage can delay the contact engine
    and summaries but never lose them: the row stays open until its hand-off's last task has run,
    and a periodic sweeper sends again whatever is still open (activities/services/engine_work.py).
    ``task_name`` names the hand-off (activities/handoff.py).
    """

    task_name = models.CharField(max_length=100)
    activity_ids = models.JSONField()
    # Read when the work was recorded (where an activity was matched before it left): the hand-off
    # cannot read them again later.
    account_ids = models.JSONField(default=list, blank=True)
    opportunity_ids = models.JSONField(default=list, blank=True)
    # The arguments of a hand-off that is not about activities (a re-match after a CRM change).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="Last time it reached the broker.")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "engine work"

    def __str__(self) -> str:
        state = "done" if self.done_at else "sent" if self.sent_at else "waiting for the broker"
        if self.activity_ids:
            return f"{self.task_name} for {len(self.activity_ids)} activities ({state})"
        if self.payload:
            return f"{self.task_name} ({state})"
        return f"{self.task_name} for {len(self.account_ids)} accounts, {len(self.opportunity_ids)} opportunities ({state})"

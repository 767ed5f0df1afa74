"""External people (contacts and leads), configuration profiles, local filters, and the
contact engine's decision log."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

SENIORITY_CHOICES = [
    ("c_level", "C-Level"),
    ("vp", "VP"),
    ("director", "Director"),
    ("manager", "Manager"),
    ("individual_contributor", "Individual Contributor"),
    ("unknown", "Unknown"),
]
DEPARTMENT_CHOICES = [
    ("executive", "Executive"),
    ("engineering", "Engineering"),
    ("it", "IT"),
    ("security", "Security"),
    ("data", "Data"),
    ("product", "Product"),
    ("sales", "Sales"),
    ("marketing", "Marketing"),
    ("customer_success", "Customer Success"),
    ("finance", "Finance"),
    ("legal", "Legal"),
    ("procurement", "Procurement"),
    ("operations", "Operations"),
    ("hr", "HR"),
    ("other", "Other"),
]
PERSONA_CHOICES = [
    ("decision_maker", "Decision Maker"),
    ("economic_buyer", "Economic Buyer"),
    ("technical_buyer", "Technical Buyer"),
    ("influencer", "Influencer"),
    ("end_user", "End User"),
    ("unknown", "Unknown"),
]


class Contact(models.Model):
    """A person at a customer or prospect. The CRM allows two contacts with one email; the daily
    de-duplication merges the ones Backstory created."""

    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    backstory_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(max_length=254, blank=True)
    title = models.CharField(max_length=128, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    department = models.CharField(max_length=40, choices=DEPARTMENT_CHOICES, blank=True)
    seniority = models.CharField(max_length=40, choices=SENIORITY_CHOICES, blank=True)
    persona = models.CharField(max_length=40, choices=PERSONA_CHOICES, blank=True)
    mailing_country = models.CharField(max_length=80, blank=True)
    mailing_state = models.CharField(max_length=80, blank=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
    )
    lead_source = models.CharField(max_length=80, blank=True)
    created_by_backstory = models.BooleanField(default=False, db_index=True)
    crm_created_at = models.DateTimeField("created in CRM", null=True, blank=True)
    crm_last_modified = models.DateTimeField(null=True, blank=True)
    # field name -> ISO time of the activity that last showed the field's current value. Enrichment
    # writes only observations newer than this, so an old email never overwrites a newer title.
    field_observed_at = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(Lower("email"), name="contact_email_ci_idx"),
            # The daily de-duplication groups contacts by account and lower-cased email.
            models.Index("account", Lower("email"), name="contact_account_email_ci_idx"),
            models.Index(fields=["account", "seniority"], name="contact_account_seniority_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Lead(models.Model):
    crm_id = models.CharField("CRM id", max_length=18, null=True, blank=True, unique=True)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(max_length=254, blank=True)
    company = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=40, blank=True, default="Open")
    is_converted = models.BooleanField(default=False)
    converted_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_from_leads"
    )
    converted_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="converted_leads"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_leads"
    )
    crm_last_modified = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(Lower("email"), name="lead_email_ci_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_converted=True) | models.Q(converted_contact__isnull=True),
                name="lead_converted_contact_needs_conversion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class EnrichmentPolicy(models.TextChoices):
    ALWAYS = "always", "Always update"
    ONLY_IF_EMPTY = "only_if_empty", "Update only if empty"
    NEVER = "never", "Never update"


class ConfigurationProfile(models.Model):
    """What the contact engine may do for the users assigned to this profile."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Used for users with no profile of their own. One profile at most."
    )
    # Contact creation
    contact_creation_enabled = models.BooleanField(default=False)
    # Opportunity contact roles
    ocr_enabled = models.BooleanField("contact role creation (OCR)", default=False)
    first_ocr_enabled = models.BooleanField("First OCR", default=False)
    new_ocr_enabled = models.BooleanField("New OCR", default=False)
    multi_opportunity_matching = models.BooleanField(default=False)
    ocr_role = models.CharField(
        "role given to created contact roles", max_length=40, blank=True, default="Business User"
    )
    # Contact enrichment of contacts created by hand in the CRM
    contact_enrichment_enabled = models.BooleanField(default=False)
    # The separate settings the seed names for these three fields
    update_persona = models.BooleanField("update Persona", default=False)
    update_department = models.BooleanField("update Department", default=False)
    update_seniority = models.BooleanField("update Seniority", default=False)
    # Activity sync to the CRM; contact creation does not depend on it.
    sync_emails = models.BooleanField(default=True)
    sync_meetings = models.BooleanField(default=True)
    sync_calls = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_profile"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContactFieldRule(models.Model):
    """Per-field settings of a profile: required for creation, and the enrichment policy."""

    class Field(models.TextChoices):
        TITLE = "title", "Title"
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        LAST_NAME = "last_name", "Last name"
        FIRST_NAME = "first_name", "First name"
        DEPARTMENT = "department", "Department"
        SENIORITY = "seniority", "Seniority"
        PERSONA = "persona", "Persona"
        MAILING_COUNTRY = "mailing_country", "Mailing country"
        MAILING_STATE = "mailing_state", "Mailing state"

    profile = models.ForeignKey(ConfigurationProfile, on_delete=models.CASCADE, related_name="field_rules")
    field = models.CharField(max_length=40, choices=Field.choices)
    required_for_creation = models.BooleanField(default=False)
    enrichment_policy = models.CharField(
        max_length=20, choices=EnrichmentPolicy.choices, default=EnrichmentPolicy.NEVER
    )

    class Meta:
        ordering = ["profile", "field"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "field"], name="field_rule_unique_per_profile")
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.get_field_display()}"


class LocalFilter(models.Model):
    """Something never to capture: a domain, an address, or a subject keyword.

    A filter with no profile applies to every user.
    """

    class Kind(models.TextChoices):
        DOMAIN = "domain", "Domain"
        ADDRESS = "address", "Email address"
        SUBJECT_KEYWORD = "subject_keyword", "Subject keyword"

    profile = models.ForeignKey(
        ConfigurationProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="local_filters"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=255)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "value"], name="local_filter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs):
        self.value = self.value.strip().lower()
        super().save(*args, **kwargs)


class ContactDecision(models.Model):
    """One decision of the contact engine, kept so an admin can answer "why (not)?" in one click."""

    class Action(models.TextChoices):
        CONTACT_CREATED = "contact_created", "Contact created"
        CONTACT_SKIPPED = "contact_skipped", "Contact not created"
        LEAD_MATCHED = "lead_matched", "Matched to lead"
        OCR_CREATED = "ocr_created", "Contact role created"
        OCR_SKIPPED = "ocr_skipped", "Contact role not created"
        CONTACT_ENRICHED = "contact_enriched", "Contact enriched"
        ENRICHMENT_SKIPPED = "enrichment_skipped", "Enrichment skipped"
        CONTACT_MERGED = "contact_merged", "Duplicate merged"
        CONTACT_REMOVED = "contact_removed", "Removed from sync"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=30, choices=Action.choices)
    rule = models.CharField(max_length=60, blank=True, help_text="The seed rule applied, e.g. first_ocr.")
    reason = models.CharField(max_length=60, blank=True, help_text="A stable code, e.g. lead_exists.")
    message = models.TextField(help_text="The decision in plain words.")
    email = models.EmailField(max_length=254, blank=True, db_index=True)
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_decisions",
    )
    participant = models.ForeignKey(
        "activities.Participant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_decisions",
    )
    profile = models.ForeignKey(
        ConfigurationProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The log is never rewritten: a decision keeps the id of a contact deleted later (merged as a
    # duplicate, deleted in the CRM), which the merge decision's `deleted_contact_ids` names.
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="decisions",
    )
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["action", "reason"], name="decision_action_reason_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.email or self.contact_id} ({self.reason or self.rule})"

"""Organisation-specific metrics: stored custom metrics and derived formulas."""

from django.core.validators import RegexValidator
from django.db import models
from oauth2_provider.models import Application


class CustomMetric(models.Model):
    class Object(models.TextChoices):
        ACCOUNT = "account", "Account"
        OPPORTUNITY = "opportunity", "Opportunity"
        USER = "user", "User"

    class Kind(models.TextChoices):
        STORED = "stored", "Stored values"
        DERIVED = "derived", "Derived formula"

    class DataType(models.TextChoices):
        NUMBER = "number", "Number"
        STRING = "string", "String"
        BOOLEAN = "boolean", "Boolean"
        DATE = "date", "Date"

    slug = models.CharField(
        max_length=120,
        unique=True,
        validators=[
            RegexValidator(
                r"^(custom_(account|opportunity|user)|derived_(account|opportunity|user))_[a-z0-9_]+$"
            )
        ],
        help_text="custom_account_nps_score, derived_account_emails_per_meeting, ...",
    )
    object = models.CharField(max_length=12, choices=Object.choices)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.STORED)
    data_type = models.CharField(max_length=8, choices=DataType.choices, default=DataType.NUMBER)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    formula = models.CharField(
        max_length=500,
        blank=True,
        help_text="Derived metrics only, e.g. ootb_emails_sent / ootb_meetings_held",
    )
    crm_field = models.CharField(
        max_length=120, blank=True, help_text="Load values from this CRM field on sync."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["object", "slug"]

    def __str__(self) -> str:
        return self.slug


class CustomMetricValue(models.Model):
    metric = models.ForeignKey(CustomMetric, on_delete=models.CASCADE, related_name="values")
    object_id = models.BigIntegerField(help_text="The id of the account, opportunity or user.")
    value_number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    value_string = models.CharField(max_length=500, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "object_id"], name="custom_value_once_per_object")
        ]
        indexes = [models.Index(fields=["metric", "object_id"], name="custom_value_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.metric}[{self.object_id}]"


class QueryApiKeyManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)


class QueryApiKey(Application):
    """A Query API key: an OAuth application that gets tokens with the client-credentials grant."""

    objects = QueryApiKeyManager()

    class Meta:
        proxy = True
        verbose_name = "Query API key"
        verbose_name_plural = "Query API keys"
